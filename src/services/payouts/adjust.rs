//! A manual correction of an affiliate's balance (±, with a reason).
//!
//! It is written as a due manual commission carrying the reason as its
//! remarks, and a ledger `adjustment` entry naming it: the balance moves at
//! once, and the next payout settles the adjustment like any commission, so
//! a payout's amount stays the exact sum of what it settles.
//!
//! Under an `Idempotency-Key` the adjustment is made once: run again under
//! the same key (a retry whose first answer was lost), it returns the
//! adjustment its key made, named by that request's audit entry.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{ServiceResult, commission_snapshot, currency_of, lock_affiliate};
use crate::db;
use crate::domain::money::{format_minor, parse_amount};
use crate::domain::states::{CommissionKind, CommissionStatus, LedgerKind};
use crate::domain::text::required_text;
use crate::domain::{AffiliateId, StoreId, ValidationErrors};
use crate::entities::{affiliate, commission, store};
use crate::services::{Actor, audit, events, idempotency, ledger};

pub struct AdjustInput {
    /// Signed: "-5.00" takes money off the balance.
    pub amount: String,
    pub reason: String,
}

pub async fn adjust(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: AdjustInput,
) -> ServiceResult<commission::Model> {
    let store_id = StoreId(store.id);
    let cur = currency_of(&store.currency);
    let mut errors = ValidationErrors::new();
    let text = input.amount.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let amount = match parse_amount(digits, cur) {
        Ok(0) => {
            errors.add("amount", "must not be zero");
            None
        }
        Ok(m) => Some(if negative { -m } else { m }),
        Err(m) => {
            errors.add("amount", m);
            None
        }
    };
    let reason = errors.check("reason", required_text(&input.reason, 500));
    errors.into_result()?;
    let (Some(amount), Some(reason)) = (amount, reason) else {
        unreachable!("errors returned above");
    };
    if let Some(made) = made_under_key(db, store_id, actor).await? {
        return Ok(made);
    }

    let txn = db::begin_write(db).await?;
    let a = lock_affiliate(&txn, store_id, affiliate_id).await?;
    let c = adjust_in(&txn, store, actor, &a, amount, &reason).await?;
    txn.commit().await?;
    Ok(c)
}

const ADJUSTED: &str = "affiliate.balance_adjusted";

/// The adjustment the actor's `Idempotency-Key` already made, if any.
async fn made_under_key(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
) -> ServiceResult<Option<commission::Model>> {
    let Some(key) = actor.idempotency_key else {
        return Ok(None);
    };
    let made = idempotency::effects(db, store_id, key)
        .await?
        .into_iter()
        .find(|e| e.action == ADJUSTED)
        .and_then(|e| e.details["commission_id"].as_str().map(str::to_owned))
        .and_then(|id| Uuid::parse_str(&id).ok());
    let Some(id) = made else {
        return Ok(None);
    };
    Ok(commission::Entity::find_by_id(id)
        .filter(commission::Column::StoreId.eq(store_id.0))
        .one(db)
        .await?)
}

/// The adjustment itself, inside the caller's transaction (which holds the
/// affiliate's lock, or has just created the affiliate: an opening balance).
pub(crate) async fn adjust_in(
    txn: &db::Txn,
    store: &store::Model,
    actor: &Actor,
    a: &affiliate::Model,
    amount: i64,
    reason: &str,
) -> ServiceResult<commission::Model> {
    let store_id = StoreId(store.id);
    let cur = currency_of(&store.currency);
    let now = db::stored_now();
    let c = commission::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(a.id),
        campaign_id: Set(Some(a.campaign_id)),
        referral_id: Set(None),
        sale_id: Set(None),
        kind: Set(CommissionKind::Manual),
        sale_amount_minor: Set(0),
        amount_minor: Set(amount),
        original_amount_minor: Set(amount),
        currency: Set(store.currency.clone()),
        status: Set(CommissionStatus::Due),
        due_at: Set(now),
        paid_at: Set(None),
        payout_id: Set(None),
        clawback_of: Set(None),
        split_of: Set(None),
        remarks: Set(Some(format!("Balance adjustment: {reason}"))),
        admin_earned_minor: Set(None),
        external_payment_id: Set(None),
        void_reason: Set(None),
        void_note: Set(None),
        created_by: Set(actor.label.chars().take(254).collect()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    ledger::post(
        txn,
        store_id,
        ledger::Entry {
            affiliate_id: a.id,
            commission_id: Some(c.id),
            kind: LedgerKind::Adjustment,
            amount_minor: amount,
            currency: &store.currency,
        },
    )
    .await?;
    audit::record(
        txn,
        store_id,
        actor,
        ADJUSTED,
        "affiliate",
        Some(a.id.to_string()),
        json!({"amount": format_minor(amount, cur), "amount_minor": amount, "reason": reason,
               "commission_id": c.id, "balance_before_minor": a.balance_minor}),
    )
    .await?;
    events::emit(txn, store_id, "commission.created", commission_snapshot(&c)).await?;
    Ok(c)
}
