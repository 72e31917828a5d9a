//! Taking back a refund's share of a sale's commissions: a pending or due
//! one is reduced (or marked refunded); a paid one, or a due one a pending
//! payout holds, gets a negative clawback. What is kept is always computed
//! from the original amount and the sale's total refunded, so successive
//! partial refunds add up exactly.
//!
//! A commission split by a recorded payout (a settled part, often paid, and
//! a due remainder: `split_of`) is refunded as the one commission it was:
//! the family keeps what the whole would keep, and what the refund takes
//! is shared over the parts in proportion (`domain::commission::split`),
//! each part then reduced or clawed back by its own state. One commission
//! alone is the same rule as before splits existed.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::StoreId;
use crate::domain::commission::split::{Part, refund_takes};
use crate::domain::states::{CommissionKind, CommissionStatus, LedgerKind, RefundMove};
use crate::entities::commission as commission_entity;
use crate::services::{ServiceError, ServiceResult, commissions, events, ledger};

type Commission = commission_entity::Model;

/// Takes back, from each family of `owned` (the sale's sale commissions),
/// what a refund bringing the sale's refunded total to `refunded_total`
/// takes from it.
pub(super) async fn reverse_all(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    mut owned: Vec<Commission>,
    sale_amount: i64,
    refunded_total: i64,
) -> ServiceResult<()> {
    let full = refunded_total >= sale_amount;
    // Time-ordered ids: each family's first part comes first.
    owned.sort_by_key(|c| c.id);
    let mut families: Vec<((Uuid, Uuid), Vec<Commission>)> = Vec::new();
    for c in owned {
        let key = (c.affiliate_id, c.split_of.unwrap_or(c.id));
        match families.iter_mut().find(|(k, _)| *k == key) {
            Some((_, parts)) => parts.push(c),
            None => families.push((key, vec![c])),
        }
    }
    for (_, parts) in families {
        let mut moving = Vec::with_capacity(parts.len());
        for c in parts {
            // A due commission that a pending payout holds is money already
            // promised: it is taken back like a paid one (a clawback the
            // next payout carries), never reduced under the payout, whose
            // amount must stay the sum of what it settles (invariant 2).
            let movement = if c.payout_id.is_some() {
                RefundMove::ClawBack
            } else {
                c.status.refund(full)
            };
            let effective = match movement {
                RefundMove::Nothing => continue,
                RefundMove::Reduce { .. } => c.amount_minor,
                RefundMove::ClawBack => c
                    .amount_minor
                    .checked_add(clawed(conn, c.id).await?)
                    .ok_or_else(overflow)?,
            };
            moving.push((c, movement, effective));
        }
        if moving.is_empty() {
            continue;
        }
        let shape: Vec<Part> = moving
            .iter()
            .map(|(c, _, effective)| Part {
                original_minor: c.original_amount_minor,
                effective_minor: *effective,
            })
            .collect();
        let takes = refund_takes(&shape, sale_amount, refunded_total)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
        for ((c, movement, _), take) in moving.into_iter().zip(takes) {
            take_back(conn, store_id, c, movement, take).await?;
        }
    }
    Ok(())
}

/// The sum of the clawbacks already made against a paid commission.
async fn clawed(conn: &impl ConnectionTrait, id: Uuid) -> ServiceResult<i64> {
    commission_entity::Entity::find()
        .filter(commission_entity::Column::ClawbackOf.eq(id))
        .all(conn)
        .await?
        .iter()
        .try_fold(0i64, |sum, k| sum.checked_add(k.amount_minor))
        .ok_or_else(overflow)
}

/// Takes `take` from one commission, as its state says.
async fn take_back(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    c: Commission,
    movement: RefundMove,
    take: i64,
) -> ServiceResult<()> {
    match movement {
        RefundMove::Reduce {
            becomes,
            in_balance,
        } => {
            let new_amount = c.amount_minor.checked_sub(take).ok_or_else(overflow)?;
            let mut active: commission_entity::ActiveModel = c.clone().into();
            // The amount is what the affiliate earns now: 0 once refunded in
            // full (it used to keep the last partial value, so a consumer
            // summing `amount` overcounted).
            active.status = Set(becomes);
            active.amount_minor = Set(new_amount);
            active.updated_at = Set(Utc::now());
            let updated = active.update(conn).await?;
            if in_balance {
                ledger::post(
                    conn,
                    store_id,
                    ledger::Entry {
                        affiliate_id: c.affiliate_id,
                        commission_id: Some(c.id),
                        kind: LedgerKind::Reversal,
                        amount_minor: -take,
                        currency: &c.currency,
                    },
                )
                .await?;
            }
            events::emit(
                conn,
                store_id,
                "commission.updated",
                commissions::snapshot(&updated),
            )
            .await?;
        }
        RefundMove::ClawBack => {
            let clawback = take.checked_neg().ok_or_else(overflow)?;
            if clawback == 0 {
                return Ok(());
            }
            let now = Utc::now();
            let made = commission_entity::ActiveModel {
                id: Set(Uuid::now_v7()),
                store_id: Set(store_id.0),
                affiliate_id: Set(c.affiliate_id),
                campaign_id: Set(c.campaign_id),
                referral_id: Set(c.referral_id),
                sale_id: Set(c.sale_id),
                kind: Set(CommissionKind::Clawback),
                sale_amount_minor: Set(c.sale_amount_minor),
                amount_minor: Set(clawback),
                original_amount_minor: Set(clawback),
                currency: Set(c.currency.clone()),
                status: Set(CommissionStatus::Due),
                due_at: Set(now),
                paid_at: Set(None),
                payout_id: Set(None),
                clawback_of: Set(Some(c.id)),
                split_of: Set(None),
                remarks: Set(Some(
                    "clawback: the sale was refunded after the commission was paid".into(),
                )),
                admin_earned_minor: Set(None),
                external_payment_id: Set(None),
                void_reason: Set(None),
                void_note: Set(None),
                created_by: Set("system".into()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?;
            ledger::post(
                conn,
                store_id,
                ledger::Entry {
                    affiliate_id: c.affiliate_id,
                    commission_id: Some(made.id),
                    kind: LedgerKind::Clawback,
                    amount_minor: clawback,
                    currency: &c.currency,
                },
            )
            .await?;
            events::emit(
                conn,
                store_id,
                "commission.created",
                commissions::snapshot(&made),
            )
            .await?;
        }
        RefundMove::Nothing => {}
    }
    Ok(())
}

fn overflow() -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!(
        "a commission's clawbacks do not fit in i64; run `tributary check`"
    ))
}
