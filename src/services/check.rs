//! `tributary check`: the money invariants of DESIGN §3, verified against a
//! live database, and the figures kept beside the rows (the dashboards'
//! rollups, the Commissions totals by status and day) against a full count.
//! Cheap enough to run from cron; the tests run it after every money
//! scenario.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement,
    TransactionTrait,
};
use uuid::Uuid;

use super::ServiceResult;
use super::stats::{self, RollupMismatch};
use crate::domain::payout::PayoutStatus;
use crate::domain::states::{CommissionKind, CommissionStatus, LedgerKind};
use crate::entities::{affiliate, commission, ledger_entry, payout, payout_item};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Invariant 1: the cached balance differs from the sum of the ledger.
    BalanceMismatch {
        affiliate_id: Uuid,
        cached: i64,
        ledger: i64,
    },
    /// Invariant 1, and the balance or its ledger's sum is not a whole
    /// number inside `i64` (an overflow an older version let through, or a
    /// hand edit): both as stored, so the report never fails on them.
    BalanceOutOfRange {
        affiliate_id: Uuid,
        cached: String,
        ledger: String,
    },
    /// Invariant 2: a payout's amount differs from the sum of the
    /// commissions it settles.
    PayoutSumMismatch {
        payout_id: Uuid,
        amount: i64,
        commissions: i64,
    },
    /// Invariant 3: a commission held by more than one non-voided payout,
    /// or pointing at a payout that does not hold it.
    CommissionInManyPayouts {
        commission_id: Uuid,
        payouts: Vec<Uuid>,
    },
    /// Invariant 5: a voided payout without the matching `payout_void`
    /// entry (its money was not given back, or given back twice).
    VoidNotRestored {
        payout_id: Uuid,
        amount: i64,
        restored: i64,
    },
    /// Invariant 4: one sale credited twice to one affiliate (a commission
    /// split by a recorded payout counts once).
    DuplicateCommission {
        sale_id: Uuid,
        affiliate_id: Uuid,
        count: i64,
    },
    /// The dashboards' daily rollups differ from a full count of the rows
    /// they count, on this day of this store (or of one of its affiliates).
    Rollup(RollupMismatch),
    /// The Commissions totals' count and money by status of this day of
    /// this store (`commission_status_days`) differ from a full count.
    StatusTotals(RollupMismatch),
}

/// What a kept figure says against its full count, for the report.
fn differences(m: &RollupMismatch) -> String {
    m.figures
        .iter()
        .map(|f| format!("{} {} but counted {}", f.figure, f.rollup, f.count))
        .collect::<Vec<_>>()
        .join(", ")
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::BalanceMismatch {
                affiliate_id,
                cached,
                ledger,
            } => {
                write!(
                    f,
                    "affiliate {affiliate_id}: cached balance {cached} but the ledger sums to {ledger} (minor units)"
                )
            }
            Violation::BalanceOutOfRange {
                affiliate_id,
                cached,
                ledger,
            } => {
                write!(
                    f,
                    "affiliate {affiliate_id}: balance out of range: cached {cached}, the ledger sums to {ledger} (minor units; a balance must be a whole number within ±9223372036854775807)"
                )
            }
            Violation::PayoutSumMismatch {
                payout_id,
                amount,
                commissions,
            } => write!(
                f,
                "payout {payout_id}: amount {amount} but its commissions sum to {commissions} (minor units)"
            ),
            Violation::CommissionInManyPayouts {
                commission_id,
                payouts,
            } => {
                let ids: Vec<String> = payouts.iter().map(|p| p.to_string()).collect();
                write!(
                    f,
                    "commission {commission_id}: held by non-voided payouts {}",
                    ids.join(", ")
                )
            }
            Violation::VoidNotRestored {
                payout_id,
                amount,
                restored,
            } => write!(
                f,
                "voided payout {payout_id} of {amount}: the ledger gave back {restored} (minor units)"
            ),
            Violation::DuplicateCommission {
                sale_id,
                affiliate_id,
                count,
            } => {
                write!(
                    f,
                    "sale {sale_id}: {count} commissions for affiliate {affiliate_id}"
                )
            }
            Violation::Rollup(m) => {
                let whose = match m.affiliate_id {
                    Some(a) => format!("affiliate {a}"),
                    None => "the store's total".to_owned(),
                };
                write!(
                    f,
                    "store {} ({}), {whose}, day {}: the dashboards' rollup says {}",
                    m.store_slug,
                    m.store_id,
                    m.day,
                    differences(m)
                )
            }
            Violation::StatusTotals(m) => {
                write!(
                    f,
                    "store {} ({}), day {}: the commission totals by status say {}",
                    m.store_slug,
                    m.store_id,
                    m.day,
                    differences(m)
                )
            }
        }
    }
}

