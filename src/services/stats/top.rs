//! The store's best affiliates of a period, by the revenue they brought or
//! the commission they earned, with the same definitions as the summary
//! (attributed sales net of tax by `occurred_at`; live commissions by
//! `created_at`, net of clawbacks).

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::queries::within;
use crate::domain::period::Period;
use crate::domain::states::CommissionStatus;
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{affiliate, commission, sale};
use crate::services::ServiceResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopBy {
    Revenue,
    Commission,
}

impl TopBy {
    pub fn parse(s: Option<&str>) -> TopBy {
        match s {
            Some("commission") => TopBy::Commission,
            _ => TopBy::Revenue,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TopBy::Revenue => "revenue",
            TopBy::Commission => "commission",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopAffiliate {
    pub affiliate_id: AffiliateId,
    /// "First Last", or the email when the affiliate has no name.
    pub name: String,
    pub email: String,
    pub conversions: i64,
    pub revenue_minor: i64,
    pub commission_minor: i64,
}

/// At most `limit` affiliates with a sale or a commission in `period`,
/// largest first by `by` (ties: the other figure, then the id).
pub async fn top_affiliates(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    period: &Period,
    by: TopBy,
    limit: usize,
) -> ServiceResult<Vec<TopAffiliate>> {
    let backend = conn.get_database_backend();
    let sales: Vec<(Uuid, i64, i64)> = within(
        sale::Entity::find()
            .select_only()
            .column(sale::Column::AffiliateId)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(amount_minor - tax_minor), 0) AS BIGINT)"),
                "net",
            )
            .filter(sale::Column::StoreId.eq(store_id.0))
            .filter(sale::Column::AffiliateId.is_not_null()),
        backend,
        "occurred_at",
        period,
    )
    .group_by(sale::Column::AffiliateId)
    .into_tuple()
    .all(conn)
    .await?;
    let earned: Vec<(Uuid, i64)> = within(
        commission::Entity::find()
            .select_only()
            .column(commission::Column::AffiliateId)
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"),
                "amount",
            )
            .filter(commission::Column::StoreId.eq(store_id.0))
            .filter(commission::Column::Status.is_in([
                CommissionStatus::Pending,
                CommissionStatus::Due,
                CommissionStatus::Paid,
            ])),
        backend,
        "created_at",
        period,
    )
    .group_by(commission::Column::AffiliateId)
    .into_tuple()
    .all(conn)
    .await?;

    let mut figures: HashMap<Uuid, (i64, i64, i64)> = HashMap::new();
    for (id, n, net) in sales {
        let f = figures.entry(id).or_default();
        (f.0, f.1) = (n, net);
    }
    for (id, amount) in earned {
        figures.entry(id).or_default().2 = amount;
    }
    let mut ranked: Vec<(Uuid, (i64, i64, i64))> = figures.into_iter().collect();
    ranked.sort_by(|(a_id, a), (b_id, b)| {
        let key = |f: &(i64, i64, i64)| match by {
            TopBy::Revenue => (f.1, f.2),
            TopBy::Commission => (f.2, f.1),
        };
        key(b).cmp(&key(a)).then(a_id.cmp(b_id))
    });
    ranked.truncate(limit);

    let ids: Vec<Uuid> = ranked.iter().map(|(id, _)| *id).collect();
    let people: HashMap<Uuid, affiliate::Model> = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(ranked
        .into_iter()
        .filter_map(|(id, (conversions, revenue_minor, commission_minor))| {
            let a = people.get(&id)?;
            let name = format!("{} {}", a.first_name, a.last_name)
                .trim()
                .to_owned();
            Some(TopAffiliate {
                affiliate_id: AffiliateId(id),
                name: if name.is_empty() {
                    a.email.clone()
                } else {
                    name
                },
                email: a.email.clone(),
                conversions,
                revenue_minor,
                commission_minor,
            })
        })
        .collect())
}
