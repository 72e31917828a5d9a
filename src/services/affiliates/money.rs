//! The affiliates list's money columns: what each affiliate of a page has
//! earned and has due, from one grouped query over their commissions
//! (adjustments and clawbacks are commissions too, so the figures are net
//! of them), and what they were paid to date, from `paid_to_date`, the one
//! definition every page and the API use. Also the "Due for payout" tab's
//! rule as a subquery, so the list filters and counts in the database.

use sea_orm::PaginatorTrait;
use sea_orm::sea_query::{Alias, Func, JoinType, SelectStatement};

use super::*;
use crate::domain::payout::PayoutStatus;
use crate::domain::states::CommissionStatus;
use crate::entities::{campaign, commission, payout};

/// Minor units of the store's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoneyColumns {
    /// Lifetime: pending + due + paid commissions, net of clawbacks
    /// (voided and refunded ones earn nothing).
    pub earnings_minor: i64,
    /// Due commissions no payout holds yet: the Due view's amount.
    pub due_minor: i64,
    /// Paid to date: [`paid_to_date`].
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
    let rows: Vec<(Uuid, i64, i64)> = commission::Entity::find()
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
        .filter(commission::Column::StoreId.eq(store_id.0))
        .filter(commission::Column::AffiliateId.is_in(ids.iter().map(|i| i.0)))
        .group_by(commission::Column::AffiliateId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut columns: HashMap<Uuid, MoneyColumns> = rows
        .into_iter()
        .map(|(id, earnings_minor, due_minor)| {
            (
                id,
                MoneyColumns {
                    earnings_minor,
                    due_minor,
                    paid_minor: 0,
                },
            )
        })
        .collect();
    for (id, paid_minor) in paid_to_date(conn, store_id, ids).await? {
        columns.entry(id).or_default().paid_minor = paid_minor;
    }
    Ok(columns)
}

/// What each of `ids` was paid to date, in minor units: Σ of its payouts
/// marked paid and not voided since (a voided payout's commissions are due
/// again). By invariant 2 it is also Σ of the commissions those payouts
/// settled, so the list, the payout pages, the balance API and the portal
/// agree. Affiliates never paid are absent.
pub async fn paid_to_date(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64)> = payout::Entity::find()
        .select_only()
        .column(payout::Column::AffiliateId)
        .column_as(
            Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"),
            "paid_minor",
        )
        .filter(payout::Column::StoreId.eq(store_id.0))
        .filter(payout::Column::Status.eq(PayoutStatus::Paid))
        .filter(payout::Column::AffiliateId.is_in(ids.iter().map(|i| i.0)))
        .group_by(payout::Column::AffiliateId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The ids of the affiliates the Due view can pay now whatever the method:
/// their due commissions no payout holds add up to more than zero and to
/// at least their campaign's minimum payout (`domain::payout::check_eligible`
/// with store credit, so a missing payout email holds nobody back), as one
/// grouped subquery: the "Due for payout" tab filters and counts with it in
/// the database, however many affiliates the store has.
/// `the_due_tab_holds_exactly_whom_the_due_view_can_pay` checks it against
/// the Due view itself.
pub fn due_for_payout_ids(store_id: StoreId) -> SelectStatement {
    let c = Alias::new("c");
    let a = Alias::new("a");
    let k = Alias::new("k");
    let sum = || Func::sum(Expr::col((c.clone(), commission::Column::AmountMinor)));
    let minimum = Func::coalesce([
        Expr::col((k.clone(), campaign::Column::MinimumPayoutMinor)),
        Expr::val(0i64),
    ]);
    Query::select()
        .column((c.clone(), commission::Column::AffiliateId))
        .from_as(commission::Entity, c.clone())
        .join_as(
            JoinType::InnerJoin,
            affiliate::Entity,
            a.clone(),
            Expr::col((a.clone(), affiliate::Column::Id))
                .equals((c.clone(), commission::Column::AffiliateId)),
        )
        .join_as(
            JoinType::LeftJoin,
            campaign::Entity,
            k.clone(),
            Condition::all()
                .add(
                    Expr::col((k.clone(), campaign::Column::Id))
                        .equals((a.clone(), affiliate::Column::CampaignId)),
                )
                .add(Expr::col((k.clone(), campaign::Column::StoreId)).eq(store_id.0)),
        )
        .and_where(Expr::col((c.clone(), commission::Column::StoreId)).eq(store_id.0))
        .and_where(Expr::col((a.clone(), affiliate::Column::StoreId)).eq(store_id.0))
        .and_where(
            Expr::col((c.clone(), commission::Column::Status)).eq(CommissionStatus::Due.as_str()),
        )
        .and_where(Expr::col((c.clone(), commission::Column::PayoutId)).is_null())
        .group_by_col((c.clone(), commission::Column::AffiliateId))
        .group_by_col((k.clone(), campaign::Column::MinimumPayoutMinor))
        .and_having(Expr::expr(sum()).gt(0))
        .and_having(Expr::expr(sum()).gte(minimum))
        .to_owned()
}

/// How many affiliates the "Due for payout" tab holds.
pub async fn count_due_for_payout(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<i64> {
    let n = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Id.in_subquery(due_for_payout_ids(store_id)))
        .count(conn)
        .await?;
    Ok(n as i64)
}
