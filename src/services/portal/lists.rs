//! The signed-in affiliate's own lists: commissions, payouts and referred
//! customers, newest first, keyset-paged on the time-ordered id, and the
//! chunks the CSV exports stream. Every query is filtered by the store AND
//! the affiliate: the filters are built here from both ids, never taken
//! from the request, so another affiliate's rows cannot be asked for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::domain::customer_email;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::states::{CommissionKind, CommissionStatus, ReferralState};
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{affiliate, campaign, referral, sale};
use crate::services::commissions::{self, CommissionFilter};
use crate::services::paging::{Page, PageRequest};
use crate::services::payouts::{self, PayoutFilter};
use crate::services::{ServiceError, ServiceResult};

/// One of the affiliate's commissions as the portal shows it.
#[derive(Debug, Clone)]
pub struct CommissionRow {
    pub id: Uuid,
    pub status: CommissionStatus,
    pub kind: CommissionKind,
    /// What the affiliate earns (a refunded commission: what is left).
    pub amount_minor: i64,
    pub currency: String,
    /// When the sale happened (none for a manual commission).
    pub sale_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// The affiliate's commissions (of `status`, when given) after `after`.
pub async fn commissions(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    status: Option<CommissionStatus>,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<CommissionRow>> {
    let f = CommissionFilter {
        status,
        affiliate_id: Some(affiliate_id),
        ..Default::default()
    };
    let rows = commissions::export_chunk(conn, store_id, &f, after, limit).await?;
    let sale_ids: Vec<Uuid> = rows.iter().filter_map(|c| c.sale_id).collect();
    let sales: HashMap<Uuid, DateTime<Utc>> = if sale_ids.is_empty() {
        HashMap::new()
    } else {
        sale::Entity::find()
            .filter(sale::Column::StoreId.eq(store_id.0))
            .filter(sale::Column::Id.is_in(sale_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| (s.id, s.occurred_at))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|c| {
            let earned = crate::domain::commission_edit::earning(
                c.status,
                c.kind,
                c.amount_minor,
                c.original_amount_minor,
            );
            CommissionRow {
                id: c.id,
                status: c.status,
                kind: c.kind,
                amount_minor: earned.amount_minor,
                currency: c.currency,
                sale_at: c.sale_id.and_then(|s| sales.get(&s).copied()),
                due_at: c.due_at,
                created_at: c.created_at,
            }
        })
        .collect())
}

/// A page of [`commissions`].
pub async fn commission_page(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    status: Option<CommissionStatus>,
    page: PageRequest,
) -> ServiceResult<Page<CommissionRow>> {
    let rows = commissions(
        conn,
        store_id,
        affiliate_id,
        status,
        page.starting_after,
        page.limit + 1,
    )
    .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

#[derive(Debug, Clone)]
pub struct PayoutRow {
    pub id: Uuid,
    pub status: PayoutStatus,
    pub method: PayoutMethod,
    pub amount_minor: i64,
    pub currency: String,
    pub paid_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A page of the affiliate's payouts, newest first.
pub async fn payout_page(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    page: PageRequest,
) -> ServiceResult<Page<PayoutRow>> {
    let f = PayoutFilter {
        affiliate_id: Some(affiliate_id),
        ..Default::default()
    };
    let found = payouts::list(conn, store_id, &f, page).await?;
    Ok(Page {
        has_more: found.has_more,
        items: found
            .items
            .into_iter()
            .map(|p| PayoutRow {
                id: p.id,
                status: p.status,
                method: p.method,
                amount_minor: p.amount_minor,
                currency: p.currency,
                paid_at: p.paid_at,
                reference: p.reference,
                created_at: p.created_at,
            })
            .collect(),
    })
}

/// Chunks of [`payout_page`] for the CSV.
pub async fn payouts_after(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<PayoutRow>> {
    let page = PageRequest {
        limit,
        starting_after: after,
    };
    Ok(payout_page(conn, store_id, affiliate_id, page).await?.items)
}

/// A customer the affiliate referred (a lead or a buyer).
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub id: Uuid,
    /// Masked unless the affiliate's campaign shows emails.
    pub email: String,
    pub state: ReferralState,
    pub sale_count: i32,
    pub lead_at: Option<DateTime<Utc>>,
    pub first_sale_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A page of the affiliate's referred customers: referrals that signed up
/// or bought (visitors who only clicked are the dashboard's visitors), not
/// self-referrals, not erased. Emails as `domain::customer_email::shown`
/// with the affiliate's campaign's `show_customer_emails`.
pub async fn customer_page(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    page: PageRequest,
) -> ServiceResult<Page<CustomerRow>> {
    let a = affiliate::Entity::find_by_id(affiliate_id.0)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let show = campaign::Entity::find_by_id(a.campaign_id)
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .is_some_and(|c| c.show_customer_emails);
    let mut q = referral::Entity::find()
        .filter(referral::Column::StoreId.eq(store_id.0))
        .filter(referral::Column::AffiliateId.eq(affiliate_id.0))
        .filter(referral::Column::State.ne(ReferralState::Visitor))
        .filter(referral::Column::SelfReferral.eq(false))
        .filter(referral::Column::ErasedAt.is_null());
    if let Some(after) = page.starting_after {
        q = q.filter(referral::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(referral::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    let found = Page::from_overfetch(rows, page.limit);
    Ok(Page {
        has_more: found.has_more,
        items: found
            .items
            .into_iter()
            .map(|r| CustomerRow {
                id: r.id,
                email: r
                    .email
                    .as_deref()
                    .map(|e| customer_email::shown(e, show))
                    .unwrap_or_default(),
                state: r.state,
                sale_count: r.sale_count,
                lead_at: r.lead_at,
                first_sale_at: r.first_sale_at,
                created_at: r.created_at,
            })
            .collect(),
    })
}
