//! Count and amount by status of a filtered set of commissions, exact.
//!
//! A filter of status and dates only (the page's first view, a status tab,
//! a date range) reads the store's days from `commission_status_days`
//! (migration 000025: kept by triggers in the transaction of every change,
//! so it is as exact as the rows) for the whole UTC days inside the range,
//! and sums the rows of the part days at its ends, when the range is given
//! as times. Any other filter (an affiliate, a search, a campaign, a kind,
//! a sale) sums the rows themselves: the affiliate's index carries status,
//! time and amount.
//!
//! Sums are read as text (PostgreSQL's `SUM(bigint)` is `numeric`; SQLite
//! raises "integer overflow" rather than wrap), put together in `i128` and
//! checked into an `i64`: a sum beyond it is reported, never wrapped.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect};

use super::list::{CommissionFilter, Use};
use crate::domain::StoreId;
use crate::domain::states::CommissionStatus;
use crate::entities::commission;
use crate::services::ServiceResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTotal {
    pub status: CommissionStatus,
    pub count: i64,
    /// Σ of the stored amounts (a voided commission counts what it was).
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// In `CommissionStatus::ALL` order, statuses with no commission left out.
    pub by_status: Vec<StatusTotal>,
    /// A status's sum is beyond what an `i64` of minor units holds: it is
    /// left out and this says so, never a wrapped or float number.
    pub too_large: bool,
}

pub(super) const TABLE: &str = "commission_status_days";

/// Count and exact amount per status, as summed so far.
#[derive(Default)]
struct Sums {
    by_status: HashMap<CommissionStatus, (i128, i128)>,
    /// The database refused a sum (SQLite's integer overflow).
    overflow: bool,
}

impl Sums {
    fn add(&mut self, status: CommissionStatus, count: i128, amount: i128) {
        let t = self.by_status.entry(status).or_default();
        t.0 += count;
        t.1 += amount;
    }

    fn into_totals(mut self) -> Totals {
        if self.overflow {
            return Totals {
                by_status: vec![],
                too_large: true,
            };
        }
        let mut too_large = false;
        let by_status = CommissionStatus::ALL
            .iter()
            .filter_map(|&status| {
                let (count, amount) = self.by_status.remove(&status)?;
                if count == 0 {
                    return None;
                }
                match (i64::try_from(count), i64::try_from(amount)) {
                    (Ok(count), Ok(amount_minor)) => Some(StatusTotal {
                        status,
                        count,
                        amount_minor,
                    }),
                    _ => {
                        too_large = true;
                        None
                    }
                }
            })
            .collect();
        Totals {
            by_status,
            too_large,
        }
    }
}

fn whole(text: Option<String>) -> Option<i128> {
    text.as_deref().unwrap_or("0").parse::<i128>().ok()
}

fn overflowed(e: &sea_orm::DbErr) -> bool {
    e.to_string().contains("integer overflow")
}

