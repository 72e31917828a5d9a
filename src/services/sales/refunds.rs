//! Refunds: full or partial, each taking back the refunded share of the
//! sale's commissions (a clawback when the commission was already paid).

use chrono::Utc;

use crate::services::{UseCaseError, UseCaseResult};

use crate::domain::states::{CommissionKind, CommissionStatus, LedgerKind, RefundMove};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{get, given, sale_snapshot};
use crate::db;
use crate::domain::SaleId;
use crate::domain::commission;
use crate::domain::money::{format_minor, parse_amount};
use crate::domain::text::required_text;
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{commission as commission_entity, refund, sale, store};
use crate::services::{
    Actor, ServiceError, ServiceResult, audit, campaigns, commissions, events, ledger,
};

#[derive(Debug, Default, Clone)]
pub struct RefundInput {
    /// Default: what remains.
    pub amount: Option<String>,
    pub reason: Option<String>,
    pub external_id: Option<String>,
}

/// Why a refund was refused.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("This sale is already fully refunded.")]
    FullyRefunded,
}

pub async fn refund(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    input: RefundInput,
) -> UseCaseResult<sale::Model, RefundError> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    let txn = db::begin_write(db).await?;
    // PostgreSQL: lock the sale so concurrent refunds see each other.
    let current = if db::is_sqlite(&txn) {
        get(&txn, store_id, sale_id).await?
    } else {
        sale::Entity::find_by_id(sale_id)
            .filter(sale::Column::StoreId.eq(store_id.0))
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound)?
    };
    // The body is checked before anything else: a malformed refund is a 422
    // even when its external_id names one already recorded (a replay answers
    // only a well-formed delivery).
    let mut e = ValidationErrors::new();
    let external_id = match given(&input.external_id) {
        Some(x) => e.check("external_id", required_text(x, 255)),
        None => None,
    };
    let reason = match given(&input.reason) {
        Some(r) => e.check("reason", required_text(r, 1000)),
        None => None,
    };
    let asked = match given(&input.amount) {
        None => None,
        Some(a) => e.check(
            "amount",
            parse_amount(a, currency).and_then(|v| {
                if v <= 0 {
                    Err("must be greater than 0".into())
                } else {
                    Ok(v)
                }
            }),
        ),
    };
    e.into_result()?;
    if let Some(x) = &external_id
        && refund::Entity::find()
            .filter(refund::Column::StoreId.eq(store.id))
            .filter(refund::Column::ExternalId.eq(x.clone()))
            .one(&txn)
            .await?
            .is_some()
    {
        // The same refund delivered again: nothing changes.
        return Ok(current);
    }
    let remaining = current.amount_minor - current.refunded_minor;
    if remaining <= 0 {
        return Err(UseCaseError::Refused(RefundError::FullyRefunded));
    }
    // What remains depends on the sale's state, so it is judged after the
    // replay lookup: the earlier delivery already took its share.
    let amount = asked.unwrap_or(remaining);
    if amount > remaining {
        let mut e = ValidationErrors::new();
        e.add(
            "amount",
            format!(
                "must be at most {} (what remains of the sale)",
                format_minor(remaining, currency)
            ),
        );
        e.into_result()?;
    }
    let now = Utc::now();
    refund::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store.id),
        sale_id: Set(current.id),
        amount_minor: Set(amount),
        reason: Set(reason.clone()),
        external_id: Set(external_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut active: sale::ActiveModel = current.clone().into();
    active.refunded_minor = Set(current.refunded_minor + amount);
    let updated = active.update(&txn).await?;

    let mut owned = commission_entity::Entity::find()
        .filter(commission_entity::Column::SaleId.eq(current.id))
        .filter(commission_entity::Column::Kind.eq(CommissionKind::Sale));
    if !db::is_sqlite(&txn) {
        // Also keeps the due-promotion job off these rows meanwhile.
        owned = owned.lock_exclusive();
    }
    for c in owned.all(&txn).await? {
        reverse(
            &txn,
            store_id,
            c,
            updated.amount_minor,
            updated.refunded_minor,
        )
        .await?;
    }
    events::emit(
        &txn,
        store_id,
        "sale.refunded",
        json!({"sale": sale_snapshot(&updated), "amount_minor": amount, "reason": reason}),
    )
    .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "sale.refunded",
        "sale",
        Some(updated.id.to_string()),
        json!({"amount_minor": amount, "refunded_minor": updated.refunded_minor}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes back the refunded share of one commission: a pending or due one is
/// reduced (or marked refunded); a paid one gets a negative clawback. What
/// is kept is always computed from the original amount and the sale's total
/// refunded, so successive partial refunds add up exactly.
async fn reverse(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    c: commission_entity::Model,
    sale_amount: i64,
    refunded_total: i64,
) -> ServiceResult<()> {
    let full = refunded_total >= sale_amount;
    let kept = commission::after_refund(c.original_amount_minor, sale_amount, refunded_total)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
    // A due commission that a pending payout holds is money already
    // promised: it is taken back like a paid one (a clawback the next payout
    // carries), never reduced under the payout, whose amount must stay the
    // sum of what it settles (invariant 2).
    let movement = if c.payout_id.is_some() {
        RefundMove::ClawBack
    } else {
        c.status.refund(full)
    };
    match movement {
        RefundMove::Reduce {
            becomes,
            in_balance,
        } => {
            let new_amount = if full { 0 } else { kept };
            let taken = c.amount_minor - new_amount;
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
                        amount_minor: -taken,
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
            let clawed: i64 = commission_entity::Entity::find()
                .filter(commission_entity::Column::ClawbackOf.eq(c.id))
                .all(conn)
                .await?
                .iter()
                .try_fold(0i64, |sum, k| sum.checked_add(k.amount_minor))
                .ok_or_else(overflow)?;
            let effective = c.amount_minor.checked_add(clawed).ok_or_else(overflow)?;
            let target = if full { 0 } else { kept };
            let clawback = target.checked_sub(effective).ok_or_else(overflow)?;
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
