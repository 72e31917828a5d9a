//! Cutting a due commission in two for a recorded payout that covers it in
//! part (`domain::payout::Split`): the commission keeps its id and becomes
//! the settled part, and a new due commission holds the remainder, with the
//! same sale, referral, affiliate, campaign, kind and due date and
//! `split_of` naming the family's first commission. Both were due and stay
//! due until the payout claims the first, so the split itself moves no
//! money: no ledger entry (the `commission_due` entry of the whole stays
//! on the first part), Σ ledger = balance as before. Inside the caller's
//! transaction, which holds the affiliate's lock; audited, with
//! `commission.updated` and `commission.created` events.

use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::db;
use crate::domain::commission::split::split_original;
use crate::domain::payout::Split;
use crate::domain::states::CommissionStatus;
use crate::domain::{CommissionId, StoreId};
use crate::entities::commission;
use crate::services::{Actor, audit, commissions, events};

/// The two parts a split left: the settled one (still due, for the payout
/// to claim) and the due remainder.
pub struct Parts {
    pub settled: commission::Model,
    pub remainder: commission::Model,
}

pub(crate) async fn split(
    txn: &db::Txn,
    store_id: StoreId,
    actor: &Actor,
    s: Split,
) -> ServiceResult<Parts> {
    let c = commissions::lock(txn, store_id, CommissionId(s.commission_id)).await?;
    let whole = s.settled_minor.checked_add(s.remainder_minor);
    if c.status != CommissionStatus::Due || c.payout_id.is_some() || whole != Some(c.amount_minor) {
        return Err(ServiceError::Conflict(
            "A commission of this payout changed while it was being recorded; nothing was paid. Reload and try again."
                .into(),
        ));
    }
    let (settled_original, remainder_original) =
        split_original(c.original_amount_minor, c.amount_minor, s.settled_minor)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
    let now = db::stored_now();
    let family = c.split_of.unwrap_or(c.id);
    let remainder = commission::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(c.store_id),
        affiliate_id: Set(c.affiliate_id),
        campaign_id: Set(c.campaign_id),
        referral_id: Set(c.referral_id),
        sale_id: Set(c.sale_id),
        kind: Set(c.kind),
        sale_amount_minor: Set(c.sale_amount_minor),
        amount_minor: Set(s.remainder_minor),
        original_amount_minor: Set(remainder_original),
        currency: Set(c.currency.clone()),
        status: Set(CommissionStatus::Due),
        due_at: Set(c.due_at),
        paid_at: Set(None),
        payout_id: Set(None),
        clawback_of: Set(c.clawback_of),
        split_of: Set(Some(family)),
        remarks: Set(c.remarks.clone()),
        // What the store kept, and the payment id (unique per store), stay
        // with the first part.
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
    let before =
        json!({"amount_minor": c.amount_minor, "original_amount_minor": c.original_amount_minor});
    let mut active: commission::ActiveModel = c.into();
    active.amount_minor = Set(s.settled_minor);
    active.original_amount_minor = Set(settled_original);
    active.updated_at = Set(now);
    let settled = active.update(txn).await?;
    audit::record(
        txn,
        store_id,
        actor,
        "commission.split",
        "commission",
        Some(settled.id.to_string()),
        json!({
            "before": before,
            "after": {"amount_minor": settled.amount_minor, "original_amount_minor": settled.original_amount_minor},
            "remainder_id": remainder.id, "remainder_minor": remainder.amount_minor,
            "split_of": family,
        }),
    )
    .await?;
    audit::record(
        txn,
        store_id,
        actor,
        "commission.split_off",
        "commission",
        Some(remainder.id.to_string()),
        json!({"split_of": family, "from": settled.id, "amount_minor": remainder.amount_minor}),
    )
    .await?;
    events::emit(
        txn,
        store_id,
        "commission.updated",
        commissions::snapshot(&settled),
    )
    .await?;
    events::emit(
        txn,
        store_id,
        "commission.created",
        commissions::snapshot(&remainder),
    )
    .await?;
    Ok(Parts { settled, remainder })
}
