//! Voiding a commission: staff cancel it with a reason from a short list
//! and a note. A due one leaves the balance through a ledger reversal; a
//! paid one is refused (its money left: claw it back instead).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use serde_json::json;

use super::{editable_fields, lock, refused, snapshot};
use crate::db;
use crate::domain::commission_edit::not_in_payout;
use crate::domain::commission_void::Voiding;
use crate::domain::states::{CommissionStatus, LedgerKind};
use crate::domain::{CommissionId, StoreId, ValidationErrors};
use crate::entities::commission;
use crate::services::{Actor, ServiceResult, audit, events, ledger};

/// Reads a reason and its note as typed (fields `void_reason`, `void_note`).
pub fn parse_voiding(
    reason: Option<&str>,
    note: Option<&str>,
) -> Result<Voiding, ValidationErrors> {
    Voiding::parse(reason, note).map_err(|errors| {
        let mut e = ValidationErrors::new();
        for (field, message) in errors {
            e.add(field, message);
        }
        e
    })
}

pub async fn void(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CommissionId,
    reason: Option<&str>,
    note: Option<&str>,
) -> ServiceResult<commission::Model> {
    let voiding = parse_voiding(reason, note)?;
    let txn = db::begin_write(db).await?;
    let current = lock(&txn, store_id, id).await?;
    let voided = void_locked(&txn, store_id, actor, current, &voiding).await?;
    txn.commit().await?;
    Ok(voided)
}

/// The void itself, on a row read locked in the caller's transaction.
pub(crate) async fn void_locked(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    actor: &Actor,
    current: commission::Model,
    voiding: &Voiding,
) -> ServiceResult<commission::Model> {
    let becomes = current.status.void().map_err(refused)?;
    not_in_payout(current.status, current.payout_id).map_err(refused)?;
    if current.status == CommissionStatus::Due {
        ledger::post(
            conn,
            store_id,
            ledger::Entry {
                affiliate_id: current.affiliate_id,
                commission_id: Some(current.id),
                kind: LedgerKind::Reversal,
                amount_minor: current
                    .amount_minor
                    .checked_neg()
                    .ok_or_else(|| anyhow::anyhow!("amount out of range"))?,
                currency: &current.currency,
            },
        )
        .await?;
    }
    let mut active: commission::ActiveModel = current.clone().into();
    active.status = Set(becomes);
    active.void_reason = Set(Some(voiding.reason));
    active.void_note = Set(voiding.note.clone());
    active.updated_at = Set(Utc::now());
    let voided = active.update(conn).await?;
    events::emit(conn, store_id, "commission.voided", snapshot(&voided)).await?;
    audit::record(
        conn,
        store_id,
        actor,
        "commission.voided",
        "commission",
        Some(voided.id.to_string()),
        json!({
            "before": editable_fields(&current),
            "after": editable_fields(&voided),
            "void_reason": voiding.reason,
            "void_note": voiding.note,
        }),
    )
    .await?;
    Ok(voided)
}
