//! `commission_status_days` checked against a full count of the
//! commissions (for `tributary check`): every store's count and money by
//! UTC day of creation and status, as the Commissions totals read them.
//! One snapshot, as the dashboards' rollup check reads its own.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, QueryResult, Statement, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::totals::TABLE;
use crate::domain::states::CommissionStatus;
use crate::services::ServiceResult;
use crate::services::stats::{RollupFigure, RollupMismatch};

/// Each status's figure names: its count, its money.
static NAMES: LazyLock<Vec<(CommissionStatus, String, String)>> = LazyLock::new(|| {
    CommissionStatus::ALL
        .iter()
        .map(|s| {
            (
                *s,
                format!("{} count", s.as_str()),
                format!("{} amount", s.as_str()),
            )
        })
        .collect()
});

/// (store, day, status) → (count, money), each as counted or as stored
/// (`Err`: the text found where a whole number should be).
type Figures<T> = BTreeMap<(Uuid, String, String), (T, T)>;

async fn rows(conn: &impl ConnectionTrait, sql: String) -> ServiceResult<Vec<QueryResult>> {
    let backend = conn.get_database_backend();
    Ok(conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await?)
}

fn key(r: &QueryResult) -> ServiceResult<(Uuid, String, String)> {
    Ok((
        r.try_get("", "store_id")?,
        r.try_get("", "day")?,
        r.try_get("", "status")?,
    ))
}

fn number(r: &QueryResult, c: &str) -> ServiceResult<Result<i128, String>> {
    let v: Option<String> = r.try_get("", c)?;
    let v = v.unwrap_or_else(|| "NULL".into());
    Ok(v.parse::<i128>().map_err(|_| v))
}

/// Every store's day whose stored totals differ from the count.
pub async fn status_day_mismatches<C>(db: &C) -> ServiceResult<Vec<RollupMismatch>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let backend = db.get_database_backend();
    // One snapshot: the counts and the figures are read at the same moment.
    let txn = crate::services::stats::begin_snapshot(db).await?;
    let day = match backend {
        DatabaseBackend::Sqlite => "substr(created_at, 1, 10)".to_owned(),
        _ => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')".to_owned(),
    };
    let mut counted: Figures<i128> = BTreeMap::new();
    for r in rows(&txn, format!(
        "SELECT store_id, {day} AS day, status, CAST(COUNT(*) AS TEXT) AS n, \
         CAST(SUM(amount_minor >> 32) AS TEXT) AS hi, CAST(SUM(amount_minor & 4294967295) AS TEXT) AS lo \
         FROM commissions GROUP BY store_id, {day}, status"
    ))
    .await?
    {
        let (n, hi, lo) = (number(&r, "n")?, number(&r, "hi")?, number(&r, "lo")?);
        if let (Ok(n), Ok(hi), Ok(lo)) = (n, hi, lo) {
            counted.insert(key(&r)?, (n, (hi << 32) + lo));
        }
    }
    let mut stored: Figures<Result<i128, String>> = BTreeMap::new();
    for r in rows(
        &txn,
        format!(
            "SELECT store_id, day, status, CAST(n AS TEXT) AS n, CAST(amount_hi AS TEXT) AS hi, \
         CAST(amount_lo AS TEXT) AS lo FROM {TABLE}"
        ),
    )
    .await?
    {
        let money = match (number(&r, "hi")?, number(&r, "lo")?) {
            (Ok(hi), Ok(lo)) => Ok((hi << 32) + lo),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        stored.insert(key(&r)?, (number(&r, "n")?, money));
    }
    let slugs: BTreeMap<Uuid, String> = rows(&txn, "SELECT id, slug FROM stores".into())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "slug")?)))
        .collect::<ServiceResult<_>>()?;
    // Read only: nothing to keep.
    txn.rollback().await?;

    let keys: BTreeSet<&(Uuid, String, String)> = counted.keys().chain(stored.keys()).collect();
    let mut out: BTreeMap<(Uuid, String), RollupMismatch> = BTreeMap::new();
    for k in keys {
        let (store_id, day, status) = k;
        let count = counted.get(k).copied().unwrap_or((0, 0));
        let held = stored.get(k).cloned().unwrap_or((Ok(0), Ok(0)));
        // A status no code knows (a hand edit) is named as stored.
        let names = NAMES.iter().find(|(s, _, _)| s.as_str() == status);
        let (n_name, money_name) = match names {
            Some((_, n, m)) => (n.as_str(), m.as_str()),
            None => ("unknown status count", "unknown status amount"),
        };
        for (figure, count, held) in [(n_name, count.0, held.0), (money_name, count.1, held.1)] {
            if held.as_ref() != Ok(&count) {
                out.entry((*store_id, day.clone()))
                    .or_insert_with(|| RollupMismatch {
                        store_id: *store_id,
                        store_slug: slugs.get(store_id).cloned().unwrap_or_default(),
                        affiliate_id: None,
                        day: day.clone(),
                        figures: vec![],
                    })
                    .figures
                    .push(RollupFigure {
                        figure,
                        rollup: held.map_or_else(|text| text, |v| v.to_string()),
                        count: count.to_string(),
                    });
            }
        }
    }
    Ok(out.into_values().collect())
}
