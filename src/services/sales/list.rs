//! Reading sales and their commissions.

use super::*;

#[derive(Debug, Default, Clone)]
pub struct SaleFilter {
    pub affiliate_id: Option<AffiliateId>,
    pub unattributed: bool,
    /// Occurred at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Occurred before this time.
    pub to: Option<DateTime<Utc>>,
    /// A payment id, a customer id or a customer email, exactly.
    pub search: Option<String>,
}

/// The store's sales this filter keeps: the one definition the list, its
/// totals and its CSV share.
pub(super) fn filtered(store_id: StoreId, f: &SaleFilter) -> sea_orm::Select<sale::Entity> {
    use sea_orm::Condition;
    let mut q = sale::Entity::find().filter(sale::Column::StoreId.eq(store_id.0));
    if let Some(a) = f.affiliate_id {
        q = q.filter(sale::Column::AffiliateId.eq(a));
    }
    if f.unattributed {
        q = q.filter(sale::Column::AffiliateId.is_null());
    }
    if let Some(from) = f.from {
        q = q.filter(sale::Column::OccurredAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(sale::Column::OccurredAt.lt(to));
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(sale::Column::ExternalId.eq(s))
                .add(sale::Column::ExternalCustomerId.eq(s))
                .add(sale::Column::CustomerEmail.eq(s.to_lowercase())),
        );
    }
    q
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &SaleFilter,
    page: PageRequest,
) -> ServiceResult<Page<sale::Model>> {
    let mut q = filtered(store_id, f);
    if let Some(after) = page.starting_after {
        q = q.filter(sale::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(sale::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// Commissions of a sale, for its API body and page.
pub async fn commissions_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    sale_id: SaleId,
) -> ServiceResult<Vec<commission_entity::Model>> {
    Ok(commissions_of_sales(conn, store_id, &[sale_id])
        .await?
        .remove(&sale_id.0)
        .unwrap_or_default())
}

/// Commissions of each of these sales of the store, in one query (a list
/// page's bodies).
pub async fn commissions_of_sales(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    sale_ids: &[SaleId],
) -> ServiceResult<std::collections::HashMap<uuid::Uuid, Vec<commission_entity::Model>>> {
    let mut by_sale = std::collections::HashMap::<uuid::Uuid, Vec<_>>::new();
    if sale_ids.is_empty() {
        return Ok(by_sale);
    }
    let rows = commission_entity::Entity::find()
        .filter(commission_entity::Column::StoreId.eq(store_id))
        .filter(commission_entity::Column::SaleId.is_in(sale_ids.to_vec()))
        .order_by_asc(commission_entity::Column::Id)
        .all(conn)
        .await?;
    for c in rows {
        if let Some(sale) = c.sale_id {
            by_sale.entry(sale).or_default().push(c);
        }
    }
    Ok(by_sale)
}

/// What each of these sales of the store still earns its affiliates: the
/// sum of their live commissions (neither refunded nor voided), in one
/// query. A sale without any is absent.
pub async fn earned(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    sale_ids: &[SaleId],
) -> ServiceResult<std::collections::HashMap<Uuid, i64>> {
    if sale_ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Uuid, i64)> = commission_entity::Entity::find()
        .select_only()
        .column(commission_entity::Column::SaleId)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "earned")
        .filter(commission_entity::Column::StoreId.eq(store_id.0))
        .filter(commission_entity::Column::SaleId.is_in(sale_ids.to_vec()))
        .filter(
            commission_entity::Column::Status.is_in(
                CommissionStatus::ALL
                    .iter()
                    .copied()
                    .filter(|s| s.is_live()),
            ),
        )
        .group_by(commission_entity::Column::SaleId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}
