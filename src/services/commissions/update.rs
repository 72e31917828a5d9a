//! Staff edits: amount, due date and remarks of a pending or due commission,
//! and the status moves the typed transitions allow (pending → due, → voided).
//! The request is merged into the row read locked inside the write
//! transaction, so two concurrent edits of different fields both land.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use serde_json::json;

use super::void::{parse_voiding, void_locked};
use super::{editable_fields, lock, refused, snapshot};
use crate::db;
use crate::domain::commission_edit::{
    StatusMove, amount_follows_refunds, check_amount, check_due_at, editable, not_in_payout,
    parse_time, status_move,
};
use crate::domain::money::parse_signed;
use crate::domain::states::{CommissionStatus, LedgerKind};
use crate::domain::{CommissionId, SaleId, StoreId, ValidationErrors};
use crate::entities::{commission, store};
use crate::services::{Actor, ServiceResult, audit, campaigns, events, ledger, sales};

/// A partial change: `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct CommissionForUpdate {
    pub amount: Option<String>,
    /// Blank is refused ("can't be blank"), as Rewardful does.
    pub due_at: Option<String>,
    /// `Some(None)` or blank text clears the remarks.
    pub remarks: Option<Option<String>>,
    /// `due` (from pending) or `voided`.
    pub status: Option<String>,
    /// With `status: voided` only (else a 422, as `void_note`).
    pub void_reason: Option<String>,
    pub void_note: Option<String>,
}

pub const MAX_REMARKS_CHARS: usize = 1000;

/// Optional free text: trimmed, blank is none, bounded, no control
/// characters but line breaks and tabs.
pub(crate) fn optional_note(text: Option<&str>, max: usize) -> Result<Option<String>, String> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(Some(t.to_owned()))
}

/// The ledger kind of a commission entering the balance.
pub(crate) fn due_kind(amount_minor: i64) -> LedgerKind {
    if amount_minor < 0 {
        LedgerKind::Clawback
    } else {
        LedgerKind::CommissionDue
    }
}

pub async fn update(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    id: CommissionId,
    change: CommissionForUpdate,
) -> ServiceResult<commission::Model> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    let txn = db::begin_write(db).await?;
    let current = lock(&txn, store_id, id).await?;
    let now = Utc::now();

    let mut e = ValidationErrors::new();
    let amount = change.amount.as_deref().and_then(|a| {
        e.check(
            "amount",
            parse_signed(a, currency)
                .and_then(|v| check_amount(current.amount_minor, v).map(|_| v)),
        )
    });
    let due_at = change
        .due_at
        .as_deref()
        .and_then(|t| e.check("due_at", parse_time(t, Some(current.due_at))));
    let remarks = match &change.remarks {
        None => None,
        Some(r) => e.check("remarks", optional_note(r.as_deref(), MAX_REMARKS_CHARS)),
    };
    let wanted = change
        .status
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| e.check("status", CommissionStatus::parse(s)));
    e.into_result()?;

    let mv = match wanted {
        Some(s) => status_move(current.status, s).map_err(refused)?,
        None => StatusMove::Stay,
    };
    // A reason is read only by a void: sent with anything else (even a
    // reason no void takes) it would be dropped without a word.
    if mv != StatusMove::Void {
        let mut e = ValidationErrors::new();
        for (field, given) in [
            ("void_reason", &change.void_reason),
            ("void_note", &change.void_note),
        ] {
            if given.is_some() {
                e.add(field, "goes only with status voided");
            }
        }
        e.into_result()?;
    }
    if mv == StatusMove::Void {
        if change.amount.is_some() || change.due_at.is_some() || change.remarks.is_some() {
            return Err(ValidationErrors::single(
                "status",
                "a void changes nothing else: send amount, due_at and remarks without it",
            )
            .into());
        }
        let voiding = parse_voiding(change.void_reason.as_deref(), change.void_note.as_deref())?;
        let voided = void_locked(&txn, store_id, actor, current, &voiding).await?;
        txn.commit().await?;
        return Ok(voided);
    }
    let edits = amount.is_some() || due_at.is_some() || remarks.is_some();
    if !edits && mv == StatusMove::Stay {
        return Ok(current);
    }
    editable(current.status).map_err(refused)?;
    let new_amount = amount.unwrap_or(current.amount_minor);
    if new_amount != current.amount_minor {
        not_in_payout(current.status, current.payout_id).map_err(refused)?;
        if let Some(sale_id) = current.sale_id {
            let sale = sales::get(&txn, store_id, SaleId(sale_id)).await?;
            amount_follows_refunds(current.kind, sale.refunded_minor).map_err(refused)?;
        }
    }
    let (new_status, mut new_due_at) = match mv {
        StatusMove::Promote => (
            CommissionStatus::Due,
            due_at.unwrap_or(current.due_at).min(now),
        ),
        _ => (current.status, due_at.unwrap_or(current.due_at)),
    };
    if due_at.is_some() {
        check_due_at(new_status, new_due_at, now)
            .map_err(|m| ValidationErrors::single("due_at", m))?;
    }
    new_due_at = db::stored_time(new_due_at);

    move_balance(&txn, store_id, &current, new_status, new_amount).await?;
    let mut active: commission::ActiveModel = current.clone().into();
    if new_amount != current.amount_minor {
        active.amount_minor = Set(new_amount);
        // The edited amount is the base later refunds are computed from.
        active.original_amount_minor = Set(new_amount);
    }
    active.due_at = Set(new_due_at);
    active.status = Set(new_status);
    if let Some(r) = remarks {
        active.remarks = Set(r);
    }
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    events::emit(&txn, store_id, "commission.updated", snapshot(&updated)).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "commission.updated",
        "commission",
        Some(updated.id.to_string()),
        json!({"before": editable_fields(&current), "after": editable_fields(&updated)}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Keeps balance = Σ ledger: a due commission's new amount moves the
/// difference (an adjustment), a promotion enters the whole amount.
async fn move_balance(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    current: &commission::Model,
    new_status: CommissionStatus,
    new_amount: i64,
) -> ServiceResult<()> {
    let was_in = current.status == CommissionStatus::Due;
    let is_in = new_status == CommissionStatus::Due;
    let (kind, amount_minor) = match (was_in, is_in) {
        (true, true) => (
            LedgerKind::Adjustment,
            new_amount
                .checked_sub(current.amount_minor)
                .ok_or_else(|| anyhow::anyhow!("amount out of range"))?,
        ),
        (false, true) => (due_kind(new_amount), new_amount),
        _ => return Ok(()),
    };
    ledger::post(
        conn,
        store_id,
        ledger::Entry {
            affiliate_id: current.affiliate_id,
            commission_id: Some(current.id),
            kind,
            amount_minor,
            currency: &current.currency,
        },
    )
    .await
}
