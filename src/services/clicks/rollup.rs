//! A batch's visitors in the dashboards' daily rollups (migration
//! `m20261202_000020`): counted here, in the batch's own transaction, one
//! upsert per store and day and one per link and day, where a trigger would
//! cost two upserts per click. Triggers keep the rollups for every other
//! change of a visit (and for a link deleted or moved).
//!
//! An affiliate's visits are its links' visits: its row is found through
//! the link as it is now, in the same transaction, so a link deleted while
//! the batch waited counts for no one (as the full count says), and on
//! PostgreSQL the link is held (`FOR KEY SHARE`) until the batch commits,
//! so its deletion waits and then takes these visits off too. The store's
//! rows are written first, then the affiliates', each in key order, before
//! the links' counters: the order every trigger takes these rows in.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use uuid::Uuid;

use super::ClickRecord;

pub(super) const SQLITE_STORE_DAY: &str = "INSERT INTO stats_store_days (store_id, day, visitors) \
     VALUES (?1, ?2, ?3) \
     ON CONFLICT (store_id, day) DO UPDATE SET visitors = visitors + excluded.visitors";
pub(super) const SQLITE_LINK_DAY: &str = "INSERT INTO stats_days (store_id, affiliate_id, day, visitors) \
     SELECT store_id, affiliate_id, ?2, ?3 FROM links WHERE id = ?1 \
     ON CONFLICT (store_id, affiliate_id, day) DO UPDATE SET visitors = visitors + excluded.visitors";

/// Visits per (store, UTC day) and per (link, UTC day), in key order.
pub(super) struct Visitors {
    pub stores: Vec<(Uuid, String, i64)>,
    pub links: Vec<(Uuid, String, i64)>,
}

/// The day as `YYYY-MM-DD`: the first 10 characters of the RFC 3339 text
/// SQLite keeps, the UTC date PostgreSQL's triggers take.
fn day(click: &ClickRecord) -> String {
    click.at.format("%Y-%m-%d").to_string()
}

pub(super) fn visitors(batch: &[ClickRecord]) -> Visitors {
    let mut stores: BTreeMap<(Uuid, String), i64> = BTreeMap::new();
    let mut links: BTreeMap<(Uuid, String), i64> = BTreeMap::new();
    for c in batch {
        *stores.entry((c.store_id.0, day(c))).or_default() += 1;
        *links.entry((c.link_id.0, day(c))).or_default() += 1;
    }
    let flat = |m: BTreeMap<(Uuid, String), i64>| m.into_iter().map(|((id, d), n)| (id, d, n));
    Visitors {
        stores: flat(stores).collect(),
        links: flat(links).collect(),
    }
}

/// Through sea-orm: two statements for the whole batch on PostgreSQL; one
/// per row on SQLite (an in-memory database, tests only).
pub(super) async fn write(conn: &impl ConnectionTrait, batch: &[ClickRecord]) -> Result<(), DbErr> {
    let v = visitors(batch);
    let backend = conn.get_database_backend();
    if backend == DbBackend::Sqlite {
        for (sql, rows) in [(SQLITE_STORE_DAY, &v.stores), (SQLITE_LINK_DAY, &v.links)] {
            for (id, day, n) in rows {
                let values: Vec<Value> = vec![(*id).into(), day.clone().into(), (*n).into()];
                conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await?;
            }
        }
        return Ok(());
    }
    let (stores, store_values) = values_list(&v.stores, "");
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO stats_store_days (store_id, day, visitors) VALUES {stores} \
             ON CONFLICT (store_id, day) DO UPDATE SET visitors = stats_store_days.visitors + EXCLUDED.visitors"
        ),
        store_values,
    ))
    .await?;
    let (links, link_values) = values_list(&v.links, "::uuid");
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO stats_days (store_id, affiliate_id, day, visitors) \
             SELECT store_id, affiliate_id, day, SUM(n) FROM ( \
               SELECT l.store_id, l.affiliate_id, v.day, v.n \
               FROM (VALUES {links}) AS v (link_id, day, n) JOIN links l ON l.id = v.link_id \
               FOR KEY SHARE OF l) x \
             GROUP BY store_id, affiliate_id, day ORDER BY store_id, affiliate_id, day \
             ON CONFLICT (store_id, affiliate_id, day) DO UPDATE SET visitors = stats_days.visitors + EXCLUDED.visitors"
        ),
        link_values,
    ))
    .await?;
    Ok(())
}

/// `($1, $2, $3), ($4, …)` and its values; `cast` types the first column
/// (a VALUES list in a FROM has no column types of its own).
fn values_list(rows: &[(Uuid, String, i64)], cast: &str) -> (String, Vec<Value>) {
    let mut sql = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(rows.len() * 3);
    for (i, (id, day, n)) in rows.iter().enumerate() {
        let k = i * 3;
        sql.push(format!(
            "(${}{cast}, ${}::text, ${}::bigint)",
            k + 1,
            k + 2,
            k + 3
        ));
        values.extend([Value::from(*id), Value::from(day.clone()), Value::from(*n)]);
    }
    (sql.join(", "), values)
}
