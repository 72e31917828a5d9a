//! Reading the daily rollups (migration `m20261202_000020`): the store's
//! own rows for the store scope (one a day), the affiliate's rows for its
//! scope, each a range of the table's primary key. Days are `YYYY-MM-DD`
//! text, so a period is a text range. Money is stored as the sums of the
//! amounts' high and low 32 bits (so no upsert can overflow) and put
//! together here, in `i128`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::{Day, Earnings, Figures, Scope, overflow};
use crate::domain::period::Period;
use crate::services::ServiceResult;

pub(super) const STORE_DAYS: &str = "stats_store_days";
pub(super) const AFFILIATE_DAYS: &str = "stats_days";

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// The rows of `table` for `store_id` whose day falls in `period`.
fn rows_within(table: &str, store_id: uuid::Uuid, period: &Period) -> SelectStatement {
    Query::select()
        .from(Alias::new(table))
        .and_where(col("store_id").eq(store_id))
        .and_where(col("day").between(period.first().to_string(), period.last().to_string()))
        .to_owned()
}

/// One rollup row; money as its two halves.
#[derive(Debug, FromQueryResult)]
struct DayRow {
    day: String,
    visitors: i64,
    leads: i64,
    conversions: i64,
    revenue_hi: i64,
    revenue_lo: i64,
    commission_pending_hi: i64,
    commission_pending_lo: i64,
    commission_due_hi: i64,
    commission_due_lo: i64,
    commission_paid_hi: i64,
    commission_paid_lo: i64,
}

impl DayRow {
    fn figures(&self) -> ServiceResult<Figures> {
        Ok(Figures {
            visitors: self.visitors,
            leads: self.leads,
            conversions: self.conversions,
            revenue_minor: joined(self.revenue_hi, self.revenue_lo)?,
            commissions: Earnings {
                pending: joined(self.commission_pending_hi, self.commission_pending_lo)?,
                due: joined(self.commission_due_hi, self.commission_due_lo)?,
                paid: joined(self.commission_paid_hi, self.commission_paid_lo)?,
            },
        })
    }
}

/// A money sum from its halves (Σ high 32 bits, Σ low 32 bits); an error
/// when it does not fit in `i64`.
pub(super) fn joined(hi: i64, lo: i64) -> ServiceResult<i64> {
    i64::try_from((i128::from(hi) << 32) + i128::from(lo)).map_err(|_| overflow())
}

/// Every day of `period` with its figures (zeros where nothing happened).
pub(super) async fn series(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Vec<Day>> {
    let mut days: BTreeMap<NaiveDate, Figures> = period
        .days()
        .into_iter()
        .map(|d| (d, Figures::default()))
        .collect();
    let mut q = match scope.affiliate_id {
        None => rows_within(STORE_DAYS, scope.store_id.0, period),
        Some(a) => rows_within(AFFILIATE_DAYS, scope.store_id.0, period)
            .and_where(col("affiliate_id").eq(a.0))
            .to_owned(),
    };
    q.columns(
        [
            "day",
            "visitors",
            "leads",
            "conversions",
            "revenue_hi",
            "revenue_lo",
            "commission_pending_hi",
            "commission_pending_lo",
            "commission_due_hi",
            "commission_due_lo",
            "commission_paid_hi",
            "commission_paid_lo",
        ]
        .map(Alias::new),
    );
    let backend = conn.get_database_backend();
    for row in DayRow::find_by_statement(backend.build(&q))
        .all(conn)
        .await?
    {
        let day = NaiveDate::parse_from_str(&row.day, "%Y-%m-%d").ok();
        if let Some(f) = day.and_then(|d| days.get_mut(&d)) {
            *f = row.figures()?;
        }
    }
    Ok(days
        .into_iter()
        .map(|(day, figures)| Day { day, figures })
        .collect())
}
