//! Commissions: listing, and the job that makes pending ones due once their
//! hold period is over. Safe with several app instances: each row moves with
//! a conditional update (`… WHERE status = 'pending'`), so only one instance
//! wins it, and PostgreSQL skips rows another instance has locked.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

use super::paging::{Page, PageRequest};
use super::{ServiceError, ServiceResult, events, ledger};
use crate::db;
use crate::domain::StoreId;
use crate::domain::states::{CommissionStatus, LedgerKind};
use crate::domain::{AffiliateId, CommissionId, SaleId};
use crate::entities::commission;

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CommissionId,
) -> ServiceResult<commission::Model> {
    commission::Entity::find_by_id(id)
        .filter(commission::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

#[derive(Debug, Default, Clone)]
pub struct CommissionFilter {
    pub status: Option<CommissionStatus>,
    pub affiliate_id: Option<AffiliateId>,
    pub sale_id: Option<SaleId>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &CommissionFilter,
    page: PageRequest,
) -> ServiceResult<Page<commission::Model>> {
    let mut q = commission::Entity::find().filter(commission::Column::StoreId.eq(store_id.0));
    if let Some(s) = &f.status {
        q = q.filter(commission::Column::Status.eq(*s));
    }
    if let Some(a) = f.affiliate_id {
        q = q.filter(commission::Column::AffiliateId.eq(a));
    }
    if let Some(s) = f.sale_id {
        q = q.filter(commission::Column::SaleId.eq(s));
    }
    if let Some(after) = page.starting_after {
        q = q.filter(commission::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(commission::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

pub fn snapshot(c: &commission::Model) -> serde_json::Value {
    json!({
        "id": c.id, "affiliate_id": c.affiliate_id, "sale_id": c.sale_id, "referral_id": c.referral_id,
        "kind": c.kind, "amount_minor": c.amount_minor, "currency": c.currency, "status": c.status,
        "due_at": c.due_at, "clawback_of": c.clawback_of,
    })
}

/// Moves every pending commission whose hold period ended by `now` to due,
/// crediting the affiliate's balance. Returns how many moved.
pub async fn promote_due(db: &DatabaseConnection, now: DateTime<Utc>) -> ServiceResult<u64> {
    let mut moved = 0;
    loop {
        let txn = db::begin_write(db).await?;
        let mut q = commission::Entity::find()
            .filter(commission::Column::Status.eq(CommissionStatus::Pending))
            .filter(commission::Column::DueAt.lte(now))
            .order_by_asc(commission::Column::DueAt)
            .limit(200);
        if !db::is_sqlite(&txn) {
            q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let batch = q.all(&txn).await?;
        if batch.is_empty() {
            txn.commit().await?;
            return Ok(moved);
        }
        for c in batch {
            let claimed = commission::Entity::update_many()
                .col_expr(
                    commission::Column::Status,
                    Expr::value(CommissionStatus::Due),
                )
                .col_expr(commission::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(commission::Column::Id.eq(c.id))
                .filter(commission::Column::Status.eq(CommissionStatus::Pending))
                .exec(&txn)
                .await?;
            if claimed.rows_affected != 1 {
                continue;
            }
            let store_id = StoreId(c.store_id);
            ledger::post(
                &txn,
                store_id,
                ledger::Entry {
                    affiliate_id: c.affiliate_id,
                    commission_id: Some(c.id),
                    kind: LedgerKind::CommissionDue,
                    amount_minor: c.amount_minor,
                    currency: &c.currency,
                },
            )
            .await?;
            let mut due = c.clone();
            due.status = CommissionStatus::Due;
            events::emit(&txn, store_id, "commission.updated", snapshot(&due)).await?;
            let system = super::Actor {
                kind: super::ActorKind::System,
                id: None,
                label: "hold period ended".into(),
                ip: None,
                idempotency_key: None,
            };
            super::audit::record(
                &txn,
                store_id,
                &system,
                "commission.due",
                "commission",
                Some(c.id.to_string()),
                json!({"amount_minor": c.amount_minor, "affiliate_id": c.affiliate_id}),
            )
            .await?;
            moved += 1;
        }
        txn.commit().await?;
    }
}
