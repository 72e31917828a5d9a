//! Reading referrals: filtered keyset pages and a referral's timeline.

use super::*;

#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    pub state: Option<ReferralState>,
    pub affiliate_id: Option<AffiliateId>,
    pub campaign_id: Option<CampaignId>,
    pub email: Option<String>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &ReferralFilter,
    page: PageRequest,
) -> ServiceResult<Page<referral::Model>> {
    let mut q = referral::Entity::find().filter(referral::Column::StoreId.eq(store_id.0));
    if let Some(s) = &f.state {
        q = q.filter(referral::Column::State.eq(*s));
    }
    if let Some(a) = f.affiliate_id {
        q = q.filter(referral::Column::AffiliateId.eq(a));
    }
    if let Some(c) = f.campaign_id {
        q = q.filter(referral::Column::CampaignId.eq(c));
    }
    if let Some(e) = f.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        q = q.filter(referral::Column::Email.eq(e.to_lowercase()));
    }
    if let Some(from) = f.from {
        q = q.filter(referral::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(referral::Column::CreatedAt.lt(to));
    }
    if let Some(after) = page.starting_after {
        q = q.filter(referral::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(referral::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

pub struct Timeline {
    pub visits: Vec<visit::Model>,
    pub sales: Vec<sale::Model>,
    pub commissions: Vec<commission::Model>,
}

pub async fn timeline(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: ReferralId,
) -> ServiceResult<Timeline> {
    Ok(Timeline {
        visits: visit::Entity::find()
            .filter(visit::Column::StoreId.eq(store_id.0))
            .filter(visit::Column::ReferralId.eq(id))
            .order_by_asc(visit::Column::Id)
            .limit(200)
            .all(conn)
            .await?,
        sales: sale::Entity::find()
            .filter(sale::Column::StoreId.eq(store_id.0))
            .filter(sale::Column::ReferralId.eq(id))
            .order_by_asc(sale::Column::Id)
            .limit(200)
            .all(conn)
            .await?,
        commissions: commission::Entity::find()
            .filter(commission::Column::StoreId.eq(store_id.0))
            .filter(commission::Column::ReferralId.eq(id))
            .order_by_asc(commission::Column::Id)
            .limit(200)
            .all(conn)
            .await?,
    })
}

/// The affiliate of a referral, for display.
pub async fn affiliate_of(
    conn: &impl ConnectionTrait,
    r: &referral::Model,
) -> ServiceResult<Option<affiliate::Model>> {
    Ok(affiliate::Entity::find_by_id(r.affiliate_id)
        .one(conn)
        .await?)
}
