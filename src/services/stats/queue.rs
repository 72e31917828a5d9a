//! What waits for the store's staff: applications to review and payouts to
//! make. The payouts figure is the Due view's (`services::payouts::due`),
//! so the dashboard and the Due page never disagree.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::domain::StoreId;
use crate::domain::affiliate::AffiliateStatus;
use crate::domain::payout::PayoutMethod;
use crate::entities::affiliate;
use crate::services::{ServiceResult, payouts};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreQueue {
    /// Affiliates waiting for approval (the affiliates list's pending tab).
    pub pending_applications: u64,
    /// Affiliates the Due view can pay now by external payout, and the sum.
    pub due_payouts: usize,
    pub due_total_minor: i64,
}

pub async fn store_queue(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    currency: &str,
) -> ServiceResult<StoreQueue> {
    let pending_applications = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Status.eq(AffiliateStatus::Pending))
        .count(conn)
        .await?;
    let due = payouts::due(conn, store_id, currency, PayoutMethod::External).await?;
    Ok(StoreQueue {
        pending_applications,
        due_payouts: due.rows.len(),
        due_total_minor: due.total_minor,
    })
}
