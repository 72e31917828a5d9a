//! What the Sales page adds to the list: the totals of the filtered set,
//! a sale's refunds and audit trail, and which sales name a coupon the
//! store does not have. Each is one query, whatever the number of rows.

use std::collections::HashSet;

use sea_orm::QueryTrait;

use super::*;
use crate::entities::{audit_entry, coupon, refund};

/// Sums over every sale a filter keeps (not just one page), in minor units.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SaleTotals {
    pub count: i64,
    pub gross: i64,
    pub tax: i64,
    /// Gross net of tax, what commissions are computed on.
    pub net: i64,
    pub refunded: i64,
    /// Live commissions (neither refunded nor voided) of these sales.
    pub commission: i64,
}

/// The totals, summed in SQL over `BIGINT` minor units: an overflow is a
/// database error (PostgreSQL's cast, SQLite's integer `sum`), never a wrap.
pub async fn totals(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &SaleFilter,
) -> ServiceResult<SaleTotals> {
    let sums: Option<(i64, i64, i64, i64, i64)> = filtered(store_id, f)
        .select_only()
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"),
            "gross",
        )
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(tax_minor), 0) AS BIGINT)"),
            "tax",
        )
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor - tax_minor), 0) AS BIGINT)"),
            "net",
        )
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(refunded_minor), 0) AS BIGINT)"),
            "refunded_sum",
        )
        .into_tuple()
        .one(conn)
        .await?;
    let (count, gross, tax, net, refunded) = sums.unwrap_or_default();
    let of_filter = filtered(store_id, f)
        .select_only()
        .column(sale::Column::Id)
        .into_query();
    let commission: Option<i64> = commission_entity::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"),
            "commission",
        )
        .filter(commission_entity::Column::StoreId.eq(store_id.0))
        .filter(commission_entity::Column::SaleId.in_subquery(of_filter))
        .filter(
            commission_entity::Column::Status.is_in(
                CommissionStatus::ALL
                    .iter()
                    .copied()
                    .filter(|s| s.is_live()),
            ),
        )
        .into_tuple()
        .one(conn)
        .await?;
    Ok(SaleTotals {
        count,
        gross,
        tax,
        net,
        refunded,
        commission: commission.unwrap_or(0),
    })
}

/// The refunds of a sale, oldest first.
pub async fn refunds_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    sale_id: SaleId,
) -> ServiceResult<Vec<refund::Model>> {
    Ok(refund::Entity::find()
        .filter(refund::Column::StoreId.eq(store_id.0))
        .filter(refund::Column::SaleId.eq(sale_id.0))
        .order_by_asc(refund::Column::Id)
        .all(conn)
        .await?)
}

/// The audit entries about a sale, oldest first.
pub async fn audit_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    sale_id: SaleId,
) -> ServiceResult<Vec<audit_entry::Model>> {
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::StoreId.eq(store_id.0))
        .filter(audit_entry::Column::EntityType.eq("sale"))
        .filter(audit_entry::Column::EntityId.eq(sale_id.0.to_string()))
        .order_by_asc(audit_entry::Column::Id)
        .all(conn)
        .await?)
}

/// The warning a sale carries when its coupon code named no coupon.
pub const UNKNOWN_COUPON: &str = "no coupon of this store has this code";

/// Whether recording this sale looked its coupon code up and found
/// nothing: a code was given, no referral id (which wins over it), and
/// the sale was not attributed by coupon. Known without a query.
pub(super) fn coupon_was_unknown(p: &Parsed, attribution: &str) -> bool {
    p.coupon_key.is_some() && p.referral_id.is_none() && attribution != "coupon"
}

/// The ids of these sales whose coupon code names no coupon of the store
/// (today), in one query. A sale a referral id or a coupon attributed is
/// never among them.
pub async fn unknown_coupons(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    sales: &[&sale::Model],
) -> ServiceResult<HashSet<Uuid>> {
    let asking: Vec<&sale::Model> = sales
        .iter()
        .copied()
        .filter(|s| {
            s.coupon_code.is_some() && s.attribution != "coupon" && s.attribution != "referral"
        })
        .collect();
    if asking.is_empty() {
        return Ok(HashSet::new());
    }
    let mut codes: Vec<String> = asking
        .iter()
        .filter_map(|s| s.coupon_code.clone())
        .collect();
    codes.sort();
    codes.dedup();
    let known: HashSet<String> = coupon::Entity::find()
        .select_only()
        .column(coupon::Column::CodeKey)
        .filter(coupon::Column::StoreId.eq(store_id.0))
        .filter(coupon::Column::CodeKey.is_in(codes))
        .into_tuple::<String>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(asking
        .into_iter()
        .filter(|s| s.coupon_code.as_ref().is_some_and(|c| !known.contains(c)))
        .map(|s| s.id)
        .collect())
}
