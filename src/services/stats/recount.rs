//! The rollups checked against a full count: every row of visits,
//! referrals, sales and commissions grouped by store, affiliate and UTC day
//! by the dashboards' definitions (the queries the dashboards ran before
//! the rollups existed), compared with every row of `stats_days` and
//! `stats_store_days`. `tributary check` reports each day that differs.
//!
//! Read in one snapshot (a read-only REPEATABLE READ transaction on
//! PostgreSQL; one read transaction on SQLite), so writes committed while it
//! reads never look like a difference. Money is summed as its high and low
//! 32 bits (each sum fits in `i64`) and put together in `i128`, so a count
//! beyond `i64` is reported, never an overflow that stops the check.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseBackend, IsolationLevel, QueryResult, Statement,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::domain::states::CommissionStatus;
use crate::services::ServiceResult;

/// The figures compared, in order: counts, then money (each money figure is
/// stored as its `_hi` and `_lo` halves). The money columns are named after
/// the commission status they sum (`commission_due`, …), so the names come
/// from the status itself.
static FIGURES: LazyLock<[String; 8]> = LazyLock::new(|| {
    let money = |s: CommissionStatus| format!("commission_{}", s.as_str());
    [
        "visitors".into(),
        "leads".into(),
        "conversions".into(),
        "commission_count".into(),
        "revenue".into(),
        money(CommissionStatus::Pending),
        money(CommissionStatus::Due),
        money(CommissionStatus::Paid),
    ]
});

/// One figure of a day that differs: as the rollup holds it, as counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupFigure {
    pub figure: &'static str,
    /// The stored value (money: its halves put together).
    pub rollup: String,
    pub count: String,
}

/// A day of a store (or of one of its affiliates) whose rollup differs
/// from the full count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupMismatch {
    pub store_id: Uuid,
    pub store_slug: String,
    /// None: the store's own row (`stats_store_days`).
    pub affiliate_id: Option<Uuid>,
    pub day: String,
    pub figures: Vec<RollupFigure>,
}

/// (store, affiliate or None for the store's row, day).
type Key = (Uuid, Option<Uuid>, String);

/// Counts, then money (exact, any size).
type Tally = [i128; 8];

/// A rollup row's figures as stored (`Err`: the text found, not a whole number).
type Stored = [Result<i128, String>; 8];

fn day_of(backend: DatabaseBackend, column: &str) -> String {
    match backend {
        DatabaseBackend::Sqlite => format!("substr({column}, 1, 10)"),
        _ => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
    }
}

/// `SUM` of the high and of the low 32 bits of `e`, as `{name}_hi`, `{name}_lo`.
fn halves(e: &str, name: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(({e}) >> 32), 0) AS BIGINT) AS {name}_hi, \
         CAST(COALESCE(SUM(({e}) & 4294967295), 0) AS BIGINT) AS {name}_lo"
    )
}

fn whole(row: &QueryResult, name: &str) -> ServiceResult<i128> {
    let hi: i64 = row.try_get("", &format!("{name}_hi"))?;
    let lo: i64 = row.try_get("", &format!("{name}_lo"))?;
    Ok((i128::from(hi) << 32) + i128::from(lo))
}

async fn rows(conn: &impl ConnectionTrait, sql: String) -> ServiceResult<Vec<QueryResult>> {
    let backend = conn.get_database_backend();
    Ok(conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await?)
}

/// Adds `figures` (by index) to the affiliate's day and the store's day.
fn add(
    counted: &mut HashMap<Key, Tally>,
    store: Uuid,
    aff: Option<Uuid>,
    day: &str,
    figures: &[(usize, i128)],
) {
    let rows = if aff.is_some() {
        vec![aff, None]
    } else {
        vec![None]
    };
    for key in rows {
        let t = counted
            .entry((store, key, day.to_owned()))
            .or_insert([0; 8]);
        for &(i, v) in figures {
            t[i] += v;
        }
    }
}

