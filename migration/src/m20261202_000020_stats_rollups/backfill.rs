//! Filling the rollups from a full count of the rows they count.

use sea_orm_migration::prelude::DbErr;
use sea_orm_migration::sea_orm::ConnectionTrait;

use super::triggers::{SOURCES, live};
use super::{COUNTS, Db, I64_RANGE, MONEY, Target};

/// A money sum of a full count: of the high and low 32 bits apart on SQLite
/// (each fits, where `SUM` of the whole raises "integer overflow"), one
/// `numeric` sum on PostgreSQL. Each `(column, expression)` in `terms` is
/// added (`+`) or taken off (`-`).
fn money_sum(db: Db, name: &str, terms: &[(&str, &str)]) -> (String, Vec<String>) {
    let sum = |f: &dyn Fn(&str) -> String| -> String {
        terms
            .iter()
            .enumerate()
            .map(|(i, (sign, e))| {
                let op = if i == 0 && *sign == "+" { "" } else { sign };
                format!("{op} SUM({})", f(e))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    match db {
        Db::Sqlite => (
            format!(
                "{} AS {name}_hi, {} AS {name}_lo",
                sum(&|e| format!("({e}) >> 32")),
                sum(&|e| format!("({e}) & 4294967295"))
            ),
            vec![format!("{name}_hi"), format!("{name}_lo")],
        ),
        Db::Postgres => (
            format!("{} AS {name}", sum(&|e| e.to_owned())),
            vec![name.to_owned()],
        ),
    }
}

/// A full count of one table for `target`, grouped by the target's keys:
/// the SELECT, and the columns it gives.
fn full_count(db: Db, target: Target, table: &str) -> (String, Vec<String>) {
    let keys = match target {
        Target::Store => "r.store_id",
        Target::Affiliate => "r.store_id, r.affiliate_id",
    };
    let named = |keys: &str| {
        keys.split(", ")
            .map(|k| format!("{k} AS {}", &k[2..]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (from, day, cond, mut figures, cols) = match table {
        "visits" => (
            match target {
                Target::Store => "visits r".to_owned(),
                // An affiliate's visits are its links' visits.
                Target::Affiliate => "visits v JOIN links r ON r.id = v.link_id".to_owned(),
            },
            match target {
                Target::Store => db.day("r.created_at"),
                Target::Affiliate => db.day("v.created_at"),
            },
            "1 = 1".to_owned(),
            vec!["COUNT(*) AS visitors".to_owned()],
            vec!["visitors".to_owned()],
        ),
        "referrals" => (
            "referrals r".to_owned(),
            db.day("r.lead_at"),
            (SOURCES[1].counts)(db, "r"),
            vec!["COUNT(*) AS leads".to_owned()],
            vec!["leads".to_owned()],
        ),
        "sales" => {
            // Σ amount − Σ tax: no row's own subtraction can overflow.
            let (revenue, cols) = money_sum(
                db,
                "revenue_minor",
                &[("+", "r.amount_minor"), ("-", "r.tax_minor")],
            );
            (
                "sales r".to_owned(),
                db.day("r.occurred_at"),
                "r.affiliate_id IS NOT NULL".to_owned(),
                vec!["COUNT(*) AS conversions".to_owned(), revenue],
                [vec!["conversions".to_owned()], cols].concat(),
            )
        }
        "commissions" => {
            let mut figures = vec!["COUNT(*) AS commission_count".to_owned()];
            let mut cols = vec!["commission_count".to_owned()];
            for status in ["pending", "due", "paid"] {
                let (sum, c) = money_sum(
                    db,
                    &format!("commission_{status}_minor"),
                    &[("+", &live("r", status))],
                );
                figures.push(sum);
                cols.extend(c);
            }
            (
                "commissions r".to_owned(),
                db.day("r.created_at"),
                "r.status IN ('pending', 'due', 'paid')".to_owned(),
                figures,
                cols,
            )
        }
        other => unreachable!("no full count of {other}"),
    };
    figures.insert(0, format!("{}, {day} AS day", named(keys)));
    (
        format!(
            "SELECT {} FROM {from} WHERE {cond} GROUP BY {keys}, {day}",
            figures.join(", ")
        ),
        cols,
    )
}

/// The columns a full count carries, in order (money split on SQLite).
fn count_columns(db: Db) -> Vec<String> {
    let mut cols: Vec<String> = COUNTS.iter().map(|c| (*c).to_owned()).collect();
    for m in MONEY {
        match db {
            Db::Sqlite => {
                cols.push(format!("{m}_hi"));
                cols.push(format!("{m}_lo"));
            }
            Db::Postgres => cols.push((*m).to_owned()),
        }
    }
    cols
}

/// Fills `target` from a full count of every source.
fn backfill(db: Db, target: Target) -> String {
    let keys = target.keys();
    let cols = count_columns(db);
    let parts: Vec<String> = ["visits", "referrals", "sales", "commissions"]
        .iter()
        .map(|t| {
            let (q, given) = full_count(db, target, t);
            // Each part gives its own figures; the others are 0.
            let names: Vec<String> = cols
                .iter()
                .map(|c| {
                    if given.contains(c) {
                        c.clone()
                    } else {
                        format!("0 AS {c}")
                    }
                })
                .collect();
            format!("SELECT {keys}, {} FROM ({q}) p", names.join(", "))
        })
        .collect();
    let totals: Vec<String> = COUNTS
        .iter()
        .map(|c| format!("SUM({c})"))
        .chain(MONEY.iter().map(|m| match db {
            // Σhi·2³² + Σlo; an overflow of that turns into a float, which
            // is no integer: NULL.
            Db::Sqlite => {
                let v = format!("SUM({m}_hi) * 4294967296 + SUM({m}_lo)");
                format!("CASE WHEN typeof({v}) = 'integer' THEN {v} END")
            }
            Db::Postgres => format!("CASE WHEN SUM({m}) {I64_RANGE} THEN SUM({m}) END"),
        }))
        .collect();
    let all: Vec<&str> = COUNTS.iter().chain(MONEY.iter()).copied().collect();
    format!(
        "INSERT INTO {} ({keys}, {}) SELECT {keys}, {} FROM ({}) u GROUP BY {keys}",
        target.table(),
        all.join(", "),
        totals.join(", "),
        parts.join(" UNION ALL ")
    )
}

/// Empties both rollup tables and fills them again from a full count of the
/// rows they count: the migration's backfill, and a repair (tests use it).
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
