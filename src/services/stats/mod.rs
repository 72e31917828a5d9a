//! The dashboards' statistics, for a whole store or one of its affiliates,
//! over a [`Period`] of whole UTC days. The store dashboard and the
//! affiliate portal call the same functions with a different [`Scope`];
//! every query is filtered by the store, and by the affiliate in the
//! affiliate scope. Definitions (what is counted, on which date) are in
//! `docs/stats.md`; in short:
//!
//! - visitors: visits (clicks and script visits) recorded that day;
//! - leads: referrals that signed up that day (`lead_at`), self-referrals
//!   left out;
//! - conversions: sales attributed to an affiliate that occurred that day —
//!   each sale counts, not each distinct customer;
//! - revenue: those sales' amounts net of tax (what commissions are
//!   computed on), before refunds;
//! - commissions: commissions created that day, summed by their current
//!   status (pending, due, paid); voided and refunded ones count 0, a
//!   partial refund counts what is left, and clawbacks (negative) count on
//!   the day they were created, so the sum is net of clawbacks.
//!
//! The figures are read from daily rollups (migration `m20261202_000020`:
//! per store, affiliate and UTC day, and per store and day), kept exact by
//! triggers and the click writers in the same transactions as the rows they
//! count; `recount` compares them with a full count (`tributary check`).
//! Sums are SQL sums of `BIGINT` minor units cast to `BIGINT` (an overflow is
//! a database error, never a wrap), added up in Rust with checked arithmetic.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use super::{ServiceError, ServiceResult};
use crate::domain::period::Period;
use crate::domain::stats::{Change, conversion_rate};
use crate::domain::{AffiliateId, StoreId};

mod affiliate;
mod queries;
mod queue;
mod recount;
mod top;

pub use affiliate::{AffiliateMoney, NextPayout, affiliate_money};
pub use queue::{StoreQueue, store_queue};
pub(crate) use recount::begin_snapshot;
pub use recount::{RollupFigure, RollupMismatch, rollup_mismatches};
pub use top::{TopAffiliate, TopBy, top_affiliates};

/// Whose figures: a store's, or one affiliate's within its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub store_id: StoreId,
    pub affiliate_id: Option<AffiliateId>,
}

impl Scope {
    pub fn store(store_id: StoreId) -> Self {
        Scope {
            store_id,
            affiliate_id: None,
        }
    }

    pub fn affiliate(store_id: StoreId, affiliate_id: AffiliateId) -> Self {
        Scope {
            store_id,
            affiliate_id: Some(affiliate_id),
        }
    }
}

/// Commission money by current status, minor units (net of clawbacks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Earnings {
    pub pending: i64,
    pub due: i64,
    pub paid: i64,
}

impl Earnings {
    /// pending + due + paid.
    pub fn total(&self) -> Option<i64> {
        self.pending
            .checked_add(self.due)
            .and_then(|v| v.checked_add(self.paid))
    }

    fn checked_add(self, o: Earnings) -> Option<Earnings> {
        Some(Earnings {
            pending: self.pending.checked_add(o.pending)?,
            due: self.due.checked_add(o.due)?,
            paid: self.paid.checked_add(o.paid)?,
        })
    }
}

/// The figures of one day, or of a whole period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
    /// Σ (amount − tax) of the conversions, minor units.
    pub revenue_minor: i64,
    pub commissions: Earnings,
}

impl Figures {
    /// Conversions per visitor in percent, 2 decimals, 0 without visitors.
    pub fn conversion_rate(&self) -> Decimal {
        conversion_rate(self.conversions, self.visitors)
    }

    /// Σ of the commissions of every live status.
    pub fn commission_minor(&self) -> i64 {
        // Each part fits; their sum was checked when the totals were made.
        self.commissions.total().unwrap_or(i64::MAX)
    }

    fn checked_add(self, o: &Figures) -> Option<Figures> {
        Some(Figures {
            visitors: self.visitors.checked_add(o.visitors)?,
            leads: self.leads.checked_add(o.leads)?,
            conversions: self.conversions.checked_add(o.conversions)?,
            revenue_minor: self.revenue_minor.checked_add(o.revenue_minor)?,
            commissions: self.commissions.checked_add(o.commissions)?,
        })
    }
}

/// One day of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub figures: Figures,
}

/// How each headline figure moved against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub visitors: Change,
    pub leads: Change,
    pub conversions: Change,
    pub revenue: Change,
    pub commissions: Change,
}

/// A period's figures: totals, the previous period's, and one entry per day
/// of the period (every day, zeros included, oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub period: Period,
    pub totals: Figures,
    pub previous: Figures,
    pub series: Vec<Day>,
}

impl Summary {
    pub fn changes(&self) -> Changes {
        let (t, p) = (&self.totals, &self.previous);
        Changes {
            visitors: Change::between(t.visitors, p.visitors),
            leads: Change::between(t.leads, p.leads),
            conversions: Change::between(t.conversions, p.conversions),
            revenue: Change::between(t.revenue_minor, p.revenue_minor),
            commissions: Change::between(t.commission_minor(), p.commission_minor()),
        }
    }
}

fn overflow() -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("a dashboard sum does not fit in 64 bits"))
}

fn total_of(series: &[Day]) -> ServiceResult<Figures> {
    let total = series
        .iter()
        .try_fold(Figures::default(), |acc, d| acc.checked_add(&d.figures))
        .ok_or_else(overflow)?;
    total.commissions.total().ok_or_else(overflow)?;
    Ok(total)
}

/// The figures of `scope` over `period`, its previous period of equal
/// length, and the per-day series.
pub async fn summary(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Summary> {
    let series = queries::series(conn, scope, period).await?;
    let previous = queries::series(conn, scope, &period.previous()).await?;
    Ok(Summary {
        period: *period,
        totals: total_of(&series)?,
        previous: total_of(&previous)?,
        series,
    })
}
