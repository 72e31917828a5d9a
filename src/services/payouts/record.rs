//! Komerza's "record a payout": an amount (0.01 up to the available
//! balance), paid externally or converted to store credit, with a comment.
//!
//! The payout settles the affiliate's clawbacks and then the oldest due
//! commissions, whole while they fit in the amount. An amount that ends
//! inside a commission splits it (`split`): the payout settles the part it
//! covers, and a new due commission of the same sale holds the rest, so a
//! payout's amount is always the sum of what it settles (invariant 2) and
//! the split moves no money (invariant 1). The family counts as one
//! commission of its sale (invariant 4; see `services::check`).

use sea_orm::DatabaseConnection;

use super::settle::{self, Settlement};
use super::split::{Parts, split};
use super::{ServiceResult, currency_of, lock_affiliate, unclaimed_due};
use crate::db;
use crate::domain::money::{AmountError, format_minor, parse_amount};
use crate::domain::payout::{PayoutMethod, RecordRefusal, settle_amount};
use crate::domain::{AffiliateId, StoreId, ValidationErrors};
use crate::entities::{payout, store};
use crate::services::Actor;

pub struct RecordInput {
    pub amount: String,
    pub converted_to_store_credit: bool,
    pub comment: Option<String>,
}

/// A recorded payout, and the commission it split if it covered one in part.
pub struct Recorded {
    pub payout: payout::Model,
    pub split: Option<Parts>,
}

pub async fn record(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: RecordInput,
) -> ServiceResult<payout::Model> {
    Ok(record_split(db, store, actor, affiliate_id, input)
        .await?
        .payout)
}

/// `record`, answering the split too (the API names both parts).
pub async fn record_split(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: RecordInput,
) -> ServiceResult<Recorded> {
    let store_id = StoreId(store.id);
    let cur = currency_of(&store.currency);
    let mut errors = ValidationErrors::new();
    // A payout is at least one minor unit: zero and negative amounts get
    // that floor's message, not `parse_amount`'s "at least 0".
    let amount = match parse_amount(&input.amount, cur) {
        Ok(0) | Err(AmountError::Negative) => {
            errors.add(
                "amount",
                format!("must be at least {}", format_minor(1, cur)),
            );
            None
        }
        Ok(minor) => Some(minor),
        Err(e @ AmountError::Invalid(_)) => {
            errors.add("amount", e);
            None
        }
    };
    let comment = errors.check(
        "comment",
        super::optional_text(input.comment.as_deref(), 256),
    );
    errors.into_result()?;
    let (Some(amount), Some(comment)) = (amount, comment) else {
        unreachable!("errors returned above");
    };
    let method = if input.converted_to_store_credit {
        PayoutMethod::StoreCredit
    } else {
        PayoutMethod::External
    };
    // Run again under its Idempotency-Key (its answer was lost): what it made.
    if let Some(made) = super::keyed::recorded_under_key(db, store_id, actor).await? {
        return Ok(made);
    }

    let txn = db::begin_write(db).await?;
    let a = lock_affiliate(&txn, store_id, affiliate_id).await?;
    if method == PayoutMethod::StoreCredit && a.external_customer_id.is_none() {
        return Err(ValidationErrors::single(
            "external_customer_id",
            "the affiliate has none: store credit is granted to the store's customer, so set the affiliate's external_customer_id first",
        )
        .into());
    }
    if amount > a.balance_minor {
        return Err(ValidationErrors::single(
            "amount",
            format!(
                "must be at most the available balance of {}",
                format_minor(a.balance_minor.max(0), cur)
            ),
        )
        .into());
    }
    let items = unclaimed_due(&txn, store_id, affiliate_id).await?;
    let selection = settle_amount(&items, amount).map_err(|why| {
        ValidationErrors::single(
            "amount",
            match why {
                RecordRefusal::ExceedsDue { due_minor } => format!(
                    "must be at most what is due after clawbacks, {}",
                    format_minor(due_minor.max(0), cur)
                ),
                RecordRefusal::Overflow => "cannot be paid: the due sum is too large".to_owned(),
            },
        )
    })?;
    // The split first: the payout then claims the settled part at its new
    // amount, and its own check (Σ claimed = amount) holds.
    let parts = match selection.split {
        Some(s) => Some(split(&txn, store_id, actor, s).await?),
        None => None,
    };
    let p = settle::write(
        &txn,
        store_id,
        actor,
        Settlement {
            affiliate: &a,
            selection,
            method,
            comment,
            currency: &store.currency,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Recorded {
        payout: p,
        split: parts,
    })
}