/// Every figure of every day, counted from the rows themselves.
async fn full_count(conn: &impl ConnectionTrait) -> ServiceResult<HashMap<Key, Tally>> {
    let b = conn.get_database_backend();
    let mut counted: HashMap<Key, Tally> = HashMap::new();
    // Visits count for the store that recorded them, and for the affiliate
    // whose link it is (none when the link is gone).
    let day = day_of(b, "v.created_at");
    for r in rows(conn, format!(
        "SELECT v.store_id AS store_id, l.store_id AS link_store_id, l.affiliate_id AS affiliate_id, \
         {day} AS day, CAST(COUNT(*) AS BIGINT) AS n FROM visits v LEFT JOIN links l ON l.id = v.link_id \
         GROUP BY v.store_id, l.store_id, l.affiliate_id, {day}"
    ))
    .await?
    {
        let (store, day): (Uuid, String) = (r.try_get("", "store_id")?, r.try_get("", "day")?);
        let n = i128::from(r.try_get::<i64>("", "n")?);
        add(&mut counted, store, None, &day, &[(0, n)]);
        let link_store: Option<Uuid> = r.try_get("", "link_store_id")?;
        let aff: Option<Uuid> = r.try_get("", "affiliate_id")?;
        if let (Some(s), Some(a)) = (link_store, aff) {
            let t = counted.entry((s, Some(a), day)).or_insert([0; 8]);
            t[0] += n;
        }
    }
    let not_self = match b {
        DatabaseBackend::Sqlite => "self_referral = 0",
        _ => "NOT self_referral",
    };
    let day = day_of(b, "lead_at");
    for r in rows(conn, format!(
        "SELECT store_id, affiliate_id, {day} AS day, CAST(COUNT(*) AS BIGINT) AS n FROM referrals \
         WHERE lead_at IS NOT NULL AND {not_self} GROUP BY store_id, affiliate_id, {day}"
    ))
    .await?
    {
        let n = i128::from(r.try_get::<i64>("", "n")?);
        let (s, a, d): (Uuid, Uuid, String) =
            (r.try_get("", "store_id")?, r.try_get("", "affiliate_id")?, r.try_get("", "day")?);
        add(&mut counted, s, Some(a), &d, &[(1, n)]);
    }
    let day = day_of(b, "occurred_at");
    for r in rows(conn, format!(
        "SELECT store_id, affiliate_id, {day} AS day, CAST(COUNT(*) AS BIGINT) AS n, {}, {} FROM sales \
         WHERE affiliate_id IS NOT NULL GROUP BY store_id, affiliate_id, {day}",
        halves("amount_minor", "amount"),
        halves("tax_minor", "tax")
    ))
    .await?
    {
        let n = i128::from(r.try_get::<i64>("", "n")?);
        let revenue = whole(&r, "amount")? - whole(&r, "tax")?;
        let (s, a, d): (Uuid, Uuid, String) =
            (r.try_get("", "store_id")?, r.try_get("", "affiliate_id")?, r.try_get("", "day")?);
        add(&mut counted, s, Some(a), &d, &[(2, n), (4, revenue)]);
    }
    let day = day_of(b, "created_at");
    let live = [
        CommissionStatus::Pending,
        CommissionStatus::Due,
        CommissionStatus::Paid,
    ];
    let listed: Vec<String> = live.iter().map(|s| format!("'{}'", s.as_str())).collect();
    for r in rows(conn, format!(
        "SELECT store_id, affiliate_id, {day} AS day, status, CAST(COUNT(*) AS BIGINT) AS n, {} FROM commissions \
         WHERE status IN ({}) GROUP BY store_id, affiliate_id, {day}, status",
        halves("amount_minor", "amount"),
        listed.join(", ")
    ))
    .await?
    {
        let n = i128::from(r.try_get::<i64>("", "n")?);
        let status: String = r.try_get("", "status")?;
        let Some(i) = live.iter().position(|s| s.as_str() == status) else {
            continue;
        };
        let (s, a, d): (Uuid, Uuid, String) =
            (r.try_get("", "store_id")?, r.try_get("", "affiliate_id")?, r.try_get("", "day")?);
        add(&mut counted, s, Some(a), &d, &[(3, n), (5 + i, whole(&r, "amount")?)]);
    }
    Ok(counted)
}

