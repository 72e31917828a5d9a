//! What staff and the store's backend do for an affiliate's portal access,
//! each audited in the transaction that makes it:
//! - an SSO link (`POST /api/v1/affiliates/{id}/sso`, 60 seconds);
//! - an invite link (an invite-only campaign's affiliate sets a password);
//! - view as affiliate (read only; the principal lives in the staff
//!   member's own session, `web::portal::principal`).

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::principal::{PortalAffiliate, affiliate_in_store};
use super::tokens::{self, IssuedToken};
use crate::db;
use crate::domain::portal::Standing;
use crate::domain::portal_token::TokenPurpose;
use crate::domain::{AffiliateId, StoreId};
use crate::services::{Actor, ServiceError, ServiceResult, audit, idempotency};

/// The answer to store with a link, in its own transaction, for a request
/// under an `Idempotency-Key`: the URL's secret is never stored elsewhere,
/// so a retry could not read it back (`services::idempotency`).
pub type Answer<'a> = &'a (dyn Fn(&IssuedToken) -> (u16, String) + Sync);

async fn link_for(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
    answer: Option<Answer<'_>>,
) -> ServiceResult<IssuedToken> {
    let txn = db::begin_write(db).await?;
    let affiliate = affiliate_in_store(&txn, store_id, id)
        .await?
        .filter(|a| a.standing != Standing::Gone)
        .ok_or(ServiceError::NotFound)?;
    let issued = tokens::issue(&txn, store_id, id, purpose, now).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        &format!("affiliate.{}_link_created", purpose.as_str()),
        "affiliate",
        Some(id.to_string()),
        json!({"email": affiliate.email, "expires_at": issued.expires_at}),
    )
    .await?;
    if let (Some(claim), Some(answer)) = (actor.idempotency_key, answer) {
        let (status, body) = answer(&issued);
        idempotency::answer_in(&txn, claim, status, body).await?;
    }
    txn.commit().await?;
    Ok(issued)
}

/// A one-time portal sign-in link valid for 60 seconds (Rewardful's SSO).
pub async fn sso_link(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    now: DateTime<Utc>,
    answer: Option<Answer<'_>>,
) -> ServiceResult<IssuedToken> {
    link_for(db, store_id, actor, id, TokenPurpose::Sso, now, answer).await
}

/// A one-time link to set a password and come in (7 days).
pub async fn invite_link(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    now: DateTime<Utc>,
) -> ServiceResult<IssuedToken> {
    link_for(db, store_id, actor, id, TokenPurpose::Invite, now, None).await
}

/// Records that a staff member opens the portal as `id` (read only).
pub async fn start_view_as(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
) -> ServiceResult<PortalAffiliate> {
    let txn = db::begin_write(db).await?;
    let affiliate = affiliate_in_store(&txn, store_id, id)
        .await?
        .filter(|a| a.standing != Standing::Gone)
        .ok_or(ServiceError::NotFound)?;
    audit::record(
        &txn,
        store_id,
        actor,
        "affiliate.viewed_as",
        "affiliate",
        Some(id.to_string()),
        json!({"email": affiliate.email}),
    )
    .await?;
    txn.commit().await?;
    Ok(affiliate)
}

/// What the affiliate's admin page shows about their portal account and
/// signup, for review.
pub struct PortalReview {
    pub has_password: bool,
    pub joined_via_portal: bool,
    pub answers: Vec<crate::domain::portal::SignupAnswer>,
    pub user_agent: Option<String>,
    /// Other affiliates of the store who joined from the same address.
    pub shared_ip_with: i64,
    /// Whether the affiliate's campaign is invite-only (staff hand out invite links).
    pub invite_only: bool,
}

pub async fn review(
    db: &DatabaseConnection,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<PortalReview> {
    let a = crate::services::affiliates::get(db, store_id, id).await?;
    let shared =
        crate::services::affiliates::shared_signup_ips(db, store_id, std::slice::from_ref(&a))
            .await?;
    let campaign =
        crate::services::campaigns::get(db, store_id, crate::domain::CampaignId(a.campaign_id))
            .await?;
    Ok(PortalReview {
        has_password: a.password_hash.is_some(),
        joined_via_portal: a.signup_ip_hash.is_some(),
        answers: a
            .signup_answers
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default(),
        user_agent: a.signup_user_agent.clone(),
        shared_ip_with: a
            .signup_ip_hash
            .as_ref()
            .and_then(|h| shared.get(h))
            .map_or(0, |n| n - 1),
        invite_only: campaign.visibility != "public",
    })
}
