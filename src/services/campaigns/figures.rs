//! The Campaigns list's figures: how many affiliates each campaign has, the
//! revenue they brought and the commissions they earned, in one query (one
//! correlated subquery per figure, each scoped by store and using the
//! `(store_id, campaign_id)` / `(store_id, affiliate_id)` indexes).
//!
//! Definitions follow the dashboard's: revenue is Σ (amount − tax) of the
//! sales attributed to the campaign's affiliates; commissions are the live
//! ones (pending, due, paid) of the campaign, net of clawbacks.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use sea_orm::DbBackend;

use crate::domain::StoreId;
use crate::entities::campaign;
use crate::services::ServiceResult;

/// Minor units of the store's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CampaignFigures {
    pub affiliates: i64,
    pub revenue_minor: i64,
    pub commission_minor: i64,
}

pub async fn figures(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<HashMap<Uuid, CampaignFigures>> {
    let store = store_id.0;
    let backend = conn.get_database_backend();
    let sql = |text: &str| placeholders(backend, text);
    let rows: Vec<(Uuid, i64, i64, i64)> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .column_as(
            Expr::cust_with_values(
                sql("(SELECT CAST(COUNT(*) AS BIGINT) FROM affiliates a \
                 WHERE a.store_id = ? AND a.campaign_id = campaigns.id)"),
                [store],
            ),
            "affiliates",
        )
        .column_as(
            Expr::cust_with_values(
                sql(
                    "(SELECT CAST(COALESCE(SUM(s.amount_minor - s.tax_minor), 0) AS BIGINT) \
                 FROM sales s JOIN affiliates a ON a.id = s.affiliate_id \
                 WHERE s.store_id = ? AND a.store_id = ? AND a.campaign_id = campaigns.id)",
                ),
                [store, store],
            ),
            "revenue",
        )
        .column_as(
            Expr::cust_with_values(
                sql(
                    "(SELECT CAST(COALESCE(SUM(k.amount_minor), 0) AS BIGINT) FROM commissions k \
                 WHERE k.store_id = ? AND k.campaign_id = campaigns.id \
                 AND k.status IN ('pending', 'due', 'paid'))",
                ),
                [store],
            ),
            "commissions",
        )
        .filter(campaign::Column::StoreId.eq(store))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, affiliates, revenue_minor, commission_minor)| {
            (
                id,
                CampaignFigures {
                    affiliates,
                    revenue_minor,
                    commission_minor,
                },
            )
        })
        .collect())
}

/// sea-query leaves a custom expression's placeholders as written: `?` on
/// SQLite, `$1, $2, …` (numbered within the expression) on PostgreSQL.
fn placeholders(backend: DbBackend, text: &str) -> String {
    if backend != DbBackend::Postgres {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut n = 0;
    for ch in text.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(ch);
        }
    }
    out
}
