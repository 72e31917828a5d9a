//! Choosing a password with a one-time link (password reset, or the invite
//! staff hand over): the link is used, the password set and every other
//! session of the affiliate ended, in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::json;

use super::principal::PortalAffiliate;
use super::tokens::{self, LinkRefused};
use crate::db;
use crate::domain::portal_token::TokenPurpose;
use crate::domain::{Password, StoreId, ValidationErrors};
use crate::entities::affiliate;
use crate::services::{Actor, ServiceError, UseCaseError, UseCaseResult, audit, crypto, sessions};

pub struct NewPassword {
    pub password: String,
    pub confirm_password: String,
}

pub async fn set_with_link(
    db: &DatabaseConnection,
    store_id: StoreId,
    token: &str,
    input: NewPassword,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> UseCaseResult<PortalAffiliate, LinkRefused> {
    // Checked first: a typo must not use up the link.
    let mut errors = ValidationErrors::new();
    let password = errors.check("password", Password::parse(&input.password));
    if password.is_some() && input.password != input.confirm_password {
        errors.add("confirm_password", "does not match the password");
    }
    errors.into_result()?;
    let hash = crypto::hash_password_async(password.expect("checked").expose().to_owned())
        .await
        .map_err(ServiceError::from)?;

    let txn = db::begin_write(db).await?;
    let (affiliate_id, purpose) = match tokens::consume(
        &txn,
        store_id,
        token,
        &[TokenPurpose::PasswordReset, TokenPurpose::Invite],
        now,
    )
    .await?
    {
        Ok(found) => found,
        Err(refused) => return Err(UseCaseError::Refused(refused)),
    };
    let current = affiliate::Entity::find_by_id(affiliate_id.0)
        .one(&txn)
        .await?
        .filter(|a| a.store_id == store_id.0 && a.anonymized_at.is_none())
        .ok_or(UseCaseError::Failed(ServiceError::NotFound))?;
    let mut active: affiliate::ActiveModel = current.into();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    // Whoever knew the old password is out.
    sessions::revoke_all_for_affiliate(&txn, updated.id).await?;
    audit::record(
        &txn,
        store_id,
        &Actor::affiliate(updated.id, &updated.email, ip),
        "affiliate.password_set",
        "affiliate",
        Some(updated.id.to_string()),
        json!({"via": purpose.as_str()}),
    )
    .await?;
    txn.commit().await?;
    Ok(PortalAffiliate::of(&updated))
}
