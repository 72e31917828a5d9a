//! Marking a payout paid: the money left (a PayPal transaction id or bank
//! reference may be kept); its commissions become `paid`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{ServiceError, ServiceResult, commission_snapshot, lock_payout, snapshot};
use crate::db;
use crate::domain::states::CommissionStatus;
use crate::domain::{PayoutId, StoreId, ValidationErrors};
use crate::entities::{commission, payout};
use crate::services::{Actor, audit, events};

#[derive(Default)]
pub struct MarkPaidInput {
    pub reference: Option<String>,
    /// Default: now. Not in the future.
    pub paid_at: Option<DateTime<Utc>>,
}

pub async fn mark_paid(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: PayoutId,
    input: MarkPaidInput,
) -> ServiceResult<payout::Model> {
    let mut errors = ValidationErrors::new();
    let reference = errors.check(
        "reference",
        super::optional_text(input.reference.as_deref(), 255),
    );
    let paid_at = errors.check("paid_at", paid_time(input.paid_at));
    errors.into_result()?;
    let paid_at = paid_at.expect("checked");
    let reference = reference.flatten();

    let txn = db::begin_write(db).await?;
    let p = lock_payout(&txn, store_id, id).await?;
    let p = mark_paid_in(&txn, store_id, actor, p, reference, paid_at, Announce::Mail).await?;
    txn.commit().await?;
    Ok(p)
}

/// When the money left: now by default, never in the future (a few
/// minutes of clock difference aside).
pub(crate) fn paid_time(at: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, String> {
    let now = db::stored_now();
    let paid_at = db::stored_time(at.unwrap_or(now));
    if paid_at > now + chrono::Duration::minutes(5) {
        return Err("must not be in the future".into());
    }
    Ok(paid_at)
}

/// The change itself, inside the caller's transaction, which holds the
/// payout's lock (also used to pay one commission on its own, `pay_one`).
/// Whether marking paid tells the affiliate: a payout paid now does; a
/// paid payout imported with its history does not (it was paid long ago,
/// and the affiliate knew).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Announce {
    Mail,
    Silently,
}

pub(crate) async fn mark_paid_in(
    txn: &db::Txn,
    store_id: StoreId,
    actor: &Actor,
    p: payout::Model,
    reference: Option<String>,
    paid_at: DateTime<Utc>,
    announce: Announce,
) -> ServiceResult<payout::Model> {
    let now = db::stored_now();
    let status = p
        .status
        .mark_paid()
        .map_err(|e| ServiceError::Conflict(e.0))?;
    let held = commission::Entity::find()
        .filter(commission::Column::PayoutId.eq(p.id))
        .all(txn)
        .await?;
    for c in &held {
        c.status.settle().map_err(|e| {
            ServiceError::Conflict(format!("Commission {} cannot be paid: {}", c.id, e.0))
        })?;
    }
    commission::Entity::update_many()
        .col_expr(
            commission::Column::Status,
            Expr::value(CommissionStatus::Paid),
        )
        .col_expr(commission::Column::PaidAt, Expr::value(paid_at))
        .col_expr(commission::Column::UpdatedAt, Expr::value(now))
        .filter(commission::Column::PayoutId.eq(p.id))
        .filter(commission::Column::Status.eq(CommissionStatus::Due))
        .exec(txn)
        .await?;
    let mut active: payout::ActiveModel = p.into();
    active.status = Set(status);
    active.paid_at = Set(Some(paid_at));
    if reference.is_some() {
        active.reference = Set(reference);
    }
    active.updated_at = Set(now);
    let p = active.update(txn).await?;
    audit::record(
        txn,
        store_id,
        actor,
        "payout.paid",
        "payout",
        Some(p.id.to_string()),
        json!({"reference": p.reference, "paid_at": paid_at, "amount_minor": p.amount_minor}),
    )
    .await?;
    events::emit(txn, store_id, "payout.paid", snapshot(&p)).await?;
    if announce == Announce::Mail {
        crate::services::email::notify::payout_paid(txn, store_id, &p).await?;
    }
    for c in held {
        let mut paid = c;
        paid.status = CommissionStatus::Paid;
        paid.paid_at = Some(paid_at);
        events::emit(txn, store_id, "commission.paid", commission_snapshot(&paid)).await?;
    }
    Ok(p)
}
