//! The affiliates list's money columns: what each affiliate of a page has
//! earned, has due and was paid, from one grouped query over their
//! commissions (adjustments and clawbacks are commissions too, so the
//! figures are net of them).

use super::*;
use crate::domain::states::CommissionStatus;
use crate::entities::commission;

/// Minor units of the store's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoneyColumns {
    /// Lifetime: pending + due + paid commissions, net of clawbacks
    /// (voided and refunded ones earn nothing).
    pub earnings_minor: i64,
    /// Due commissions no payout holds yet: the Due view's amount.
    pub due_minor: i64,
    /// Settled by paid payouts (Σ paid commissions = Σ paid payouts).
    pub paid_minor: i64,
}

pub async fn money_columns(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, MoneyColumns>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64, i64, i64)> = commission::Entity::find()
        .select_only()
        .column(commission::Column::AffiliateId)
        .column_as(
            Expr::cust(format!(
                "CAST(SUM(CASE WHEN status IN ('{}', '{}', '{}') \
                 THEN amount_minor ELSE 0 END) AS BIGINT)",
                CommissionStatus::Pending.as_str(),
                CommissionStatus::Due.as_str(),
                CommissionStatus::Paid.as_str()
            )),
            "earned",
        )
        .column_as(
            Expr::cust(format!(
                "CAST(SUM(CASE WHEN status = '{}' AND payout_id IS NULL \
                 THEN amount_minor ELSE 0 END) AS BIGINT)",
                CommissionStatus::Due.as_str()
            )),
            "due_minor",
        )
        .column_as(
            Expr::cust(format!(
                "CAST(SUM(CASE WHEN status = '{}' THEN amount_minor ELSE 0 END) AS BIGINT)",
                CommissionStatus::Paid.as_str()
            )),
            "paid_minor",
        )
        .filter(commission::Column::StoreId.eq(store_id.0))
        .filter(commission::Column::AffiliateId.is_in(ids.iter().map(|i| i.0)))
        .group_by(commission::Column::AffiliateId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, earnings_minor, due_minor, paid_minor)| {
            (
                id,
                MoneyColumns {
                    earnings_minor,
                    due_minor,
                    paid_minor,
                },
            )
        })
        .collect())
}
