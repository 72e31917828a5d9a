//! Daily rollups for the dashboards (issue 11): per store, affiliate and UTC
//! day (`stats_days`), and per store and day (`stats_store_days`, so a
//! store's series reads one row a day, not one per affiliate), the figures
//! `services::stats` shows: visitors, leads, conversions, revenue, live
//! commissions (count, and money by status).
//!
//! Exact, because they are written in the same transaction as the rows they
//! count: database triggers on referrals, sales, commissions, links and
//! visits (each takes the old row's contribution off and puts the new one
//! on, with an upsert), so every write path keeps them, today's and those
//! still to come. The one exception is the click path: new visits are
//! counted by the click writers themselves, one upsert per store and day and
//! per link and day for a whole batch (`services::clicks::rollup`), which is
//! cheaper than a trigger per click. A commission's `payout_id` is not
//! watched, so making a payout batch costs nothing here.
//!
//! Money is kept as two sums: of each amount's high 32 bits (`_hi`, an
//! arithmetic shift) and of its low 32 bits (`_lo`, 0 to 2³²−1), so the sum
//! is `hi × 2³² + lo`, exact whatever the rows hold. Neither half can
//! overflow (that takes two billion rows in one day), so a trigger never
//! fails and never turns a sum into a float; a reader puts the halves
//! together in `i128` and sees for itself whether the money fits in `i64`.
//!
//! On PostgreSQL, inserts and deletes of sales and commissions (the sales
//! writer's multi-row statements) are counted once per statement from its
//! transition table; everything else once per row. Every trigger upserts
//! the store's rows before the affiliates' rows, each in key order, so
//! concurrent writers take the row locks in one order.
//!
//! Replaces the stats indexes of `m20261202_000013` (which every click and
//! sale paid for); its index of unpaid due commissions stays (the Due view).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod backfill;
mod triggers;

pub use backfill::rebuild_stats_rollups;
use triggers::{SOURCES, link_triggers, triggers};

pub struct Migration;

// A module of its own directory: the derive would name it "mod".
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000020_stats_rollups"
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    fn of(backend: DbBackend) -> Db {
        match backend {
            DbBackend::Sqlite => Db::Sqlite,
            _ => Db::Postgres,
        }
    }

    /// `column`'s UTC day as `YYYY-MM-DD` (SQLite keeps RFC 3339 UTC text).
    fn day(self, column: &str) -> String {
        match self {
            Db::Sqlite => format!("substr({column}, 1, 10)"),
            Db::Postgres => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
        }
    }
}

/// Every figure column, in table order: counts, then each money figure's
/// halves.
const COLUMNS: &[&str] = &[
    "visitors",
    "leads",
    "conversions",
    "commission_count",
    "revenue_hi",
    "revenue_lo",
    "commission_pending_hi",
    "commission_pending_lo",
    "commission_due_hi",
    "commission_due_lo",
    "commission_paid_hi",
    "commission_paid_lo",
];

/// A money figure's two columns, for the amount `e` of one row.
fn halves(name: &str, e: &str) -> [(String, String); 2] {
    [
        (format!("{name}_hi"), format!("({e}) >> 32")),
        (format!("{name}_lo"), format!("({e}) & 4294967295")),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Store,
    Affiliate,
}

impl Target {
    fn table(self) -> &'static str {
        match self {
            Target::Store => "stats_store_days",
            Target::Affiliate => "stats_days",
        }
    }

    fn keys(self) -> &'static str {
        match self {
            Target::Store => "store_id, day",
            Target::Affiliate => "store_id, affiliate_id, day",
        }
    }
}

fn tables(db: Db) -> Vec<String> {
    let (uuid, int, day, tail) = match db {
        Db::Sqlite => ("BLOB", "INTEGER", "TEXT", " WITHOUT ROWID"),
        Db::Postgres => ("uuid", "bigint", "varchar(10)", ""),
    };
    let figures: Vec<String> = COLUMNS
        .iter()
        .map(|f| format!("{f} {int} NOT NULL DEFAULT 0"))
        .collect();
    let figures = figures.join(", ");
    let store_fk = "FOREIGN KEY (store_id) REFERENCES stores (id) ON DELETE CASCADE";
    // No other index: every read is a range of a primary key (top
    // affiliates: one range per affiliate).
    vec![
        format!(
            "CREATE TABLE stats_days (store_id {uuid} NOT NULL, affiliate_id {uuid} NOT NULL, day {day} NOT NULL, {figures}, \
             PRIMARY KEY (store_id, affiliate_id, day), {store_fk}){tail}"
        ),
        format!(
            "CREATE TABLE stats_store_days (store_id {uuid} NOT NULL, day {day} NOT NULL, {figures}, \
             PRIMARY KEY (store_id, day), {store_fk}){tail}"
        ),
    ]
}

