//! `tributary check`: the money invariants of DESIGN §3, verified against a
//! live database. Cheap enough to run from cron; the tests run it after
//! every money scenario.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::ServiceResult;
use crate::domain::states::CommissionKind;
use crate::entities::{affiliate, commission, ledger_entry};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Invariant 1: the cached balance differs from the sum of the ledger.
    BalanceMismatch {
        affiliate_id: Uuid,
        cached: i64,
        ledger: i64,
    },
    /// Invariant 4: one sale credited twice to one affiliate.
    DuplicateCommission {
        sale_id: Uuid,
        affiliate_id: Uuid,
        count: i64,
    },
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
        }
    }
}

pub async fn run(conn: &impl ConnectionTrait) -> ServiceResult<Vec<Violation>> {
    let mut violations = Vec::new();
    let sums: HashMap<Uuid, i64> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::AffiliateId)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .group_by(ledger_entry::Column::AffiliateId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let balances: Vec<(Uuid, i64)> = affiliate::Entity::find()
        .select_only()
        .column(affiliate::Column::Id)
        .column(affiliate::Column::BalanceMinor)
        .into_tuple()
        .all(conn)
        .await?;
    for (affiliate_id, cached) in balances {
        let ledger = sums.get(&affiliate_id).copied().unwrap_or(0);
        if cached != ledger {
            violations.push(Violation::BalanceMismatch {
                affiliate_id,
                cached,
                ledger,
            });
        }
    }
    let duplicates: Vec<(Uuid, Uuid, i64)> = commission::Entity::find()
        .select_only()
        .column(commission::Column::SaleId)
        .column(commission::Column::AffiliateId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(commission::Column::Kind.eq(CommissionKind::Sale))
        .filter(commission::Column::SaleId.is_not_null())
        .group_by(commission::Column::SaleId)
        .group_by(commission::Column::AffiliateId)
        .having(Expr::cust("COUNT(*) > 1"))
        .into_tuple()
        .all(conn)
        .await?;
    for (sale_id, affiliate_id, count) in duplicates {
        violations.push(Violation::DuplicateCommission {
            sale_id,
            affiliate_id,
            count,
        });
    }
    Ok(violations)
}