pub async fn run<C: ConnectionTrait + TransactionTrait>(conn: &C) -> ServiceResult<Vec<Violation>> {
    let mut violations = Vec::new();
    balances(conn, &mut violations).await?;
    duplicates(conn, &mut violations).await?;
    payouts(conn, &mut violations).await?;
    let rollups = stats::rollup_mismatches(conn).await?;
    violations.extend(rollups.into_iter().map(Violation::Rollup));
    let totals = super::commissions::status_day_mismatches(conn).await?;
    violations.extend(totals.into_iter().map(Violation::StatusTotals));
    Ok(violations)
}

/// Invariant 4: live sale commissions per sale and affiliate, each family
/// counted once. A part split off by a recorded payout (`split_of`) belongs
/// to its family only when the family's first commission is a first part of
/// the same sale and affiliate; any other `split_of` counts as a commission
/// of its own, so a stray pointer cannot hide a real duplicate. A commission
/// voided when staff moved the sale away earns nothing: moving it back
/// gives the affiliate one live commission again.
async fn duplicates(
    conn: &impl ConnectionTrait,
    violations: &mut Vec<Violation>,
) -> ServiceResult<()> {
    let sale = CommissionKind::Sale.as_str();
    let voided = CommissionStatus::Voided.as_str();
    let family = "COUNT(DISTINCT COALESCE(f.id, c.id))";
    let sql = format!(
        "SELECT c.sale_id AS sale_id, c.affiliate_id AS affiliate_id, CAST({family} AS BIGINT) AS n \
         FROM commissions c LEFT JOIN commissions f ON f.id = c.split_of AND f.split_of IS NULL \
         AND f.sale_id = c.sale_id AND f.affiliate_id = c.affiliate_id AND f.kind = '{sale}' \
         WHERE c.kind = '{sale}' AND c.sale_id IS NOT NULL AND c.status <> '{voided}' \
         GROUP BY c.sale_id, c.affiliate_id HAVING {family} > 1"
    );
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    for row in rows {
        violations.push(Violation::DuplicateCommission {
            sale_id: row.try_get("", "sale_id")?,
            affiliate_id: row.try_get("", "affiliate_id")?,
            count: row.try_get("", "n")?,
        });
    }
    Ok(())
}

/// Invariant 1. The balances are read as text and the ledger summed in two
/// 32-bit halves (each half's sum fits `i64` for billions of entries; the
/// whole is put together in `i128`), so an out-of-range balance or sum is a
/// reported violation, never an "integer overflow" that stops the check.
async fn balances(
    conn: &impl ConnectionTrait,
    violations: &mut Vec<Violation>,
) -> ServiceResult<()> {
    let sums: HashMap<Uuid, i128> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::AffiliateId)
        .column_as(
            Expr::cust("CAST(SUM(amount_minor >> 32) AS BIGINT)"),
            "high",
        )
        .column_as(
            Expr::cust("CAST(SUM(amount_minor & 4294967295) AS BIGINT)"),
            "low",
        )
        .group_by(ledger_entry::Column::AffiliateId)
        .into_tuple::<(Uuid, i64, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, high, low)| (id, (i128::from(high) << 32) + i128::from(low)))
        .collect();
    let balances: Vec<(Uuid, String)> = affiliate::Entity::find()
        .select_only()
        .column(affiliate::Column::Id)
        .column_as(Expr::cust("CAST(balance_minor AS TEXT)"), "cached")
        .into_tuple()
        .all(conn)
        .await?;
    for (affiliate_id, stored) in balances {
        let ledger = sums.get(&affiliate_id).copied().unwrap_or(0);
        match (stored.parse::<i64>(), i64::try_from(ledger)) {
            (Ok(cached), Ok(ledger)) if cached == ledger => {}
            (Ok(cached), Ok(ledger)) => violations.push(Violation::BalanceMismatch {
                affiliate_id,
                cached,
                ledger,
            }),
            _ => violations.push(Violation::BalanceOutOfRange {
                affiliate_id,
                cached: stored,
                ledger: ledger.to_string(),
            }),
        }
    }
    Ok(())
}

