//! Joining a store's team by invitation: an owner names an email and a role,
//! Tributary makes a one-time link (only its SHA-256 is stored) and emails
//! it to that address (the Team page also shows it once, for installs
//! without mail), and the person with that email accepts it, signed in or
//! by choosing a password for a new account. Nobody becomes a member without
//! accepting, and inviting answers the same whether the email has an account
//! or not.
//!
//! One file per verb: `create` (invite, revoke), `accept`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::setup::{FilterByEmail, add_membership};
use super::stores::StoreAccess;
use super::{Actor, ServiceError, ServiceResult, audit, auth, crypto, events, team};
use crate::db;
use crate::domain::{Email, Password, Role, StoreId, UserId, ValidationErrors};
use crate::entities::{invitation, store, user};

/// How long a link works.
pub const LIFETIME: Duration = Duration::days(7);

/// A pending invitation as the Team page lists it.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn pending(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<Vec<Pending>> {
    let rows = invitation::Entity::find()
        .filter(invitation::Column::StoreId.eq(store_id.0))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .order_by_asc(invitation::Column::CreatedAt)
        .limit(500)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|i| {
            Some(Pending {
                id: i.id,
                role: Role::parse(&i.role).ok()?,
                email: i.email,
                created_at: i.created_at,
                expires_at: i.expires_at,
            })
        })
        .collect())
}

/// What the person opening a link sees of it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: Uuid,
    pub store_id: StoreId,
    pub store_name: String,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// The pending invitation a link's token names, if it still works.
pub async fn find_by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> ServiceResult<Option<Invitation>> {
    if token.len() > 64 {
        return Ok(None);
    }
    let now = Utc::now();
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(crypto::sha256_hex(token.as_bytes())))
        .find_also_related(store::Entity)
        .one(conn)
        .await?;
    Ok(match found {
        Some((i, Some(s)))
            if i.accepted_at.is_none() && i.revoked_at.is_none() && i.expires_at > now =>
        {
            Some(Invitation {
                id: i.id,
                store_id: StoreId(s.id),
                store_name: s.name,
                role: Role::parse(&i.role).unwrap_or(Role::Admin),
                email: i.email,
                expires_at: i.expires_at,
            })
        }
        _ => None,
    })
}

mod accept;
mod create;
pub use accept::*;
pub use create::*;