pub async fn totals(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &CommissionFilter,
) -> ServiceResult<Totals> {
    let mut sums = Sums::default();
    let only_status_and_dates = f.affiliate_id.is_none()
        && f.affiliate_search
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        && f.campaign_id.is_none()
        && f.kind.is_none()
        && f.sale_id.is_none();
    match whole_days(f.from, f.until) {
        Some(days) if only_status_and_dates => {
            from_days(conn, store_id, f.status, days, &mut sums).await?;
            // The part days at the ends, from the rows.
            let head = days.0.map(midnight);
            let tail = days.1.map(midnight);
            if let (Some(from), Some(end)) = (f.from, head)
                && from < end
            {
                let part = CommissionFilter {
                    status: f.status,
                    from: Some(from),
                    until: Some(end),
                    ..Default::default()
                };
                from_rows(conn, store_id, &part, &mut sums).await?;
            }
            if let (Some(start), Some(until)) = (tail, f.until)
                && start < until
            {
                let part = CommissionFilter {
                    status: f.status,
                    from: Some(start),
                    until: Some(until),
                    ..Default::default()
                };
                from_rows(conn, store_id, &part, &mut sums).await?;
            }
        }
        _ => from_rows(conn, store_id, f, &mut sums).await?,
    }
    Ok(sums.into_totals())
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// The whole UTC days of `[from, until)`: the first (none: from the start)
/// and the day after the last (none: to the end). None when no whole day is
/// inside (then the rows are summed).
type Days = (Option<NaiveDate>, Option<NaiveDate>);

fn whole_days(from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Option<Days> {
    let first = from.map(|t| {
        let day = t.date_naive();
        if midnight(day) == t {
            day
        } else {
            day + Duration::days(1)
        }
    });
    let end = until.map(|t| t.date_naive());
    match (first, end) {
        (Some(a), Some(b)) if a >= b => None,
        _ => Some((first, end)),
    }
}

/// Adds the store's whole days of `days` (of `status`, or every one).
async fn from_days(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    status: Option<CommissionStatus>,
    (first, end): Days,
    sums: &mut Sums,
) -> ServiceResult<()> {
    let col = |c: &str| Expr::col(Alias::new(c));
    let mut q = Query::select();
    q.from(Alias::new(TABLE))
        .column(Alias::new("status"))
        .expr_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), Alias::new("n"))
        .expr_as(Expr::cust("CAST(SUM(amount_hi) AS TEXT)"), Alias::new("hi"))
        .expr_as(Expr::cust("CAST(SUM(amount_lo) AS TEXT)"), Alias::new("lo"))
        .and_where(col("store_id").eq(store_id.0))
        .group_by_col(Alias::new("status"));
    if let Some(s) = status {
        q.and_where(col("status").eq(s.as_str()));
    }
    if let Some(first) = first {
        q.and_where(col("day").gte(first.format("%Y-%m-%d").to_string()));
    }
    if let Some(end) = end {
        q.and_where(col("day").lt(end.format("%Y-%m-%d").to_string()));
    }
    let rows = match conn
        .query_all_raw(conn.get_database_backend().build(&q))
        .await
    {
        Ok(rows) => rows,
        Err(e) if overflowed(&e) => {
            sums.overflow = true;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    for r in rows {
        let status: String = r.try_get("", "status")?;
        let Ok(status) = CommissionStatus::parse(&status) else {
            continue;
        };
        let n: i64 = r.try_get("", "n")?;
        match (whole(r.try_get("", "hi")?), whole(r.try_get("", "lo")?)) {
            (Some(hi), Some(lo)) => sums.add(status, i128::from(n), (hi << 32) + lo),
            _ => sums.overflow = true,
        }
    }
    Ok(())
}

/// Adds the filtered set's rows, summed by the database.
async fn from_rows(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &CommissionFilter,
    sums: &mut Sums,
) -> ServiceResult<()> {
    let rows: Result<Vec<(CommissionStatus, i64, Option<String>)>, _> = commission::Entity::find()
        .select_only()
        .column(commission::Column::Status)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS TEXT)"), "total")
        .filter(f.condition(store_id, conn.get_database_backend(), Use::Totals))
        .group_by(commission::Column::Status)
        .into_tuple()
        .all(conn)
        .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) if overflowed(&e) => {
            sums.overflow = true;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    for (status, count, total) in rows {
        match whole(total) {
            Some(amount) => sums.add(status, i128::from(count), amount),
            None => sums.overflow = true,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
    }

    fn day(s: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn whole_days_are_the_days_a_range_holds_from_midnight_to_midnight() {
        assert_eq!(whole_days(None, None), Some((None, None)));
        assert_eq!(
            whole_days(at("2026-03-01T00:00:00Z"), at("2026-03-05T00:00:00Z")),
            Some((day("2026-03-01"), day("2026-03-05")))
        );
        assert_eq!(
            whole_days(at("2026-03-01T00:00:01Z"), at("2026-03-05T23:59:59Z")),
            Some((day("2026-03-02"), day("2026-03-05"))),
            "the part days at both ends are left to the rows"
        );
        assert_eq!(
            whole_days(at("2026-03-01T10:00:00Z"), at("2026-03-02T09:00:00Z")),
            None,
            "no whole day inside"
        );
        assert_eq!(
            whole_days(at("2026-03-01T10:00:00Z"), None),
            Some((day("2026-03-02"), None))
        );
    }
}
