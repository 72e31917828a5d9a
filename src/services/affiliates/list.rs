//! The affiliate list: filters, sorting, keyset pages, status counts and link counters.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Name,
    Email,
}

impl Sort {
    pub fn parse(s: &str) -> Self {
        match s {
            "oldest" => Sort::Oldest,
            "name" => Sort::Name,
            "email" => Sort::Email,
            _ => Sort::Newest,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Name => "name",
            Sort::Email => "email",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub status: Option<AffiliateStatus>,
    pub campaign_id: Option<CampaignId>,
    pub email: Option<String>,
    /// Free text: name or email contains it, or a link token / coupon code is it.
    pub search: Option<String>,
    pub sort: Sort,
    /// Only those the Due view can pay now (the "Due for payout" tab).
    pub due_for_payout: bool,
    /// The last affiliate of the previous page.
    pub after: Option<Uuid>,
    pub limit: u64,
}

pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    q: &ListQuery,
) -> ServiceResult<crate::services::paging::Page<affiliate::Model>> {
    let mut query = affiliate::Entity::find().filter(affiliate::Column::StoreId.eq(store_id.0));
    if let Some(status) = q.status {
        query = query.filter(affiliate::Column::Status.eq(status));
    }
    if q.due_for_payout {
        query = query.filter(affiliate::Column::Id.in_subquery(due_for_payout_ids(store_id)));
    }
    if let Some(campaign_id) = q.campaign_id {
        query = query.filter(affiliate::Column::CampaignId.eq(campaign_id));
    }
    if let Some(email) = q.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        query = query.filter(affiliate::Column::Email.eq(email.to_lowercase()));
    }
    if let Some(text) = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let lower = text.to_lowercase();
        let pattern = format!("%{}%", escape_like(&lower));
        let token_owners = Query::select()
            .column(link::Column::AffiliateId)
            .from(link::Entity)
            .and_where(link::Column::StoreId.eq(store_id.0))
            .and_where(link::Column::Token.eq(lower.clone()))
            .to_owned();
        let code_owners = Query::select()
            .column(coupon::Column::AffiliateId)
            .from(coupon::Entity)
            .and_where(coupon::Column::StoreId.eq(store_id.0))
            .and_where(coupon::Column::CodeKey.eq(text.to_ascii_uppercase()))
            .to_owned();
        query = query.filter(
            Condition::any()
                .add(affiliate::Column::SearchText.like(LikeExpr::new(pattern).escape('\\')))
                .add(affiliate::Column::Id.in_subquery(token_owners))
                .add(affiliate::Column::Id.in_subquery(code_owners)),
        );
    }
    if let Some(after_id) = q.after {
        let after = get(conn, store_id, AffiliateId(after_id)).await?;
        query = query.filter(match q.sort {
            Sort::Newest => Condition::all().add(affiliate::Column::Id.lt(after.id)),
            Sort::Oldest => Condition::all().add(affiliate::Column::Id.gt(after.id)),
            Sort::Email => Condition::all().add(affiliate::Column::Email.gt(after.email)),
            Sort::Name => Condition::any()
                .add(affiliate::Column::SortName.gt(after.sort_name.clone()))
                .add(
                    Condition::all()
                        .add(affiliate::Column::SortName.eq(after.sort_name))
                        .add(affiliate::Column::Id.gt(after.id)),
                ),
        });
    }
    query = match q.sort {
        Sort::Newest => query.order_by_desc(affiliate::Column::Id),
        Sort::Oldest => query.order_by_asc(affiliate::Column::Id),
        Sort::Email => query.order_by_asc(affiliate::Column::Email),
        Sort::Name => query
            .order_by_asc(affiliate::Column::SortName)
            .order_by_asc(affiliate::Column::Id),
    };
    let rows = query.limit(q.limit + 1).all(conn).await?;
    Ok(crate::services::paging::Page::from_overfetch(rows, q.limit))
}

/// How many affiliates each status tab holds.
pub async fn counts_by_status(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<HashMap<AffiliateStatus, i64>> {
    let rows: Vec<(AffiliateStatus, i64)> = affiliate::Entity::find()
        .select_only()
        .column(affiliate::Column::Status)
        .column_as(Expr::col(affiliate::Column::Id).count(), "n")
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .group_by(affiliate::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Visitors, leads and conversions of each affiliate (Σ of their links).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
}

pub async fn counters(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, Counters>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64, i64, i64)> = link::Entity::find()
        .select_only()
        .column(link::Column::AffiliateId)
        .column_as(Expr::cust("CAST(SUM(visitors) AS BIGINT)"), "v")
        .column_as(Expr::cust("CAST(SUM(leads) AS BIGINT)"), "l")
        .column_as(Expr::cust("CAST(SUM(conversions) AS BIGINT)"), "c")
        .filter(link::Column::StoreId.eq(store_id.0))
        .filter(link::Column::AffiliateId.is_in(ids.to_vec()))
        .group_by(link::Column::AffiliateId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, v, l, c)| {
            (
                id,
                Counters {
                    visitors: v,
                    leads: l,
                    conversions: c,
                },
            )
        })
        .collect())
}

/// How many affiliates of the store joined from each signup address of
/// `items`, for the list's "shared IP" flag (fraud review): only addresses
/// used by two or more affiliates are in the answer.
pub async fn shared_signup_ips(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    items: &[affiliate::Model],
) -> ServiceResult<HashMap<String, i64>> {
    let hashes: Vec<String> = items
        .iter()
        .filter_map(|a| a.signup_ip_hash.clone())
        .collect();
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = affiliate::Entity::find()
        .select_only()
        .column(affiliate::Column::SignupIpHash)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::SignupIpHash.is_in(hashes))
        .group_by(affiliate::Column::SignupIpHash)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter(|(_, n)| *n > 1).collect())
}
