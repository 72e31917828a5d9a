//! Server-side staff sessions. The cookie holds a random key; the table holds
//! its SHA-256, the session state, and the user it belongs to, so sessions can
//! be revoked one by one (logout) or all at once (password change).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use std::collections::HashMap;
use uuid::Uuid;

use super::ServiceResult;
use super::crypto::sha256_hex;
use crate::entities::session;

/// The state key under which the signed-in user's id is kept.
pub const USER_KEY: &str = "user_id";

pub fn id_of(key: &str) -> String {
    sha256_hex(key.as_bytes())
}

/// The user id recorded in a session's state (values are JSON-encoded by
/// actix-session).
pub fn user_of(state: &HashMap<String, String>) -> Option<Uuid> {
    state
        .get(USER_KEY)
        .and_then(|v| serde_json::from_str::<Uuid>(v).ok())
}

pub async fn load(
    conn: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
    max_age: chrono::Duration,
) -> ServiceResult<Option<HashMap<String, String>>> {
    let Some(row) = session::Entity::find_by_id(id_of(key)).one(conn).await? else {
        return Ok(None);
    };
    if row.expires_at <= now || row.created_at + max_age <= now {
        session::Entity::delete_by_id(row.id).exec(conn).await?;
        return Ok(None);
    }
    Ok(serde_json::from_str(&row.state).ok())
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    key: &str,
    state: &HashMap<String, String>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> ServiceResult<()> {
    session::Entity::insert(session::ActiveModel {
        id: Set(id_of(key)),
        user_id: Set(user_of(state)),
        state: Set(serde_json::to_string(state).map_err(anyhow::Error::from)?),
        created_at: Set(now),
        expires_at: Set(expires_at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Replaces the state; false when the session no longer exists (revoked).
pub async fn update_state(
    conn: &impl ConnectionTrait,
    key: &str,
    state: &HashMap<String, String>,
    expires_at: DateTime<Utc>,
) -> ServiceResult<bool> {
    let result = session::Entity::update_many()
        .col_expr(
            session::Column::State,
            Expr::value(serde_json::to_string(state).map_err(anyhow::Error::from)?),
        )
        .col_expr(session::Column::UserId, Expr::value(user_of(state)))
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(id_of(key)))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Slides the idle timeout. Writes at most once a minute per session, so a
/// busy page does not turn every read into a write.
pub async fn touch(
    conn: &impl ConnectionTrait,
    key: &str,
    expires_at: DateTime<Utc>,
) -> ServiceResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(id_of(key)))
        .filter(session::Column::ExpiresAt.lt(expires_at - chrono::Duration::seconds(60)))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &impl ConnectionTrait, key: &str) -> ServiceResult<()> {
    session::Entity::delete_by_id(id_of(key)).exec(conn).await?;
    Ok(())
}

/// Ends every session of a user except, optionally, the one in use.
pub async fn revoke_all_for_user(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    keep_session_key: Option<&str>,
) -> ServiceResult<u64> {
    let mut query = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(key) = keep_session_key {
        query = query.filter(session::Column::Id.ne(id_of(key)));
    }
    Ok(query.exec(conn).await?.rows_affected)
}

pub async fn purge_expired(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<u64> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}
