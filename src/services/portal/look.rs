//! The store's portal settings: logo, accent colour and the join form's
//! extra questions (Settings page, owners only).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::json;

use crate::db;
use crate::domain::ValidationErrors;
use crate::domain::portal::{parse_accent_color, parse_logo_url, parse_signup_questions};
use crate::entities::store;
use crate::services::stores::StoreAccess;
use crate::services::{Actor, ServiceError, ServiceResult, audit};

#[derive(Debug, Clone, Default)]
pub struct LookInput {
    pub logo_url: String,
    pub accent_color: String,
    /// One question per line.
    pub signup_questions: String,
}

/// The store's current portal settings as the form shows them.
pub fn current(s: &store::Model) -> LookInput {
    let questions: Vec<String> = s
        .signup_questions
        .as_deref()
        .and_then(|q| serde_json::from_str(q).ok())
        .unwrap_or_default();
    LookInput {
        logo_url: s.logo_url.clone().unwrap_or_default(),
        accent_color: s.accent_color.clone().unwrap_or_default(),
        signup_questions: questions.join("\n"),
    }
}

pub async fn update(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    input: LookInput,
) -> ServiceResult<store::Model> {
    if !access.role.can_edit_settings() {
        return Err(ServiceError::Forbidden(
            "Only an owner can change the store's settings.".into(),
        ));
    }
    let mut errors = ValidationErrors::new();
    let logo = errors.check("logo_url", parse_logo_url(&input.logo_url));
    let accent = errors.check("accent_color", parse_accent_color(&input.accent_color));
    let questions = errors.check(
        "signup_questions",
        parse_signup_questions(&input.signup_questions),
    );
    errors.into_result()?;
    let (logo, accent, questions) = (
        logo.expect("checked"),
        accent.expect("checked"),
        questions.expect("checked"),
    );
    let questions_json = (!questions.is_empty())
        .then(|| serde_json::to_string(&questions))
        .transpose()
        .map_err(anyhow::Error::from)?;

    let txn = db::begin_write(db).await?;
    let current = store::Entity::find_by_id(access.store.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = json!({"logo_url": current.logo_url, "accent_color": current.accent_color, "signup_questions": current.signup_questions});
    let after =
        json!({"logo_url": logo, "accent_color": accent, "signup_questions": questions_json});
    let mut active: store::ActiveModel = current.into();
    active.logo_url = Set(logo);
    active.accent_color = Set(accent);
    active.signup_questions = Set(questions_json);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    if before != after {
        audit::record(
            &txn,
            access.id(),
            actor,
            "store.portal_changed",
            "store",
            Some(access.store.id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}
