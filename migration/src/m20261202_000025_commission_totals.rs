//! The Commissions page and `GET /api/v1/commissions` at scale (issue 10:
//! 200,000 commissions, each page with its totals < 50 ms).
//!
//! Pages: every page walks an index in id order (keyset, newest first) and
//! tests its filters on the index entries. The store's, a status's and an
//! affiliate's walks carry what the filters test (creation time,
//! affiliate), so a date range or an affiliate search skips rows without
//! reading them; only the page's own rows are read from the table.
//!
//! Totals by status: summing every row of a store is linear (200,000 index
//! entries took ~30 ms of CPU, more than the page may spend), so the count
//! and money of each status per store and UTC day of creation are kept in
//! `commission_status_days`, exact, by triggers on commissions in the same
//! transaction as the change (as `m20261202_000020`'s rollups are). The
//! totals of a store, a status, and whole days of a date range are then a
//! few hundred rows at most; the part days at the ends of a range given as
//! times, and any other filter, are summed from the rows (an affiliate's,
//! or a search's, from the affiliate's walk, which carries status, time
//! and amount). Money is kept as sums of its high and low 32 bits, as in
//! the dashboards' rollups: no trigger can overflow.
//!
//! PostgreSQL: the triggers are the dashboards' commission triggers' kin
//! and fire after them (their names extend theirs, and PostgreSQL fires
//! triggers of one event in name order), so every writer locks a store's
//! day in `stats_store_days` before its row here: one lock order, no
//! deadlock between the two. Inserts and deletes are counted per statement
//! (the sales writer inserts many commissions at once), updates per row.
//!
//! SQLite reads an index alone only when it holds every column a query
//! names, so the carried columns are part of the key; PostgreSQL carries
//! them as `INCLUDE` columns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES_SQLITE: &[&str] = &[
    "CREATE INDEX ix_commissions_store_walk ON commissions (store_id, id, created_at, affiliate_id)",
    "CREATE INDEX ix_commissions_status_walk ON commissions (store_id, status, id, created_at, affiliate_id)",
    "CREATE INDEX ix_commissions_affiliate_walk ON commissions (store_id, affiliate_id, id, status, created_at, amount_minor)",
];

const INDEXES_POSTGRES: &[&str] = &[
    "CREATE INDEX ix_commissions_store_walk ON commissions (store_id, id) INCLUDE (created_at, affiliate_id)",
    "CREATE INDEX ix_commissions_status_walk ON commissions (store_id, status, id) INCLUDE (created_at, affiliate_id)",
    "CREATE INDEX ix_commissions_affiliate_walk ON commissions (store_id, affiliate_id, id) INCLUDE (status, created_at, amount_minor)",
];

/// The walks as `m20261121_000003` and `m20261202_000007` made them.
const INDEXES_BEFORE: &[&str] = &[
    "CREATE INDEX ix_commissions_store_id ON commissions (store_id, id)",
    "CREATE INDEX ix_commissions_store_status ON commissions (store_id, status, id)",
    "CREATE INDEX ix_commissions_store_affiliate ON commissions (store_id, affiliate_id, id)",
];

/// The walks they replace (new names: a connection of the pool that read
/// the schema before the drop must not see the new index as existing).
const REPLACED: &[&str] = &[
    "ix_commissions_store_id",
    "ix_commissions_store_status",
    "ix_commissions_store_affiliate",
];

const WALKS: &[&str] = &[
    "ix_commissions_store_walk",
    "ix_commissions_status_walk",
    "ix_commissions_affiliate_walk",
];

/// Triggers of `commissions` (names: see the note above).
const TRIGGERS: [&str; 3] = [
    "stats_commissions_insert_by_status",
    "stats_commissions_delete_by_status",
    "stats_commissions_update_by_status",
];

const TABLE: &str = "commission_status_days";
const KEYS: &str = "store_id, day, status";
const FIGURES: &str = "n, amount_hi, amount_lo";

fn sqlite(db: DatabaseBackend) -> bool {
    db == DatabaseBackend::Sqlite
}

/// `column`'s UTC day as `YYYY-MM-DD` (SQLite keeps RFC 3339 UTC text).
fn day(db: DatabaseBackend, column: &str) -> String {
    if sqlite(db) {
        format!("substr({column}, 1, 10)")
    } else {
        format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
    }
}

fn table(db: DatabaseBackend) -> String {
    let (uuid, text, int, tail) = if sqlite(db) {
        ("BLOB", "TEXT", "INTEGER", " WITHOUT ROWID")
    } else {
        ("uuid", "varchar(16)", "bigint", "")
    };
    format!(
        "CREATE TABLE {TABLE} (store_id {uuid} NOT NULL, day {text} NOT NULL, status {text} NOT NULL, \
         n {int} NOT NULL DEFAULT 0, amount_hi {int} NOT NULL DEFAULT 0, amount_lo {int} NOT NULL DEFAULT 0, \
         PRIMARY KEY ({KEYS}), FOREIGN KEY (store_id) REFERENCES stores (id) ON DELETE CASCADE){tail}"
    )
}

