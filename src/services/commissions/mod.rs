//! Commissions: the list with its filters and totals (`list`), staff edits
//! (`update`), voids (`void`) and manual commissions (`create`), and the job
//! that makes pending ones due once their hold period is over.
//!
//! Every change runs in one write transaction that reads the row locked
//! (`lock`: `BEGIN IMMEDIATE` on SQLite, `FOR UPDATE` on PostgreSQL), merges
//! the request into what it read, and writes the row, its ledger entry (a
//! due commission is in the balance: `ledger::post` keeps balance = Σ
//! ledger), the audit entry with before and after, and the outbox event.
//!
//! The promotion job is safe with several app instances: each row moves with
//! a conditional update (`… WHERE status = 'pending'`), so only one instance
//! wins it, and PostgreSQL skips rows another instance has locked.

mod create;
mod list;
mod status_days;
mod totals;
mod update;
mod void;

/// What pages and the API read of a commission.
pub use crate::entities::commission::Model as Commission;
pub use create::{CommissionForCreate, create};
pub use list::{CommissionFilter, FilterText, affiliates_of, export_chunk, list};
pub use status_days::status_day_mismatches;
pub use totals::{StatusTotal, Totals, totals};
pub use update::{CommissionForUpdate, update};
pub(crate) use void::void_locked;
pub use void::{parse_voiding, void};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;

use super::{ServiceError, ServiceResult, events, ledger};
use crate::db;
use crate::domain::CommissionId;
use crate::domain::StoreId;
use crate::domain::states::{CommissionStatus, LedgerKind, TransitionError};
use crate::entities::{audit_entry, commission, ledger_entry};

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

/// The commission, read for a change: locked against concurrent writers
/// on PostgreSQL (SQLite's write transaction holds the whole database).
pub(crate) async fn lock(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CommissionId,
) -> ServiceResult<commission::Model> {
    let mut q =
        commission::Entity::find_by_id(id).filter(commission::Column::StoreId.eq(store_id.0));
    if !db::is_sqlite(conn) {
        q = q.lock_exclusive();
    }
    q.one(conn).await?.ok_or(ServiceError::NotFound)
}

/// A refused state change as the error every surface shows.
pub(crate) fn refused(e: TransitionError) -> ServiceError {
    ServiceError::Conflict(e.0)
}

/// The ledger entries a commission made, oldest first.
pub async fn ledger_entries(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CommissionId,
) -> ServiceResult<Vec<ledger_entry::Model>> {
    Ok(ledger_entry::Entity::find()
        .filter(ledger_entry::Column::StoreId.eq(store_id.0))
        .filter(ledger_entry::Column::CommissionId.eq(id))
        .order_by_asc(ledger_entry::Column::Id)
        .all(conn)
        .await?)
}

/// The parts split off a commission by recorded payouts, oldest first
/// (for a part itself: none; its `split_of` names the first).
pub async fn parts_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CommissionId,
) -> ServiceResult<Vec<commission::Model>> {
    Ok(commission::Entity::find()
        .filter(commission::Column::StoreId.eq(store_id.0))
        .filter(commission::Column::SplitOf.eq(id.0))
        .order_by_asc(commission::Column::Id)
        .all(conn)
        .await?)
}

/// The audit trail of one commission, oldest first.
pub async fn audit_trail(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CommissionId,
) -> ServiceResult<Vec<audit_entry::Model>> {
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::StoreId.eq(store_id.0))
        .filter(audit_entry::Column::EntityType.eq("commission"))
        .filter(audit_entry::Column::EntityId.eq(id.to_string()))
        .order_by_asc(audit_entry::Column::Id)
        .all(conn)
        .await?)
}

pub fn snapshot(c: &commission::Model) -> serde_json::Value {
    json!({
        "id": c.id, "affiliate_id": c.affiliate_id, "campaign_id": c.campaign_id, "sale_id": c.sale_id,
        "referral_id": c.referral_id, "kind": c.kind, "sale_amount_minor": c.sale_amount_minor,
        "amount_minor": c.amount_minor, "original_amount_minor": c.original_amount_minor,
        "currency": c.currency, "status": c.status, "due_at": c.due_at, "clawback_of": c.clawback_of,
        "split_of": c.split_of,
        "remarks": c.remarks, "admin_earned_minor": c.admin_earned_minor,
        "external_payment_id": c.external_payment_id, "void_reason": c.void_reason, "void_note": c.void_note,
    })
}

/// The fields an edit can change, for the audit entry's before and after.
pub(crate) fn editable_fields(c: &commission::Model) -> serde_json::Value {
    json!({
        "amount_minor": c.amount_minor, "due_at": c.due_at, "remarks": c.remarks, "status": c.status,
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
