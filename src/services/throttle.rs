//! Login throttling, per account and per client address, kept in the
//! database so that several app instances share one count.
//!
//! Attempts are counted *before* the password is checked, in one atomic
//! upsert, so a burst of concurrent guesses cannot all slip past a
//! read-then-check. Counts live in fixed 15-minute windows (the window's
//! start is part of the key) and the limit applies to the current window
//! plus the previous one, so a burst straddling a window boundary is still
//! counted whole. A successful login takes its attempt back.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

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

fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let secs = WINDOW.num_seconds();
    Utc.timestamp_opt(now.timestamp() - now.timestamp().rem_euclid(secs), 0)
        .single()
        .unwrap_or(now)
}

fn windowed(key: &str, start: DateTime<Utc>) -> String {
    format!("{key}@{}", start.timestamp())
}

/// Counts one attempt for `key`. When the window already holds `limit`
/// attempts, returns the time the window ends (the attempt is refused).
pub async fn try_attempt(
    conn: &impl ConnectionTrait,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> ServiceResult<Option<DateTime<Utc>>> {
    let start = window_start(now);
    let row_key = windowed(key, start);
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(row_key.clone()),
        failures: Set(1),
        window_started_at: Set(start),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            // Table-qualified: PostgreSQL finds a bare `failures` ambiguous here.
            .value(
                login_throttle::Column::Failures,
                Expr::col((login_throttle::Entity, login_throttle::Column::Failures)).add(1),
            )
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let previous_key = windowed(key, start - WINDOW);
    let count: i32 = login_throttle::Entity::find()
        .filter(login_throttle::Column::Key.is_in([row_key, previous_key]))
        .all(conn)
        .await?
        .iter()
        .map(|r| r.failures)
        .sum();
    Ok((count > limit).then_some(start + WINDOW))
}

/// A successful login: the attempt does not count against the address, and
/// the account's slate is wiped.
pub async fn succeeded(
    conn: &impl ConnectionTrait,
    account: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let start = window_start(now);
    login_throttle::Entity::delete_by_id(windowed(account, start))
        .exec(conn)
        .await?;
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::Failures,
            Expr::col(login_throttle::Column::Failures).sub(1),
        )
        .filter(login_throttle::Column::Key.eq(windowed(ip, start)))
        .exec(conn)
        .await?;
    Ok(())
}

/// Old windows are worthless; the janitor drops them.
pub async fn purge_old(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<u64> {
    Ok(login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(now - WINDOW * 2))
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_to_fifteen_minutes() {
        let t = Utc.with_ymd_and_hms(2026, 11, 21, 10, 44, 59).unwrap();
        assert_eq!(
            window_start(t),
            Utc.with_ymd_and_hms(2026, 11, 21, 10, 30, 0).unwrap()
        );
    }
}