/// What row `r` adds (or, `neg`, takes off), as a SELECT of keys and figures.
fn part(db: DatabaseBackend, r: &str, from: Option<&str>, neg: bool) -> String {
    let s = if neg { "-" } else { "" };
    let from = from.map(|t| format!(" FROM {t} {r}")).unwrap_or_default();
    format!(
        "SELECT {r}.store_id AS store_id, {} AS day, {r}.status AS status, {s}1 AS n, \
         {s}({r}.amount_minor >> 32) AS amount_hi, {s}({r}.amount_minor & 4294967295) AS amount_lo{from}",
        day(db, &format!("{r}.created_at"))
    )
}

/// Adds `parts` to their rows: grouped and in key order (PostgreSQL's lock
/// order); SQLite takes one row at a time.
fn upsert(db: DatabaseBackend, parts: &[String]) -> String {
    let set = |c: &str| {
        if sqlite(db) {
            format!("{c} = {c} + excluded.{c}")
        } else {
            format!("{c} = {TABLE}.{c} + EXCLUDED.{c}")
        }
    };
    let set = ["n", "amount_hi", "amount_lo"].map(set).join(", ");
    if sqlite(db) {
        parts
            .iter()
            // SQLite needs a WHERE before ON CONFLICT after a SELECT.
            .map(|p| format!("INSERT INTO {TABLE} ({KEYS}, {FIGURES}) {p} WHERE 1 ON CONFLICT ({KEYS}) DO UPDATE SET {set};"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        format!(
            "INSERT INTO {TABLE} ({KEYS}, {FIGURES}) SELECT {KEYS}, SUM(n), SUM(amount_hi), SUM(amount_lo) \
             FROM ({}) d GROUP BY {KEYS} ORDER BY {KEYS} ON CONFLICT ({KEYS}) DO UPDATE SET {set};",
            parts.join(" UNION ALL ")
        )
    }
}

const WATCHED: &str = "store_id, status, amount_minor, created_at";

fn triggers(db: DatabaseBackend) -> Vec<String> {
    let [insert, delete, update] = TRIGGERS;
    let op = if sqlite(db) {
        "IS NOT"
    } else {
        "IS DISTINCT FROM"
    };
    let changed: Vec<String> = WATCHED
        .split(", ")
        .map(|c| format!("OLD.{c} {op} NEW.{c}"))
        .collect();
    let changed = changed.join(" OR ");
    let moved = upsert(
        db,
        &[part(db, "OLD", None, true), part(db, "NEW", None, false)],
    );
    if sqlite(db) {
        return vec![
            format!(
                "CREATE TRIGGER {insert} AFTER INSERT ON commissions BEGIN\n{}\nEND",
                upsert(db, &[part(db, "NEW", None, false)])
            ),
            format!(
                "CREATE TRIGGER {delete} AFTER DELETE ON commissions BEGIN\n{}\nEND",
                upsert(db, &[part(db, "OLD", None, true)])
            ),
            format!(
                "CREATE TRIGGER {update} AFTER UPDATE OF {WATCHED} ON commissions WHEN {changed} BEGIN\n{moved}\nEND"
            ),
        ];
    }
    let function = |name: &str, body: &str| {
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nRETURN NULL;\nEND\n$$"
        )
    };
    vec![
        function(
            insert,
            &upsert(db, &[part(db, "r", Some("new_rows"), false)]),
        ),
        format!(
            "CREATE TRIGGER {insert} AFTER INSERT ON commissions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {insert}()"
        ),
        function(
            delete,
            &upsert(db, &[part(db, "r", Some("old_rows"), true)]),
        ),
        format!(
            "CREATE TRIGGER {delete} AFTER DELETE ON commissions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {delete}()"
        ),
        function(update, &moved),
        format!(
            "CREATE TRIGGER {update} AFTER UPDATE OF {WATCHED} ON commissions FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {update}()"
        ),
    ]
}

fn backfill(db: DatabaseBackend) -> String {
    let d = day(db, "created_at");
    format!(
        "INSERT INTO {TABLE} ({KEYS}, {FIGURES}) SELECT store_id, {d}, status, COUNT(*), \
         SUM(amount_minor >> 32), SUM(amount_minor & 4294967295) FROM commissions GROUP BY store_id, {d}, status"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        for name in REPLACED {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        let indexes = if sqlite(backend) {
            INDEXES_SQLITE
        } else {
            INDEXES_POSTGRES
        };
        let mut statements: Vec<String> = indexes.iter().map(|s| String::from(*s)).collect();
        statements.push(table(backend));
        statements.push(backfill(backend));
        statements.extend(triggers(backend));
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        for name in TRIGGERS {
            if sqlite(backend) {
                db.execute_unprepared(&format!("DROP TRIGGER {name}"))
                    .await?;
            } else {
                db.execute_unprepared(&format!("DROP TRIGGER {name} ON commissions"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION {name}()"))
                    .await?;
            }
        }
        db.execute_unprepared(&format!("DROP TABLE {TABLE}"))
            .await?;
        for name in WALKS {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        for sql in INDEXES_BEFORE {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
