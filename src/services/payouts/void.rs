//! Voiding a payout (cancelled before sending, or a bounced transfer after):
//! its commissions are due again, the money returns to the balance, and a
//! second void is refused.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{ServiceError, ServiceResult, lock_payout, snapshot};
use crate::db;
use crate::domain::payout::{PayoutMethod, released};
use crate::domain::states::{CommissionStatus, LedgerKind};
use crate::domain::text::required_text;
use crate::domain::{PayoutId, StoreId, ValidationErrors};
use crate::entities::{commission, payout, payout_item};
use crate::services::{Actor, ActorKind, audit, events, ledger};

pub async fn void(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: PayoutId,
    reason: &str,
) -> ServiceResult<payout::Model> {
    let reason =
        required_text(reason, 500).map_err(|m| ValidationErrors::single("void_reason", m))?;
    let txn = db::begin_write(db).await?;
    let p = lock_payout(&txn, store_id, id).await?;
    let status = p.status.void().map_err(|e| ServiceError::Conflict(e.0))?;
    let now = db::stored_now();
    for from in [CommissionStatus::Due, CommissionStatus::Paid] {
        commission::Entity::update_many()
            .col_expr(commission::Column::Status, Expr::value(released(from)))
            .col_expr(
                commission::Column::PaidAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(
                commission::Column::PayoutId,
                Expr::value(Option::<uuid::Uuid>::None),
            )
            .col_expr(commission::Column::UpdatedAt, Expr::value(now))
            .filter(commission::Column::PayoutId.eq(p.id))
            .filter(commission::Column::Status.eq(from))
            .exec(&txn)
            .await?;
    }
    // Anything else it held (refunded meanwhile) is let go as it is.
    commission::Entity::update_many()
        .col_expr(
            commission::Column::PayoutId,
            Expr::value(Option::<uuid::Uuid>::None),
        )
        .filter(commission::Column::PayoutId.eq(p.id))
        .exec(&txn)
        .await?;
    payout_item::Entity::update_many()
        .col_expr(payout_item::Column::ReleasedAt, Expr::value(now))
        .filter(payout_item::Column::PayoutId.eq(p.id))
        .filter(payout_item::Column::ReleasedAt.is_null())
        .exec(&txn)
        .await?;
    ledger::post_for_payout(
        &txn,
        store_id,
        ledger::Entry {
            affiliate_id: p.affiliate_id,
            commission_id: None,
            kind: LedgerKind::PayoutVoid,
            amount_minor: p.amount_minor,
            currency: &p.currency,
        },
        Some(p.id),
    )
    .await?;
    let was = p.status;
    let mut active: payout::ActiveModel = p.into();
    active.status = Set(status);
    active.voided_at = Set(Some(now));
    active.voided_by = Set(Some(actor.label.chars().take(254).collect()));
    active.voided_by_user_id = Set(actor.id.filter(|_| actor.kind == ActorKind::User));
    active.void_reason = Set(Some(reason.clone()));
    active.updated_at = Set(now);
    let p = active.update(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "payout.voided",
        "payout",
        Some(p.id.to_string()),
        json!({"reason": reason, "was": was, "amount_minor": p.amount_minor}),
    )
    .await?;
    events::emit(&txn, store_id, "payout.voided", snapshot(&p)).await?;
    if p.method == PayoutMethod::StoreCredit {
        events::emit(
            &txn,
            store_id,
            "store_credit.voided",
            json!({"payout_id": p.id, "customer": p.external_customer_id, "affiliate_id": p.affiliate_id,
                   "amount_minor": p.amount_minor, "currency": p.currency, "reason": reason}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(p)
}
