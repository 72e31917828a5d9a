//! Joining a store's program from its public portal page: the default
//! campaign (`/a/{slug}/join`) or another public one. The affiliate is made
//! by `affiliates::create`, so every rule of staff-made affiliates holds
//! (approval → pending, else approved with the default link; audit entry).
//!
//! A duplicate email. Joining signs the new affiliate in at once, so the
//! form cannot answer "done" for an email that already has an account
//! without lying, and some answer must differ: the one given names no
//! status, name or campaign of the existing account, only the way back in
//! (log in, or reset the password), which is what any visitor may try
//! anyway. Signups are rate limited per address, which bounds how many
//! emails one address can probe. Another store's affiliates never count.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::principal::{PortalAffiliate, PortalStore};
use crate::domain::affiliate::AffiliateFields;
use crate::domain::portal::parse_signup_answers;
use crate::domain::{CampaignId, Email, Password, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, store};
use crate::services::affiliates::{self, NewAffiliate, PortalSignup};
use crate::services::{
    Actor, ActorKind, ServiceError, ServiceResult, UseCaseError, UseCaseResult, crypto, throttle,
};

pub const DUPLICATE_MESSAGE: &str =
    "can't be used to join. If you already have an account, log in or reset your password.";

/// The campaign a join page is for: the store's default one, or the public
/// campaign `id`. Invite-only, archived or unknown campaigns: not found.
pub async fn join_campaign(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: Option<CampaignId>,
) -> ServiceResult<campaign::Model> {
    let found = match id {
        None => crate::services::campaigns::default_campaign(conn, store_id).await?,
        Some(id) => {
            campaign::Entity::find_by_id(id.0)
                .filter(campaign::Column::StoreId.eq(store_id.0))
                .one(conn)
                .await?
        }
    };
    found
        .filter(|c| c.visibility == "public" && c.archived_at.is_none())
        .ok_or(ServiceError::NotFound)
}

#[derive(Debug, Clone, Default)]
pub struct JoinInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
    pub payout_email: String,
    /// `answers[i]` answers the store's question i.
    pub answers: Vec<String>,
}

/// Who is joining, for fraud review: the address as its keyed hash (the
/// same as visits record) and the browser's user agent.
pub struct Origin {
    pub ip: String,
    pub ip_hash: String,
    pub user_agent: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum JoinRefused {
    #[error("Too many signups from your address. Try again in {0}.")]
    TooMany(String),
}

pub async fn join(
    db: &DatabaseConnection,
    store: &PortalStore,
    campaign_id: Option<CampaignId>,
    input: JoinInput,
    origin: Origin,
    now: DateTime<Utc>,
) -> UseCaseResult<PortalAffiliate, JoinRefused> {
    let campaign = join_campaign(db, store.id, campaign_id).await?;
    let keys = [(
        format!("signup:{}", throttle::address_part(&origin.ip)),
        throttle::SIGNUP,
    )];
    if let Err(retry_at) = throttle::reserve(db, &keys, now).await? {
        return Err(UseCaseError::Refused(JoinRefused::TooMany(
            throttle::wait_text(retry_at, now),
        )));
    }

    let mut errors = ValidationErrors::new();
    let fields = AffiliateFields {
        email: input.email.clone(),
        first_name: input.first_name.clone(),
        last_name: input.last_name.clone(),
        payout_email: input.payout_email.clone(),
        is_enabled: true,
        ..Default::default()
    };
    if let Err(e) = crate::domain::affiliate::AffiliateProfile::parse(&fields) {
        errors.0.extend(e.0);
    }
    if input.last_name.trim().is_empty() && errors.get("last_name").is_none() {
        errors.add("last_name", "is required");
    }
    let password = errors.check("password", Password::parse(&input.password));
    let answers = parse_signup_answers(&store.questions, &input.answers, &mut errors);
    if errors.get("email").is_none()
        && let Ok(email) = Email::parse(&input.email)
        && email_taken(db, store.id, &email).await?
    {
        errors.add("email", DUPLICATE_MESSAGE);
    }
    errors.into_result()?;

    let password_hash = crypto::hash_password_async(password.expect("checked").expose().to_owned())
        .await
        .map_err(ServiceError::from)?;
    let store_row = store::Entity::find_by_id(store.id.0)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let actor = Actor {
        kind: ActorKind::Affiliate,
        id: None,
        label: input.email.trim().to_lowercase(),
        ip: Some(origin.ip.clone()),
        idempotency_key: None,
    };
    let created = affiliates::create(
        db,
        &store_row,
        &actor,
        NewAffiliate {
            fields,
            campaign_id: Some(CampaignId(campaign.id)),
            status: None,
            link_token: None,
            signup: Some(PortalSignup {
                password_hash,
                ip_hash: origin.ip_hash,
                user_agent: origin.user_agent.map(|ua| ua.chars().take(512).collect()),
                answers,
            }),
        },
    )
    .await
    .map_err(|e| match e {
        // Lost a race with another signup of the same email.
        ServiceError::Validation(mut v) => {
            for fe in &mut v.0 {
                if fe.field == "email" {
                    fe.message = DUPLICATE_MESSAGE.into();
                }
            }
            ServiceError::Validation(v)
        }
        other => other,
    })?;
    Ok(PortalAffiliate::of(&created))
}

async fn email_taken(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    email: &Email,
) -> ServiceResult<bool> {
    Ok(affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Email.eq(email.as_str()))
        .one(conn)
        .await?
        .is_some())
}