/// Every rollup row, each figure as stored: a whole number, or the text
/// found where there is none (a float or NULL written by hand), never a
/// failed read.
async fn stored(conn: &impl ConnectionTrait) -> ServiceResult<HashMap<Key, Stored>> {
    let columns: Vec<String> = FIGURES
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            if i < 4 {
                vec![f.clone()]
            } else {
                vec![format!("{f}_hi"), format!("{f}_lo")]
            }
        })
        .collect();
    let select: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
        .collect();
    let select = select.join(", ");
    let none = match conn.get_database_backend() {
        DatabaseBackend::Sqlite => "NULL AS affiliate_id",
        _ => "CAST(NULL AS uuid) AS affiliate_id",
    };
    let mut out = HashMap::new();
    for (table, aff) in [("stats_days", "affiliate_id"), ("stats_store_days", none)] {
        for r in rows(
            conn,
            format!("SELECT store_id, {aff}, day, {select} FROM {table}"),
        )
        .await?
        {
            let key: Key = (
                r.try_get("", "store_id")?,
                r.try_get("", "affiliate_id")?,
                r.try_get("", "day")?,
            );
            let text = |c: &str| -> ServiceResult<Result<i128, String>> {
                let v: Option<String> = r.try_get("", c)?;
                let v = v.unwrap_or_else(|| "NULL".into());
                Ok(v.parse::<i64>().map(i128::from).map_err(|_| v))
            };
            let mut values: Stored = std::array::from_fn(|_| Ok(0));
            for (i, f) in FIGURES.iter().enumerate() {
                values[i] = if i < 4 {
                    text(f)?
                } else {
                    match (text(&format!("{f}_hi"))?, text(&format!("{f}_lo"))?) {
                        (Ok(hi), Ok(lo)) => Ok((hi << 32) + lo),
                        (Err(e), _) | (_, Err(e)) => Err(e),
                    }
                };
            }
            out.insert(key, values);
        }
    }
    Ok(out)
}

/// Every day whose rollup differs from the full count, by store, affiliate
/// (the store's own row first) and day.
pub async fn rollup_mismatches<C>(db: &C) -> ServiceResult<Vec<RollupMismatch>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = begin_snapshot(db).await?;
    let counted = full_count(&txn).await?;
    let stored = stored(&txn).await?;
    let slugs: HashMap<Uuid, String> = rows(&txn, "SELECT id, slug FROM stores".into())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "slug")?)))
        .collect::<ServiceResult<_>>()?;
    // Read only: nothing to keep.
    txn.rollback().await?;

    let mut keys: Vec<&Key> = counted.keys().chain(stored.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = BTreeMap::new();
    for key in keys {
        let count = counted.get(key).copied().unwrap_or([0; 8]);
        let held = stored
            .get(key)
            .cloned()
            .unwrap_or_else(|| std::array::from_fn(|_| Ok(0)));
        let figures: Vec<RollupFigure> = FIGURES
            .iter()
            .zip(count.iter().zip(held))
            .filter(|(_, (count, held))| held.as_ref() != Ok(*count))
            .map(|(figure, (count, held))| RollupFigure {
                figure: figure.as_str(),
                rollup: held.map_or_else(|text| text, |v| v.to_string()),
                count: count.to_string(),
            })
            .collect();
        if !figures.is_empty() {
            let (store_id, affiliate_id, day) = key.clone();
            out.insert(
                key.clone(),
                RollupMismatch {
                    store_id,
                    store_slug: slugs.get(&store_id).cloned().unwrap_or_default(),
                    affiliate_id,
                    day,
                    figures,
                },
            );
        }
    }
    Ok(out.into_values().collect())
}

/// A read-only transaction that sees one moment of the database
/// (repeatable read on PostgreSQL; SQLite's reads in one transaction do).
pub(crate) async fn begin_snapshot<C: TransactionTrait>(
    db: &C,
) -> Result<C::Transaction, sea_orm::DbErr>
where
    C: ConnectionTrait,
{
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => db.begin().await,
        _ => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
    }
}
