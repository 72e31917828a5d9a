//! One commission paid on its own, for history brought from elsewhere:
//! Rewardful's legacy `paid_at` on a commission, and a manual commission
//! imported as `paid`. Either is a real payout of that one commission,
//! marked paid at the given time — never a flipped flag — so the payout
//! equals what it settles (invariant 2) and the ledger moves as for any
//! payout (invariant 1). Clearing `paid_at` voids that payout, which gives
//! the money back; a commission paid as part of a larger payout is not
//! unpaid alone (that would change what the others were paid).

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::mark_paid::{Announce, mark_paid_in, paid_time};
use super::settle::{self, Settlement};
use super::{ServiceError, ServiceResult, lock_affiliate, lock_payout};
use crate::db;
use crate::domain::money::format_minor;
use crate::domain::payout::{DueItem, PayoutMethod, settle_amount};
use crate::domain::states::CommissionStatus;
use crate::domain::{AffiliateId, CommissionId, PayoutId, StoreId, ValidationErrors};
use crate::entities::{commission, payout, store};
use crate::services::Actor;
use crate::services::commissions;

const FIELD: &str = "paid_at";

/// Pays the due commission `seen` alone, inside the caller's transaction:
/// a one-commission payout, marked paid at `paid_at`. The affiliate is
/// locked before the commission is read again, locked: the order every
/// payout takes, so two of them never wait on each other.
pub(crate) async fn pay_one_in(
    txn: &db::Txn,
    store: &store::Model,
    actor: &Actor,
    seen: &commission::Model,
    paid_at: DateTime<Utc>,
    announce: Announce,
) -> ServiceResult<payout::Model> {
    let store_id = StoreId(store.id);
    let a = lock_affiliate(txn, store_id, AffiliateId(seen.affiliate_id)).await?;
    let c = &commissions::lock(txn, store_id, CommissionId(seen.id)).await?;
    if c.status != CommissionStatus::Due || c.payout_id.is_some() {
        return Err(ValidationErrors::single(
            FIELD,
            format!(
                "can only be set on a due commission no payout holds; this one is {}{}",
                c.status,
                if c.payout_id.is_some() {
                    " and in a payout"
                } else {
                    ""
                }
            ),
        )
        .into());
    }
    if c.amount_minor <= 0 {
        return Err(ValidationErrors::single(
            FIELD,
            "cannot be set on a clawback or a zero commission: the next payout settles it",
        )
        .into());
    }
    let cur = super::currency_of(&store.currency);
    if c.amount_minor > a.balance_minor {
        return Err(ValidationErrors::single(
            FIELD,
            format!(
                "cannot be set: paying {} alone is more than the affiliate's available balance of {} (clawbacks are owed)",
                format_minor(c.amount_minor, cur),
                format_minor(a.balance_minor.max(0), cur)
            ),
        )
        .into());
    }
    let item = DueItem {
        id: c.id,
        amount_minor: c.amount_minor,
        due_at: c.due_at,
    };
    let selection = settle_amount(&[item], c.amount_minor)
        .map_err(|_| ServiceError::Conflict("The commission cannot be settled alone.".into()))?;
    let p = settle::write(
        txn,
        store_id,
        actor,
        Settlement {
            affiliate: &a,
            selection,
            method: PayoutMethod::External,
            comment: Some("Paid history: one commission, paid outside Tributary".into()),
            currency: &store.currency,
        },
    )
    .await?;
    let p = lock_payout(txn, store_id, PayoutId(p.id)).await?;
    mark_paid_in(txn, store_id, actor, p, None, paid_at, announce).await
}

/// `paid_at: <time>` on a commission: it is paid alone at that time.
pub async fn pay_commission(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    id: CommissionId,
    paid_at: DateTime<Utc>,
) -> ServiceResult<commission::Model> {
    let store_id = StoreId(store.id);
    let paid_at = paid_time(Some(paid_at)).map_err(|m| ValidationErrors::single(FIELD, m))?;
    let txn = db::begin_write(db).await?;
    let c = commissions::get(&txn, store_id, id).await?;
    pay_one_in(&txn, store, actor, &c, paid_at, Announce::Mail).await?;
    let paid = commissions::get(&txn, store_id, id).await?;
    txn.commit().await?;
    Ok(paid)
}

/// `paid_at: null` on a paid commission: its one-commission payout is
/// voided, and the commission is due again.
pub async fn unpay_commission(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CommissionId,
) -> ServiceResult<commission::Model> {
    let c = commissions::get(db, store_id, id).await?;
    let payout_id = match (c.status, c.payout_id) {
        (CommissionStatus::Paid, Some(p)) => p,
        _ => {
            return Err(ValidationErrors::single(
                FIELD,
                format!(
                    "can only be cleared on a paid commission; this one is {}",
                    c.status
                ),
            )
            .into());
        }
    };
    let p = super::get(db, store_id, PayoutId(payout_id)).await?;
    if p.commission_count != 1 {
        return Err(ValidationErrors::single(
            FIELD,
            format!(
                "cannot be cleared: payout {} paid {} commissions together; void that payout instead",
                p.id, p.commission_count
            ),
        )
        .into());
    }
    super::void(
        db,
        store_id,
        actor,
        PayoutId(p.id),
        "paid_at cleared on its commission",
    )
    .await?;
    commissions::get(db, store_id, id).await
}
