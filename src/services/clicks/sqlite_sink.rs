//! A batch of clicks on SQLite: one IMMEDIATE transaction on the writer's
//! own connection, one cached prepared statement per table, executed once
//! per row. Going through sqlx costs a round trip to its worker thread and
//! a copy of every bound value per statement; at tens of thousands of
//! clicks a second that was most of the writer's time.
//!
//! Values are bound exactly as sea-orm/sqlx store them (STACK.md trap 4):
//! UUIDs as 16-byte blobs, timestamps as RFC 3339 text, booleans as 0/1.

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, TransactionBehavior, params};
use sea_orm::DatabaseConnection;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use uuid::Uuid;

use super::{ClickRecord, new_visitors_per_link, referral_created_payload, rollup};

const INSERT_REFERRAL: &str = "INSERT INTO referrals (id, store_id, affiliate_id, campaign_id, \
     link_id, coupon_id, visitor_id, state, email, external_customer_id, self_referral, ip_hash, \
     user_agent, source, sale_count, first_sale_at, expires_at, lead_at, converted_at, erased_at, \
     created_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, 'visitor', NULL, NULL, 0, ?7, ?8, ?9, 0, NULL, ?10, \
     NULL, NULL, NULL, ?11, ?11)";
const INSERT_EVENT: &str = "INSERT INTO events (id, store_id, event_type, payload, created_at, \
     delivered_at) VALUES (?1, ?2, 'referral.created', ?3, ?4, NULL)";
const INSERT_VISIT: &str = "INSERT INTO visits (id, store_id, link_id, referral_id, landing_url, \
     referrer, user_agent, ip_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
const COUNT_VISITORS: &str = "UPDATE links SET visitors = visitors + ?1 WHERE id = ?2";

/// How often the background checkpointer copies the WAL back into the
/// database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

pub(super) struct SqliteSink {
    conn: Arc<Mutex<Connection>>,
    _checkpointer: Checkpointer,
}

impl SqliteSink {
    /// The writer's own connection to the SQLite file `database_url` names;
    /// `None` for PostgreSQL and for an in-memory database.
    pub(super) fn open_if_file(
        db: &DatabaseConnection,
        database_url: &str,
    ) -> anyhow::Result<Option<Self>> {
        if !crate::db::is_sqlite(db) {
            return Ok(None);
        }
        let options = SqliteConnectOptions::from_str(database_url)
            .map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?;
        let file = options.get_filename();
        if !file.is_file() {
            return Ok(None);
        }
        let conn = Connection::open(file)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL is a property of the file (set when the pool opened it);
        // durability is per connection.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The click tables' right-hand index pages stay cached between
        // batches (32 MiB rather than SQLite's 2 MiB: profiles showed the
        // writer re-reading them).
        conn.pragma_update(None, "cache_size", "-32768")?;
        // Checkpoints run on their own thread and connection (below): a
        // checkpoint inside the writer's commit copied up to 64 MiB of WAL
        // and synced the file while every click waited on a full queue (the
        // p99 of a sustained run was that stall). The writer checkpoints
        // itself only if the WAL grows past 256 MiB, should the background
        // one ever fall behind.
        conn.pragma_update(None, "wal_autocheckpoint", "65536")?;
        let checkpointer = Checkpointer::spawn(file)?;
        Ok(Some(Self {
            conn: Arc::new(Mutex::new(conn)),
            _checkpointer: checkpointer,
        }))
    }

    pub(super) async fn write(&self, batch: Arc<Vec<ClickRecord>>) -> Result<(), String> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| "click writer lock poisoned")?;
            write_batch(&mut conn, &batch).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

/// A thread that runs a PASSIVE checkpoint every [`CHECKPOINT_EVERY`] on
/// its own connection: it copies committed WAL frames back into the
/// database file without blocking the writer (SQLite lets a checkpoint and
/// a writer run at once in WAL mode), so the WAL stays small and is reused.
/// It stops when the sink is dropped.
struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Checkpointer {
    fn spawn(file: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open(file)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new()
            .name("tributary-checkpoint".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    // A busy database only means the next round does it.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!(error = %e, "WAL checkpoint skipped");
                    }
                }
            })?;
        Ok(Self { stop })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn write_batch(conn: &mut Connection, batch: &[ClickRecord]) -> rusqlite::Result<()> {
    let txn = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut referral = txn.prepare_cached(INSERT_REFERRAL)?;
        let mut event = txn.prepare_cached(INSERT_EVENT)?;
        let mut visit = txn.prepare_cached(INSERT_VISIT)?;
        for c in batch {
            let at = text_time(c.at);
            if let Some(r) = &c.new_referral {
                referral.execute(params![
                    blob(&r.id.0),
                    blob(&c.store_id.0),
                    blob(&r.affiliate_id.0),
                    blob(&r.campaign_id.0),
                    blob(&c.link_id.0),
                    blob(&r.visitor_id),
                    c.ip_hash,
                    c.user_agent,
                    r.source.as_str(),
                    text_time(r.expires_at),
                    at,
                ])?;
                event.execute(params![
                    blob(&Uuid::now_v7()),
                    blob(&c.store_id.0),
                    referral_created_payload(c, r),
                    at,
                ])?;
            }
            visit.execute(params![
                blob(&c.visit_id.0),
                blob(&c.store_id.0),
                blob(&c.link_id.0),
                blob(&c.referral_id.0),
                c.landing_url,
                c.referrer,
                c.user_agent,
                c.ip_hash,
                at,
            ])?;
        }
        let visitors = rollup::visitors(batch);
        let mut store_day = txn.prepare_cached(rollup::SQLITE_STORE_DAY)?;
        for (id, day, n) in &visitors.stores {
            store_day.execute(params![blob(id), day, n])?;
        }
        let mut link_day = txn.prepare_cached(rollup::SQLITE_LINK_DAY)?;
        for (id, day, n) in &visitors.links {
            link_day.execute(params![blob(id), day, n])?;
        }
        let mut count = txn.prepare_cached(COUNT_VISITORS)?;
        for (link_id, n) in new_visitors_per_link(batch) {
            count.execute(params![n, blob(&link_id.0)])?;
        }
    }
    txn.commit()
}

fn blob(id: &Uuid) -> &[u8] {
    id.as_bytes()
}

/// The text sqlx writes for a `DateTime<Utc>` on SQLite.
fn text_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_sqlx_writes_them() {
        let at = DateTime::parse_from_rfc3339("2026-11-21T10:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(text_time(at), "2026-11-21T10:00:00.123456+00:00");
    }
}
