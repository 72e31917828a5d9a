//! Login throttling that slows guessing down without letting a stranger lock
//! the owner out. Kept in the database so several app instances share it.
//!
//! Failures are counted per key:
//! - `pair:<email>|<address>`: one account from one address;
//! - `ip:<address>`: one address across accounts (IPv6 by its /64, which one
//!   subscriber usually holds whole);
//! - `account:<email>`: one account from every address (a high allowance:
//!   it only stops guessing spread over many addresses);
//! - `device:<id>`: a known-good device, one that signed in to the account
//!   before (a signed cookie). Its attempts count on that key alone, so
//!   failures from other addresses and devices never slow it.
//!
//! Each key has some free failures; past them every failure makes the next
//! attempt wait, twice as long each time, up to a cap: a guesser is slowed to
//! a crawl, and anyone is told when they may try again instead of being
//! refused for a fixed lockout. Quiet keys are forgotten.
//!
//! An attempt is counted *before* its password is checked, in one write
//! transaction that reads and updates every key it uses (rows locked on
//! PostgreSQL), so a burst of concurrent guesses cannot slip past together.
//! A successful sign-in takes its attempt back.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QuerySelect, Set,
};

use super::ServiceResult;
use crate::db;
use crate::entities::login_throttle;

/// How a key's failures are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures without any wait.
    pub free: i32,
    /// The first wait past the free failures; each further failure doubles it.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Whether a success wipes the key (its own slate) or only takes its
    /// attempt back (a count shared with others).
    pub wipe_on_success: bool,
}

pub const PAIR: Policy = Policy {
    free: 5,
    first_delay: Duration::seconds(4),
    max_delay: Duration::minutes(15),
    wipe_on_success: true,
};
pub const ADDRESS: Policy = Policy {
    free: 20,
    first_delay: Duration::seconds(4),
    max_delay: Duration::minutes(15),
    wipe_on_success: false,
};
pub const ACCOUNT: Policy = Policy {
    free: 20,
    first_delay: Duration::seconds(4),
    max_delay: Duration::minutes(15),
    wipe_on_success: false,
};
pub const DEVICE: Policy = PAIR;

/// A key with no failure for this long starts from zero again.
pub const FORGET_AFTER: Duration = Duration::hours(1);

fn email_part(email: &str) -> String {
    email.trim().to_lowercase()
}

/// An address as counted: IPv4 whole, IPv6 by its /64.
pub fn address_part(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().expect("checked").to_string(),
        _ => ip.to_owned(),
    }
}

/// The keys a sign-in attempt counts on: a known device's own key only, or
/// the account-and-address pair, the address and the account.
pub fn login_keys(email: &str, ip: &str, known_device: Option<&str>) -> Vec<(String, Policy)> {
    match known_device {
        Some(device) => vec![(format!("device:{device}"), DEVICE)],
        None => vec![
            (
                format!("pair:{}|{}", email_part(email), address_part(ip)),
                PAIR,
            ),
            (format!("ip:{}", address_part(ip)), ADDRESS),
            (format!("account:{}", email_part(email)), ACCOUNT),
        ],
    }
}

/// The keys a portal sign-in counts on: the staff keys (`login_keys`) with
/// the account named by store and email, since an email may be an affiliate
/// of several stores with a password in each. The address key is the very
/// one staff sign-ins count on: one guesser, one allowance.
pub fn portal_login_keys(store_id: uuid::Uuid, email: &str, ip: &str) -> Vec<(String, Policy)> {
    login_keys(
        &format!("portal:{store_id}:{}", email_part(email)),
        ip,
        None,
    )
}

/// Public signups per address: a few free, then slower and slower.
pub const SIGNUP: Policy = Policy {
    free: 10,
    first_delay: Duration::seconds(60),
    max_delay: Duration::hours(1),
    wipe_on_success: false,
};

/// Sign-in and reset links asked for, per address and per account (each
/// would send a mail: no mailbombing through us).
pub const LINK_REQUEST: Policy = Policy {
    free: 5,
    first_delay: Duration::seconds(30),
    max_delay: Duration::minutes(15),
    wipe_on_success: false,
};

/// The wait after `failures` failures under `policy` (zero while free).
pub fn delay_after(policy: &Policy, failures: i32) -> Duration {
    let excess = failures - policy.free;
    if excess <= 0 {
        return Duration::zero();
    }
    // 2^(excess-1) × first_delay, computed without overflow.
    let doublings = (excess - 1).min(20) as u32;
    let secs = policy
        .first_delay
        .num_seconds()
        .saturating_mul(1i64 << doublings);
    Duration::seconds(secs).min(policy.max_delay)
}

fn is_forgotten(row: &login_throttle::Model, now: DateTime<Utc>) -> bool {
    row.last_failure_at + FORGET_AFTER <= now && row.blocked_until.is_none_or(|b| b <= now)
}

