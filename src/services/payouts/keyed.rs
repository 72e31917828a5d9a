//! Payouts under an `Idempotency-Key`, whose answers are more than one
//! record read back, so a retry whose first answer was lost (the process
//! died after committing) runs the use case again: it does only what its
//! key has not done and answers with what its key made.
//!
//! A batch (`create_keyed`) is one transaction per
//! chunk of affiliates (`create::CHUNK`), so a process that dies part-way (or right after the last
//! one, before answering) leaves some payouts made and no answer stored.
//! Run again under the same key, the batch pays only the affiliates its key
//! has not paid yet and answers with every payout its key made, in the
//! order they were made: a retry finishes the batch, never pays twice.
//!
//! The first run answers the same way (every payout of its key when it
//! ends), so a retry that overlaps a slow first run, and the first run
//! itself, give the same list. The affiliates skipped are those of this
//! run, less any its key paid.
//!
//! A recorded payout (`record_split`) is one transaction; run again, it
//! answers the payout its key made and the commission that payout split
//! (`recorded_under_key`), as the first answer named them.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::split::Parts;
use super::{CreateInput, Created, Recorded, ServiceResult, Skipped, create, due};
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{commission, payout, store};
use crate::services::{Actor, idempotency};

/// `create`, idempotent under the actor's `Idempotency-Key` (plain
/// `create` without one).
pub async fn create_keyed(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: CreateInput,
) -> ServiceResult<Created> {
    let Some(key) = actor.idempotency_key else {
        return create(db, store, actor, input).await;
    };
    let store_id = StoreId(store.id);
    let paid: HashSet<Uuid> = made_under(db, store_id, key)
        .await?
        .into_iter()
        .map(|p| p.affiliate_id)
        .collect();
    let mut skipped = Vec::new();
    let remaining = if paid.is_empty() {
        // Nothing done yet: the request as it came, checked as it came.
        Some(input)
    } else {
        let ids: Vec<AffiliateId> = match input.affiliate_ids {
            Some(ids) => ids,
            None => {
                let view = due(db, store_id, &store.currency, input.method).await?;
                skipped.extend(view.held_back.into_iter().map(|r| Skipped {
                    affiliate_id: r.affiliate_id,
                    reason: r.held_back.unwrap_or_default(),
                }));
                view.rows
                    .into_iter()
                    .map(|r| AffiliateId(r.affiliate_id))
                    .collect()
            }
        };
        let ids: Vec<AffiliateId> = ids.into_iter().filter(|a| !paid.contains(&a.0)).collect();
        (!ids.is_empty()).then_some(CreateInput {
            affiliate_ids: Some(ids),
            ..input
        })
    };
    if let Some(input) = remaining {
        skipped.extend(create(db, store, actor, input).await?.skipped);
    }
    let payouts = made_under(db, store_id, key).await?;
    let paid: HashSet<Uuid> = payouts.iter().map(|p| p.affiliate_id).collect();
    skipped.retain(|s| !paid.contains(&s.affiliate_id));
    Ok(Created { payouts, skipped })
}

/// The payouts made under this claim, oldest first (ids are time-ordered).
async fn made_under(
    db: &DatabaseConnection,
    store_id: StoreId,
    claim: Uuid,
) -> ServiceResult<Vec<payout::Model>> {
    let ids: Vec<Uuid> = idempotency::effects(db, store_id, claim)
        .await?
        .into_iter()
        .filter(|e| e.action == "payout.created")
        .filter_map(|e| e.entity_id.and_then(|id| Uuid::parse_str(&id).ok()))
        .collect();
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        rows.extend(
            payout::Entity::find()
                .filter(payout::Column::StoreId.eq(store_id.0))
                .filter(payout::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    rows.sort_by_key(|p| p.id);
    Ok(rows)
}

/// The payout `record_split` made under the actor's key, and the commission
/// it split (from that request's `commission.split` entry), if it made one.
pub(super) async fn recorded_under_key(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
) -> ServiceResult<Option<Recorded>> {
    let Some(key) = actor.idempotency_key else {
        return Ok(None);
    };
    let effects = idempotency::effects(db, store_id, key).await?;
    let id_of = |action: &str| {
        effects
            .iter()
            .find(|e| e.action == action)
            .and_then(|e| e.entity_id.as_deref())
            .and_then(|id| Uuid::parse_str(id).ok())
    };
    let Some(payout_id) = id_of("payout.created") else {
        return Ok(None);
    };
    let payout = super::get(db, store_id, crate::domain::PayoutId(payout_id)).await?;
    let split = match id_of("commission.split") {
        None => None,
        Some(settled) => {
            let remainder = effects
                .iter()
                .find(|e| e.action == "commission.split")
                .and_then(|e| e.details["remainder_id"].as_str())
                .and_then(|id| Uuid::parse_str(id).ok());
            let find = |id: Uuid| {
                commission::Entity::find_by_id(id)
                    .filter(commission::Column::StoreId.eq(store_id.0))
                    .one(db)
            };
            match (find(settled).await?, remainder) {
                (Some(settled), Some(r)) => {
                    find(r).await?.map(|remainder| Parts { settled, remainder })
                }
                _ => None,
            }
        }
    };
    Ok(Some(Recorded { payout, split }))
}
