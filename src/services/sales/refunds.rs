//! Refunds: full or partial, each taking back the refunded share of the
//! sale's commissions (a clawback when the commission was already paid;
//! `reverse`, which also keeps a split commission's parts exact).

use chrono::Utc;

use crate::services::{UseCaseError, UseCaseResult};

use crate::domain::states::CommissionKind;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{get, given, sale_snapshot};
use crate::db;
use crate::domain::SaleId;
use crate::domain::money::{format_minor, parse_amount};
use crate::domain::text::required_text;
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{commission as commission_entity, refund, sale, store};
use crate::services::{Actor, ServiceError, audit, campaigns, events};

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
            parse_amount(a, currency)
                .map_err(String::from)
                .and_then(|v| {
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
    super::reverse::reverse_all(
        &txn,
        store_id,
        owned.all(&txn).await?,
        updated.amount_minor,
        updated.refunded_minor,
    )
    .await?;
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
