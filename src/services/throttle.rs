//! Login throttling, per account and per client address, kept in the
//! database so that several app instances share one count.
//!
//! A fixed window: after `limit` failures within `WINDOW`, further attempts
//! (right or wrong) are refused until the window that began with the first
//! failure ends. A successful login clears the account's counter.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use super::ServiceResult;
use crate::entities::login_throttle;

pub const WINDOW: Duration = Duration::minutes(15);
pub const ACCOUNT_LIMIT: i32 = 5;
pub const IP_LIMIT: i32 = 20;

pub fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

pub fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// When the key is locked, the time at which it unlocks.
pub async fn locked_until(
    conn: &impl ConnectionTrait,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> ServiceResult<Option<DateTime<Utc>>> {
    let Some(row) = login_throttle::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let window_end = row.window_started_at + WINDOW;
    Ok((row.failures >= limit && window_end > now).then_some(window_end))
}

pub async fn record_failure(
    conn: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    match login_throttle::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
    {
        Some(row) if row.window_started_at + WINDOW > now => {
            let failures = row.failures.saturating_add(1);
            let mut active: login_throttle::ActiveModel = row.into();
            active.failures = Set(failures);
            active.update(conn).await?;
        }
        Some(row) => {
            let mut active: login_throttle::ActiveModel = row.into();
            active.failures = Set(1);
            active.window_started_at = Set(now);
            active.update(conn).await?;
        }
        None => {
            login_throttle::ActiveModel {
                key: Set(key.to_owned()),
                failures: Set(1),
                window_started_at: Set(now),
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

pub async fn clear(conn: &impl ConnectionTrait, key: &str) -> ServiceResult<()> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}
