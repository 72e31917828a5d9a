//! Komerza's "record a payout": an amount (0.01 up to the available
//! balance), paid externally or converted to store credit, with a comment.
//!
//! The payout settles the affiliate's clawbacks and then the oldest due
//! commissions that add up to exactly the amount. A commission is never
//! cut in two: an amount that ends inside one is refused (422 on `amount`)
//! with the nearest amounts that settle whole commissions, so a payout's
//! amount is always the sum of what it settles (invariant 2) and each sale
//! keeps one commission (invariant 4). The full available balance always
//! works when the balance is all due commissions.

use sea_orm::DatabaseConnection;

use super::settle::{self, Settlement};
use super::{ServiceResult, currency_of, lock_affiliate, unclaimed_due};
use crate::db;
use crate::domain::money::{format_minor, parse_amount};
use crate::domain::payout::{PayoutMethod, settle_amount};
use crate::domain::{AffiliateId, StoreId, ValidationErrors};
use crate::entities::{payout, store};
use crate::services::Actor;

pub struct RecordInput {
    pub amount: String,
    pub converted_to_store_credit: bool,
    pub comment: Option<String>,
}

pub async fn record(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: RecordInput,
) -> ServiceResult<payout::Model> {
    let store_id = StoreId(store.id);
    let cur = currency_of(&store.currency);
    let mut errors = ValidationErrors::new();
    let amount = match parse_amount(&input.amount, cur) {
        Ok(0) => {
            errors.add(
                "amount",
                format!("must be at least {}", format_minor(1, cur)),
            );
            None
        }
        Ok(minor) => Some(minor),
        Err(m) if m.contains("at least 0") => {
            errors.add(
                "amount",
                format!("must be at least {}", format_minor(1, cur)),
            );
            None
        }
        Err(m) => {
            errors.add("amount", m);
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
    let selection = settle_amount(&items, amount).map_err(|near| {
        let options: Vec<String> = [near.below_minor, near.above_minor]
            .into_iter()
            .flatten()
            .filter(|m| *m <= a.balance_minor)
            .map(|m| format_minor(m, cur))
            .collect();
        ValidationErrors::single(
            "amount",
            if options.is_empty() {
                "must settle whole due commissions, oldest first; none add up to it".to_owned()
            } else {
                format!(
                    "must settle whole due commissions, oldest first: {} would",
                    options.join(" or ")
                )
            },
        )
    })?;
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
    Ok(p)
}
