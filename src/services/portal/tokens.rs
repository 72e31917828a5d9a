//! One-time portal links. The token (256 random bits) goes into the URL;
//! only its SHA-256 is stored. A link is for one affiliate of one store and
//! one purpose, works once, and expires (`TokenPurpose::lifetime`). Time is
//! a parameter (`now`) so tests can step past an expiry without sleeping.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::portal_token::{TokenPurpose, TokenRefusal, check_usable};
use crate::domain::{AffiliateId, StoreId};
use crate::entities::portal_token;
use crate::services::{ServiceResult, crypto};

/// A new link's secret part (shown once, never stored) and its expiry.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The portal path a token is used at.
pub fn path_for(store_slug: &str, purpose: TokenPurpose, token: &str) -> String {
    if purpose.sets_password() {
        format!("/a/{store_slug}/password/{token}")
    } else {
        format!("/a/{store_slug}/login/{token}")
    }
}

/// Writes a new link in `conn` (call inside the transaction that also
/// audits it or queues its email).
pub async fn issue(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> ServiceResult<IssuedToken> {
    let token = crypto::random_token(32);
    let expires_at = now + purpose.lifetime();
    portal_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(crypto::sha256_hex(token.as_bytes())),
        store_id: Set(store_id.0),
        affiliate_id: Set(affiliate_id.0),
        purpose: Set(purpose),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(IssuedToken { token, expires_at })
}

/// Why a link was refused. Pages say one thing for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("This link has expired or was already used. Ask for a new one.")]
    Unusable,
}

/// A usable link's facts, without using it (the confirmation page a GET shows).
pub async fn peek(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    token: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Option<(AffiliateId, TokenPurpose)>> {
    let Some(row) = find(conn, store_id, token).await? else {
        return Ok(None);
    };
    Ok(check_usable(row.expires_at, row.used_at, now)
        .ok()
        .map(|()| (AffiliateId(row.affiliate_id), row.purpose)))
}

async fn find(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    token: &str,
) -> ServiceResult<Option<portal_token::Model>> {
    if token.len() > 64 {
        return Ok(None);
    }
    Ok(portal_token::Entity::find()
        .filter(portal_token::Column::TokenHash.eq(crypto::sha256_hex(token.as_bytes())))
        .filter(portal_token::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?)
}

/// Uses a link of one of `purposes` in `conn` (a write transaction the
/// caller commits together with the sign-in or password change). The
/// update is conditional on `used_at` still being empty, so two requests
/// racing with one link cannot both succeed.
pub async fn consume(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    token: &str,
    purposes: &[TokenPurpose],
    now: DateTime<Utc>,
) -> ServiceResult<Result<(AffiliateId, TokenPurpose), LinkRefused>> {
    let Some(row) = find(conn, store_id, token).await? else {
        return Ok(Err(LinkRefused::Unusable));
    };
    if !purposes.contains(&row.purpose) {
        return Ok(Err(LinkRefused::Unusable));
    }
    if let Err(why) = check_usable(row.expires_at, row.used_at, now) {
        tracing::info!(reason = ?why, purpose = row.purpose.as_str(), "portal link refused");
        return Ok(Err(LinkRefused::Unusable));
    }
    let claimed = portal_token::Entity::update_many()
        .col_expr(portal_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(portal_token::Column::Id.eq(row.id))
        .filter(portal_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if claimed.rows_affected != 1 {
        tracing::info!(reason = ?TokenRefusal::Used, "portal link refused (raced)");
        return Ok(Err(LinkRefused::Unusable));
    }
    Ok(Ok((AffiliateId(row.affiliate_id), row.purpose)))
}
