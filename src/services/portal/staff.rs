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
use crate::services::{Actor, ServiceError, ServiceResult, audit};

async fn link_for(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
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
) -> ServiceResult<IssuedToken> {
    link_for(db, store_id, actor, id, TokenPurpose::Sso, now).await
}

/// A one-time link to set a password and come in (7 days).
pub async fn invite_link(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    now: DateTime<Utc>,
) -> ServiceResult<IssuedToken> {
    link_for(db, store_id, actor, id, TokenPurpose::Invite, now).await
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
