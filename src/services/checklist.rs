//! The dashboard's setup checklist: each step is ticked by what exists, not
//! by anyone ticking it (a campaign, an approved affiliate, a click, a sale,
//! the tracking script seen on the store's site).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::ServiceResult;
use crate::domain::StoreId;
use crate::domain::affiliate::AffiliateStatus;
use crate::entities::{affiliate, campaign, sale, store, visit};

/// How many names a step shows before "and N more".
const NAMES: u64 = 3;

#[derive(Debug, Clone, Default)]
pub struct Named {
    pub names: Vec<String>,
    pub total: u64,
}

impl Named {
    pub fn done(&self) -> bool {
        self.total > 0
    }

    /// "Partners, Summer" or "Partners, Summer and 2 more".
    pub fn summary(&self) -> String {
        let listed = self.names.join(", ");
        let more = self.total.saturating_sub(self.names.len() as u64);
        if more > 0 {
            format!("{listed} and {more} more")
        } else {
            listed
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Checklist {
    pub campaigns: Named,
    pub approved_affiliates: Named,
    pub first_click_at: Option<DateTime<Utc>>,
    pub first_sale_at: Option<DateTime<Utc>>,
    pub script_seen_at: Option<DateTime<Utc>>,
}

impl Checklist {
    pub fn complete(&self) -> bool {
        self.campaigns.done()
            && self.approved_affiliates.done()
            && self.first_click_at.is_some()
            && self.first_sale_at.is_some()
            && self.script_seen_at.is_some()
    }
}

pub async fn of_store(conn: &impl ConnectionTrait, store_id: StoreId) -> ServiceResult<Checklist> {
    let campaigns = campaign::Entity::find()
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .filter(campaign::Column::ArchivedAt.is_null());
    let campaign_names: Vec<String> = campaigns
        .clone()
        .select_only()
        .column(campaign::Column::Name)
        .order_by_asc(campaign::Column::CreatedAt)
        .limit(NAMES)
        .into_tuple()
        .all(conn)
        .await?;
    let campaign_total = campaigns.count(conn).await?;

    let approved = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Status.eq(AffiliateStatus::Approved))
        .filter(affiliate::Column::AnonymizedAt.is_null());
    let affiliate_names: Vec<(String, String)> = approved
        .clone()
        .select_only()
        .column(affiliate::Column::FirstName)
        .column(affiliate::Column::LastName)
        .order_by_asc(affiliate::Column::StatusChangedAt)
        .limit(NAMES)
        .into_tuple()
        .all(conn)
        .await?;
    let affiliate_total = approved.count(conn).await?;

    // The oldest by id (UUIDv7, time-ordered): one step of the
    // (store_id, id) index, where ordering by time sorted every visit.
    let first_click_at: Option<DateTime<Utc>> = visit::Entity::find()
        .filter(visit::Column::StoreId.eq(store_id.0))
        .select_only()
        .column(visit::Column::CreatedAt)
        .order_by_asc(visit::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    let first_sale_at: Option<DateTime<Utc>> = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(store_id.0))
        .select_only()
        .column(sale::Column::CreatedAt)
        .order_by_asc(sale::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    let script_seen_at = store::Entity::find_by_id(store_id.0)
        .one(conn)
        .await?
        .and_then(|s| s.script_seen_at);

    Ok(Checklist {
        campaigns: Named {
            names: campaign_names,
            total: campaign_total,
        },
        approved_affiliates: Named {
            names: affiliate_names
                .into_iter()
                .map(|(f, l)| format!("{f} {l}").trim().to_owned())
                .collect(),
            total: affiliate_total,
        },
        first_click_at,
        first_sale_at,
        script_seen_at,
    })
}