/// Invariants 2, 3 and 5, over every payout.
async fn payouts(
    conn: &impl ConnectionTrait,
    violations: &mut Vec<Violation>,
) -> ServiceResult<()> {
    let all: Vec<(Uuid, i64, PayoutStatus)> = payout::Entity::find()
        .select_only()
        .column(payout::Column::Id)
        .column(payout::Column::AmountMinor)
        .column(payout::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    // Invariant 2: for a live payout, the commissions that point at it;
    // for a voided one, what its items recorded at settlement.
    let live: HashMap<Uuid, i64> = commission::Entity::find()
        .select_only()
        .column(commission::Column::PayoutId)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .filter(commission::Column::PayoutId.is_not_null())
        .group_by(commission::Column::PayoutId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let recorded: HashMap<Uuid, i64> = payout_item::Entity::find()
        .select_only()
        .column(payout_item::Column::PayoutId)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .group_by(payout_item::Column::PayoutId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let restored: HashMap<Uuid, i64> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::PayoutId)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .filter(ledger_entry::Column::Kind.eq(LedgerKind::PayoutVoid))
        .filter(ledger_entry::Column::PayoutId.is_not_null())
        .group_by(ledger_entry::Column::PayoutId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut status_of = HashMap::new();
    for (payout_id, amount, status) in all {
        status_of.insert(payout_id, status);
        let commissions = if status.holds_commissions() {
            live.get(&payout_id).copied().unwrap_or(0)
        } else {
            recorded.get(&payout_id).copied().unwrap_or(0)
        };
        if commissions != amount {
            violations.push(Violation::PayoutSumMismatch {
                payout_id,
                amount,
                commissions,
            });
        }
        let back = restored.get(&payout_id).copied().unwrap_or(0);
        let expected = if status.holds_commissions() {
            0
        } else {
            amount
        };
        if back != expected {
            violations.push(Violation::VoidNotRestored {
                payout_id,
                amount,
                restored: back,
            });
        }
    }
    // Invariant 3: live items per commission, and the commission's own
    // payout_id agreeing with them.
    let items: Vec<(Uuid, Uuid)> = payout_item::Entity::find()
        .select_only()
        .column(payout_item::Column::CommissionId)
        .column(payout_item::Column::PayoutId)
        .filter(payout_item::Column::ReleasedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    let mut holders: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (commission_id, payout_id) in items {
        if status_of
            .get(&payout_id)
            .is_some_and(|s| s.holds_commissions())
        {
            holders.entry(commission_id).or_default().push(payout_id);
        }
    }
    let pointers: Vec<(Uuid, Uuid)> = commission::Entity::find()
        .select_only()
        .column(commission::Column::Id)
        .column(commission::Column::PayoutId)
        .filter(commission::Column::PayoutId.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    for (commission_id, payout_id) in pointers {
        let held = holders.entry(commission_id).or_default();
        if !held.contains(&payout_id) {
            held.push(payout_id);
        }
    }
    let mut many: Vec<(Uuid, Vec<Uuid>)> =
        holders.into_iter().filter(|(_, p)| p.len() > 1).collect();
    many.sort();
    for (commission_id, payouts) in many {
        violations.push(Violation::CommissionInManyPayouts {
            commission_id,
            payouts,
        });
    }
    Ok(())
}
