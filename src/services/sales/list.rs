//! Reading sales and their commissions.

use super::*;

#[derive(Debug, Default, Clone)]
pub struct SaleFilter {
    pub affiliate_id: Option<AffiliateId>,
    pub unattributed: bool,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &SaleFilter,
    page: PageRequest,
) -> ServiceResult<Page<sale::Model>> {
    let mut q = sale::Entity::find().filter(sale::Column::StoreId.eq(store_id.0));
    if let Some(a) = f.affiliate_id {
        q = q.filter(sale::Column::AffiliateId.eq(a));
    }
    if f.unattributed {
        q = q.filter(sale::Column::AffiliateId.is_null());
    }
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
    sale_id: SaleId,
) -> ServiceResult<Vec<commission_entity::Model>> {
    Ok(commission_entity::Entity::find()
        .filter(commission_entity::Column::SaleId.eq(sale_id))
        .order_by_asc(commission_entity::Column::Id)
        .all(conn)
        .await?)
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
