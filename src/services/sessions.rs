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

/// The state keys of an affiliate signed in to the portal: a principal of
/// its own, never read by the staff extractor (`web::portal::principal`).
pub const AFFILIATE_KEY: &str = "portal_affiliate_id";
pub const AFFILIATE_STORE_KEY: &str = "portal_store_id";

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

/// The affiliate id recorded in a session's state.
pub fn affiliate_of(state: &HashMap<String, String>) -> Option<Uuid> {
    state
        .get(AFFILIATE_KEY)
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
        affiliate_id: Set(affiliate_of(state)),
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
        .col_expr(
            session::Column::AffiliateId,
            Expr::value(affiliate_of(state)),
        )
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

/// Ends every portal session of an affiliate (suspension, deletion,
/// erasure, a new password).
pub async fn revoke_all_for_affiliate(
    conn: &impl ConnectionTrait,
    affiliate_id: Uuid,
) -> ServiceResult<u64> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::AffiliateId.eq(affiliate_id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn purge_expired(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<u64> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// A known-good device: the `tb_device` cookie a successful sign-in leaves,
/// `{user id}.{device id}.{HMAC}`, so the throttle can tell the account's own
/// browser from a stranger's (`throttle::login_keys`).
pub mod device {
    use uuid::Uuid;

    use crate::services::crypto::{MacKey, constant_time_eq, random_token};

    pub const COOKIE: &str = "tb_device";
    /// About 400 days, the longest a browser keeps a cookie.
    pub const MAX_AGE_DAYS: i64 = 400;

    pub fn new_id() -> String {
        random_token(16)
    }

    fn tag(key: &MacKey, user_id: Uuid, device_id: &str) -> String {
        key.hex_prefix(format!("device.{user_id}.{device_id}").as_bytes(), 32)
    }

    pub fn seal(key: &MacKey, user_id: Uuid, device_id: &str) -> String {
        format!("{user_id}.{device_id}.{}", tag(key, user_id, device_id))
    }

    /// The user and device a cookie names, when its signature holds.
    pub fn open(key: &MacKey, value: &str) -> Option<(Uuid, String)> {
        let mut parts = value.splitn(3, '.');
        let user_id = Uuid::parse_str(parts.next()?).ok()?;
        let device_id = parts.next()?;
        let given = parts.next()?;
        if device_id.is_empty() || device_id.len() > 64 {
            return None;
        }
        constant_time_eq(given.as_bytes(), tag(key, user_id, device_id).as_bytes())
            .then(|| (user_id, device_id.to_owned()))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_device_cookie_opens_with_its_key_only_and_unchanged() {
            let key = MacKey::new(b"0123456789abcdef0123456789abcdef");
            let user = Uuid::now_v7();
            let value = seal(&key, user, "dev-1");
            assert_eq!(open(&key, &value), Some((user, "dev-1".to_owned())));
            assert_eq!(open(&MacKey::new(b"another"), &value), None);
            let other = Uuid::now_v7();
            let forged = value.replacen(&user.to_string(), &other.to_string(), 1);
            assert_eq!(open(&key, &forged), None);
            assert_eq!(open(&key, "garbage"), None);
        }
    }
}
