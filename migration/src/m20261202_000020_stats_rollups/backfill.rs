//! Filling the rollups from the rows they count: what each row adds (the
//! triggers' own expressions), summed per store, affiliate and day.

use sea_orm_migration::prelude::DbErr;
use sea_orm_migration::sea_orm::ConnectionTrait;

use super::triggers::{SOURCES, Source};
use super::{COLUMNS, Db, Target};

/// One table's rows summed for `target`, as a SELECT of the target's keys
/// and every column (0 for those the table does not move).
fn grouped(db: Db, s: &Source, target: Target) -> String {
    let day = db.day(&format!("r.{}", s.day));
    let cond = (s.counts)(db, "r");
    let table = s.table;
    let (keys, from) = match (target, s.via_link) {
        (Target::Store, _) => ("r.store_id", format!("{table} r")),
        (Target::Affiliate, false) => ("r.store_id, r.affiliate_id", format!("{table} r")),
        // A visit counts for its link's affiliate.
        (Target::Affiliate, true) => (
            "l.store_id, l.affiliate_id",
            format!("{table} r JOIN links l ON l.id = r.link_id"),
        ),
    };
    let moved = (s.figures)("r");
    let sums: Vec<String> = COLUMNS
        .iter()
        .map(|c| match moved.iter().find(|(m, _)| m == c) {
            Some((_, e)) => format!("SUM({e}) AS {c}"),
            None => format!("0 AS {c}"),
        })
        .collect();
    let named: Vec<String> = keys
        .split(", ")
        .map(|k| format!("{k} AS {}", &k[2..]))
        .collect();
    format!(
        "SELECT {}, {day} AS day, {} FROM {from} WHERE {cond} GROUP BY {keys}, {day}",
        named.join(", "),
        sums.join(", ")
    )
}

/// Fills `target` from every counted table.
fn backfill(db: Db, target: Target) -> String {
    let keys = target.keys();
    let parts: Vec<String> = SOURCES.iter().map(|s| grouped(db, s, target)).collect();
    let totals: Vec<String> = COLUMNS.iter().map(|c| format!("SUM({c})")).collect();
    format!(
        "INSERT INTO {} ({keys}, {}) SELECT {keys}, {} FROM ({}) u GROUP BY {keys}",
        target.table(),
        COLUMNS.join(", "),
        totals.join(", "),
        parts.join(" UNION ALL ")
    )
}

/// Empties both rollup tables and fills them again from the rows they
/// count: the migration's backfill, and a repair (tests use it).
pub async fn rebuild_stats_rollups(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let kind = Db::of(db.get_database_backend());
    db.execute_unprepared("DELETE FROM stats_days").await?;
    db.execute_unprepared("DELETE FROM stats_store_days")
        .await?;
    db.execute_unprepared(&backfill(kind, Target::Affiliate))
        .await?;
    db.execute_unprepared(&backfill(kind, Target::Store))
        .await?;
    Ok(())
}