/// The indexes of `m20261202_000013` only the dashboards read.
const STATS_INDEXES: &[&str] = &[
    "ix_visits_store_day",
    "ix_visits_link_day",
    "ix_referrals_store_lead_day",
    "ix_referrals_affiliate_lead_day",
    "ix_sales_store_day",
    "ix_sales_affiliate_day",
    "ix_commissions_store_day",
    "ix_commissions_affiliate_day",
];

fn all_triggers(db: Db) -> Vec<String> {
    SOURCES
        .iter()
        .flat_map(|s| triggers(db, s))
        .chain(link_triggers(db))
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let kind = Db::of(m.get_database_backend());
        for sql in tables(kind) {
            db.execute_unprepared(&sql).await?;
        }
        rebuild_stats_rollups(db).await?;
        for sql in all_triggers(kind) {
            db.execute_unprepared(&sql).await?;
        }
        for name in STATS_INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let kind = Db::of(m.get_database_backend());
        // The triggers live on the counted tables: dropped by name first.
        for s in SOURCES.iter().map(|s| s.table).chain(["links"]) {
            for op in ["insert", "delete", "update"] {
                let name = format!("stats_{s}_{op}");
                let sql = match kind {
                    Db::Sqlite => format!("DROP TRIGGER IF EXISTS {name}"),
                    Db::Postgres => format!("DROP TRIGGER IF EXISTS {name} ON {s}"),
                };
                db.execute_unprepared(&sql).await?;
            }
            if kind == Db::Postgres {
                for f in ["inserted", "deleted", "updated"] {
                    db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS stats_{s}_{f}()"))
                        .await?;
                }
            }
        }
        db.execute_unprepared("DROP TABLE stats_days").await?;
        db.execute_unprepared("DROP TABLE stats_store_days").await?;
        // The dashboards' indexes as 000013 made them.
        let again: &[&str] = match kind {
            Db::Sqlite => &[
                "CREATE INDEX ix_visits_store_day ON visits (store_id, substr(created_at, 1, 10), created_at)",
                "CREATE INDEX ix_visits_link_day ON visits (link_id, substr(created_at, 1, 10), created_at)",
                "CREATE INDEX ix_referrals_store_lead_day ON referrals (store_id, substr(lead_at, 1, 10), self_referral, affiliate_id, lead_at) WHERE lead_at IS NOT NULL",
                "CREATE INDEX ix_referrals_affiliate_lead_day ON referrals (store_id, affiliate_id, substr(lead_at, 1, 10), self_referral, lead_at) WHERE lead_at IS NOT NULL",
                "CREATE INDEX ix_sales_store_day ON sales (store_id, substr(occurred_at, 1, 10), affiliate_id, amount_minor, tax_minor, occurred_at)",
                "CREATE INDEX ix_sales_affiliate_day ON sales (store_id, affiliate_id, substr(occurred_at, 1, 10), amount_minor, tax_minor, occurred_at)",
                "CREATE INDEX ix_commissions_store_day ON commissions (store_id, substr(created_at, 1, 10), status, amount_minor, affiliate_id, created_at)",
                "CREATE INDEX ix_commissions_affiliate_day ON commissions (store_id, affiliate_id, substr(created_at, 1, 10), status, amount_minor, created_at)",
            ],
            Db::Postgres => &[
                "CREATE INDEX ix_visits_store_day ON visits (store_id, created_at)",
                "CREATE INDEX ix_visits_link_day ON visits (link_id, created_at)",
                "CREATE INDEX ix_referrals_store_lead_day ON referrals (store_id, lead_at) INCLUDE (self_referral, affiliate_id) WHERE lead_at IS NOT NULL",
                "CREATE INDEX ix_referrals_affiliate_lead_day ON referrals (store_id, affiliate_id, lead_at) INCLUDE (self_referral) WHERE lead_at IS NOT NULL",
                "CREATE INDEX ix_sales_store_day ON sales (store_id, occurred_at) INCLUDE (affiliate_id, amount_minor, tax_minor)",
                "CREATE INDEX ix_sales_affiliate_day ON sales (store_id, affiliate_id, occurred_at) INCLUDE (amount_minor, tax_minor)",
                "CREATE INDEX ix_commissions_store_day ON commissions (store_id, created_at) INCLUDE (status, amount_minor, affiliate_id)",
                "CREATE INDEX ix_commissions_affiliate_day ON commissions (store_id, affiliate_id, created_at) INCLUDE (status, amount_minor)",
            ],
        };
        for sql in again {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
