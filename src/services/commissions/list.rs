//! The commission list: the filters the page and the API share, keyset
//! pages (newest first) and the chunks the CSV export streams. The totals
//! of a filtered set are in `totals`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::domain::ValidationErrors;
use crate::domain::commission_edit::parse_time;
use crate::domain::states::{CommissionKind, CommissionStatus};
use crate::domain::{AffiliateId, CampaignId, SaleId, StoreId};
use crate::entities::{affiliate, commission};
use crate::services::ServiceResult;
use crate::services::affiliates::escape_like;
use crate::services::paging::{Page, PageRequest};

#[derive(Debug, Default, Clone)]
pub struct CommissionFilter {
    pub status: Option<CommissionStatus>,
    pub affiliate_id: Option<AffiliateId>,
    /// Free text: the affiliate's name or email contains it.
    pub affiliate_search: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub kind: Option<CommissionKind>,
    pub sale_id: Option<SaleId>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
}

/// The filters as typed in a query string (page and API alike).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct FilterText {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub affiliate_id: String,
    /// Name or email contains.
    #[serde(default)]
    pub affiliate: String,
    #[serde(default)]
    pub campaign_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sale_id: String,
    /// A date (from its start) or a time.
    #[serde(default)]
    pub from: String,
    /// A date (to its end, included) or a time (excluded).
    #[serde(default)]
    pub until: String,
}

impl CommissionFilter {
    pub fn parse(t: &FilterText) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let some = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        fn id(e: &mut ValidationErrors, field: &str, s: &str) -> Option<Uuid> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            e.check(
                field,
                Uuid::parse_str(s).map_err(|_| format!("must be an id, not {s:?}")),
            )
        }
        let date = |e: &mut ValidationErrors, field: &str, s: &str, end: bool| {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            let at = e.check(field, parse_time(s, None))?;
            let date_only = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
            Some(if end && date_only {
                at + chrono::Duration::days(1)
            } else {
                at
            })
        };
        let f = Self {
            status: some(&t.status).and_then(|s| e.check("status", CommissionStatus::parse(&s))),
            affiliate_id: id(&mut e, "affiliate_id", &t.affiliate_id).map(AffiliateId),
            affiliate_search: some(&t.affiliate),
            campaign_id: id(&mut e, "campaign_id", &t.campaign_id).map(CampaignId),
            kind: some(&t.kind).and_then(|s| e.check("kind", CommissionKind::parse(&s))),
            sale_id: id(&mut e, "sale_id", &t.sale_id).map(SaleId),
            from: date(&mut e, "from", &t.from, false),
            until: date(&mut e, "until", &t.until, true),
        };
        e.into_result()?;
        Ok(f)
    }

    /// The filter as SQL, for a page (`Use::Walk`) or for the totals.
    pub(super) fn condition(&self, store_id: StoreId, db: DbBackend, using: Use) -> Condition {
        // On SQLite a page walks an index in id order and tests the date
        // range and the affiliate search on its entries: a unary `+` keeps
        // the planner from seeking on them instead, which would read every
        // row of the range (or of the matching affiliates) and sort them
        // all for 50. PostgreSQL's planner weighs both with statistics.
        let walk = using == Use::Walk && db == DbBackend::Sqlite;
        let col = |c: &str| -> SimpleExpr {
            if walk {
                Expr::cust(format!("+\"commissions\".\"{c}\""))
            } else {
                Expr::col((commission::Entity, Alias::new(c))).into()
            }
        };
        let mut c = Condition::all().add(commission::Column::StoreId.eq(store_id.0));
        if let Some(s) = self.status {
            c = c.add(commission::Column::Status.eq(s));
        }
        if let Some(a) = self.affiliate_id {
            c = c.add(commission::Column::AffiliateId.eq(a));
        }
        if let Some(text) = self
            .affiliate_search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            let matching = Query::select()
                .column(affiliate::Column::Id)
                .from(affiliate::Entity)
                .and_where(affiliate::Column::StoreId.eq(store_id.0))
                .and_where(affiliate::Column::SearchText.like(LikeExpr::new(pattern).escape('\\')))
                .to_owned();
            c = c.add(col("affiliate_id").in_subquery(matching));
        }
        if let Some(k) = self.campaign_id {
            c = c.add(commission::Column::CampaignId.eq(k));
        }
        if let Some(k) = self.kind {
            c = c.add(commission::Column::Kind.eq(k));
        }
        if let Some(s) = self.sale_id {
            c = c.add(commission::Column::SaleId.eq(s));
        }
        if let Some(from) = self.from {
            c = c.add(col("created_at").gte(from));
        }
        if let Some(until) = self.until {
            c = c.add(col("created_at").lt(until));
        }
        c
    }
}

/// What a filter's SQL is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// A page (or an export chunk): a walk in id order.
    Walk,
    Totals,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &CommissionFilter,
    page: PageRequest,
) -> ServiceResult<Page<commission::Model>> {
    let rows = export_chunk(conn, store_id, f, page.starting_after, page.limit + 1).await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// Up to `limit` commissions of the filtered set after `after` (newest
/// first): the page, and each chunk of the streamed CSV.
pub async fn export_chunk(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &CommissionFilter,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<commission::Model>> {
    let mut q = commission::Entity::find().filter(f.condition(
        store_id,
        conn.get_database_backend(),
        Use::Walk,
    ));
    if let Some(after) = after {
        q = q.filter(commission::Column::Id.lt(after));
    }
    Ok(q.order_by_desc(commission::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// The affiliates of these commissions, by id, for names on a page.
pub async fn affiliates_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: impl Iterator<Item = Uuid>,
) -> ServiceResult<HashMap<Uuid, affiliate::Model>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}