/// Counts one attempt on every key, unless one of them is still waiting:
/// then nothing is counted and the answer is when the attempt may be made.
pub async fn reserve(
    db: &DatabaseConnection,
    keys: &[(String, Policy)],
    now: DateTime<Utc>,
) -> ServiceResult<Result<(), DateTime<Utc>>> {
    let mut keys: Vec<&(String, Policy)> = keys.iter().collect();
    // One order for every transaction: no deadlock between two attempts.
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let txn = db::begin_write(db).await?;
    let mut rows = Vec::with_capacity(keys.len());
    for (key, policy) in &keys {
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            key: Set(key.clone()),
            failures: Set(0),
            last_failure_at: Set(now),
            blocked_until: Set(None),
        })
        .on_conflict(
            OnConflict::column(login_throttle::Column::Key)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let mut query = login_throttle::Entity::find_by_id(key.clone());
        if !db::is_sqlite(&txn) {
            query = query.lock_exclusive();
        }
        let row = query
            .one(&txn)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the throttle row {key} was just written"))?;
        rows.push((row, *policy));
    }
    let wait_until = rows
        .iter()
        .filter(|(row, _)| !is_forgotten(row, now))
        .filter_map(|(row, _)| row.blocked_until)
        .filter(|until| *until > now)
        .max();
    if let Some(until) = wait_until {
        txn.commit().await?;
        return Ok(Err(until));
    }
    for (row, policy) in rows {
        let failures = if is_forgotten(&row, now) {
            1
        } else {
            row.failures.saturating_add(1)
        };
        let delay = delay_after(&policy, failures);
        let mut active: login_throttle::ActiveModel = row.into();
        active.failures = Set(failures);
        active.last_failure_at = Set(now);
        active.blocked_until = Set((delay > Duration::zero()).then(|| now + delay));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(Ok(()))
}

/// A successful attempt: its own keys are wiped, shared counts take the
/// attempt back (and their wait ends once they are within the free ones).
pub async fn succeeded(
    db: &DatabaseConnection,
    keys: &[(String, Policy)],
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut keys: Vec<&(String, Policy)> = keys.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let txn = db::begin_write(db).await?;
    for (key, policy) in keys {
        if policy.wipe_on_success {
            login_throttle::Entity::delete_by_id(key.clone())
                .exec(&txn)
                .await?;
            continue;
        }
        let mut query = login_throttle::Entity::find_by_id(key.clone());
        if !db::is_sqlite(&txn) {
            query = query.lock_exclusive();
        }
        if let Some(row) = query.one(&txn).await? {
            let failures = (row.failures - 1).max(0);
            let keep_wait = failures > policy.free && row.blocked_until.is_some_and(|b| b > now);
            let mut active: login_throttle::ActiveModel = row.into();
            active.failures = Set(failures);
            if !keep_wait {
                active.blocked_until = Set(None);
            }
            active.update(&txn).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// "4 seconds", "3 minutes": how long until `until`, rounded up.
pub fn wait_text(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (until - now).num_seconds().max(1);
    let (n, unit) = if secs < 60 {
        (secs, "second")
    } else {
        ((secs + 59) / 60, "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Seconds for a `Retry-After` header (at least 1).
pub fn retry_after_secs(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let millis = (until - now).num_milliseconds().max(1);
    (millis + 999) / 1000
}

/// Quiet keys are worthless; the janitor drops them.
pub async fn purge_old(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> ServiceResult<u64> {
    Ok(login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::LastFailureAt.lt(now - FORGET_AFTER))
        .filter(
            Condition::any()
                .add(login_throttle::Column::BlockedUntil.is_null())
                .add(login_throttle::Column::BlockedUntil.lt(now)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_past_the_free_failures_up_to_the_cap() {
        assert_eq!(delay_after(&PAIR, 5), Duration::zero());
        assert_eq!(delay_after(&PAIR, 6), Duration::seconds(4));
        assert_eq!(delay_after(&PAIR, 7), Duration::seconds(8));
        assert_eq!(delay_after(&PAIR, 9), Duration::seconds(32));
        assert_eq!(delay_after(&PAIR, 500), Duration::minutes(15));
    }

    #[test]
    fn ipv6_addresses_count_by_their_slash_64() {
        assert_eq!(
            address_part("2001:db8:1:2:aaaa::1"),
            address_part("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            address_part("2001:db8:1:2::1"),
            address_part("2001:db8:1:3::1")
        );
        assert_eq!(address_part("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_part("::ffff:203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn a_known_device_counts_on_its_own_key_only() {
        let keys = login_keys("A@x.com", "1.2.3.4", Some("dev1"));
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].0, "device:dev1");
        let keys = login_keys("A@x.com", "1.2.3.4", None);
        assert_eq!(
            keys.iter().map(|k| k.0.as_str()).collect::<Vec<_>>(),
            ["pair:a@x.com|1.2.3.4", "ip:1.2.3.4", "account:a@x.com"]
        );
    }

    #[test]
    fn the_wait_is_said_in_words() {
        let now = Utc::now();
        assert_eq!(wait_text(now + Duration::seconds(4), now), "4 seconds");
        assert_eq!(wait_text(now + Duration::seconds(61), now), "2 minutes");
        assert_eq!(wait_text(now + Duration::seconds(60), now), "1 minute");
    }
}
