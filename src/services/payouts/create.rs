//! Payouts from the Due view: one per affiliate, settling everything due.
//!
//! Affiliates are paid a chunk at a time (`CHUNK`): one transaction per
//! chunk locks its affiliates (SQLite: the write lock `begin_write` takes;
//! PostgreSQL: their rows, `FOR UPDATE` in id order), reads their unclaimed
//! due commissions and campaign minimums in a few queries, decides each
//! affiliate with the pure `settle_all` (the Due view's rule, so a skipped
//! affiliate keeps its reason), and writes the chunk's payouts with
//! multi-row statements (`settle::write_batch`). One transaction per
//! affiliate cost ~15 ms a payout, nearly all of it round trips and the
//! commit's sync; a chunk shares them among hundreds.
//!
//! A chunk never half-pays. When the writer refuses a payout (a commission
//! claimed or changed by another writer since it was read, …), the whole
//! chunk rolls back and runs again, reading that affiliate afresh; refused
//! a second time, the affiliate is skipped with the reason and the others
//! are paid. A chunk PostgreSQL broke a deadlock on (against a writer that
//! locks affiliates in another order) runs again too. Ids that are not this
//! store's affiliates are refused before anything is written.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::settle::{self, Refusal, SettleError, Settlement};
use super::{ServiceError, ServiceResult, currency_of, due, lock_affiliates, unclaimed_due_of};
use crate::db;
use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, Rules, settle_all};
use crate::domain::{AffiliateId, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, payout, store};
use crate::services::{Actor, UseCaseError, UseCaseResult};

/// Affiliates per transaction: large enough that round trips and commits
/// are a small part of a payout, small enough that the write lock is held
/// for tens of milliseconds, not seconds, while clicks and sales wait.
pub const CHUNK: usize = 500;

/// How often a chunk PostgreSQL aborted to break a deadlock runs again.
const RETRIES: usize = 3;

pub struct CreateInput {
    /// None: every affiliate the Due view shows as payable.
    pub affiliate_ids: Option<Vec<AffiliateId>>,
    pub method: PayoutMethod,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub affiliate_id: Uuid,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Created {
    pub payouts: Vec<payout::Model>,
    pub skipped: Vec<Skipped>,
}

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: CreateInput,
) -> ServiceResult<Created> {
    create_in_chunks(db, store, actor, input, CHUNK).await
}

/// `create`, `chunk` affiliates per transaction (tests cross chunk
/// boundaries with small ones).
pub async fn create_in_chunks(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: CreateInput,
    chunk: usize,
) -> ServiceResult<Created> {
    let store_id = StoreId(store.id);
    let comment = super::optional_text(input.comment.as_deref(), 256)
        .map_err(|m| ValidationErrors::single("comment", m))?;
    let mut out = Created::default();
    let ids: Vec<AffiliateId> = match input.affiliate_ids {
        Some(ids) => {
            if ids.is_empty() {
                return Err(ValidationErrors::single(
                    "affiliate_ids",
                    "must name at least one affiliate (or be left out to pay everyone due)",
                )
                .into());
            }
            known(db, store_id, &ids).await?;
            let mut seen = HashSet::new();
            ids.into_iter().filter(|id| seen.insert(*id)).collect()
        }
        None => {
            let view = due(db, store_id, &store.currency, input.method).await?;
            out.skipped
                .extend(view.held_back.into_iter().map(|r| Skipped {
                    affiliate_id: r.affiliate_id,
                    reason: r.held_back.unwrap_or_default(),
                }));
            view.rows
                .into_iter()
                .map(|r| AffiliateId(r.affiliate_id))
                .collect()
        }
    };
    let job = Job {
        store,
        actor,
        method: input.method,
        comment,
    };
    for ids in ids.chunks(chunk.max(1)) {
        pay_chunk(db, &job, ids, &mut out).await?;
    }
    Ok(out)
}

/// What every chunk of one request shares.
struct Job<'a> {
    store: &'a store::Model,
    actor: &'a Actor,
    method: PayoutMethod,
    comment: Option<String>,
}

/// Pays the chunk in one transaction, running it again after a refusal
/// (see the module's note) until every payout left in it is written.
async fn pay_chunk(
    db: &DatabaseConnection,
    job: &Job<'_>,
    ids: &[AffiliateId],
    out: &mut Created,
) -> ServiceResult<()> {
    let mut refused_once = HashSet::new();
    let mut given_up: HashMap<Uuid, SettleError> = HashMap::new();
    let mut retries = 0;
    loop {
        match attempt(db, job, ids, &given_up).await {
            Ok((payouts, skipped)) => {
                out.payouts.extend(payouts);
                out.skipped.extend(skipped);
                return Ok(());
            }
            // Each round refuses at least one payout, which is then read
            // again or, the second time, left out: the loop ends.
            Err(UseCaseError::Refused(refused)) => {
                for Refusal { affiliate_id, why } in refused {
                    if !refused_once.insert(affiliate_id) {
                        given_up.insert(affiliate_id, why);
                    }
                }
            }
            Err(UseCaseError::Failed(ServiceError::Db(e)))
                if db::is_retryable(&e) && retries < RETRIES =>
            {
                retries += 1;
                tracing::warn!(error = %e, retries, "payout batch chunk aborted; running it again");
            }
            Err(UseCaseError::Failed(e)) => return Err(e),
        }
    }
}

/// One run of a chunk: the payouts made and the affiliates skipped (in
/// the chunk's order), committed; or the writer's refusals, rolled back.
async fn attempt(
    db: &DatabaseConnection,
    job: &Job<'_>,
    ids: &[AffiliateId],
    given_up: &HashMap<Uuid, SettleError>,
) -> UseCaseResult<(Vec<payout::Model>, Vec<Skipped>), Vec<Refusal>> {
    let store_id = StoreId(job.store.id);
    let cur = currency_of(&job.store.currency);
    let txn = db::begin_write(db).await?;
    let affiliates = lock_affiliates(&txn, store_id, ids).await?;
    let minimums = minimums(&txn, store_id, affiliates.values()).await?;
    let mut due = unclaimed_due_of(&txn, store_id, ids).await?;
    let mut skipped = Vec::new();
    let mut batch = Vec::with_capacity(ids.len());
    for id in ids {
        let skip = |reason: String| Skipped {
            affiliate_id: id.0,
            reason,
        };
        if let Some(why) = given_up.get(&id.0) {
            skipped.push(skip(why.to_string()));
            continue;
        }
        let Some(a) = affiliates.get(&id.0) else {
            skipped.push(skip("is no longer an affiliate of this store".into()));
            continue;
        };
        if job.method == PayoutMethod::StoreCredit && a.external_customer_id.is_none() {
            skipped.push(skip(
                "has no external_customer_id: store credit is granted to the store's customer"
                    .into(),
            ));
            continue;
        }
        let rules = Rules {
            minimum_minor: minimums.get(&a.campaign_id).copied().unwrap_or(0),
            method: job.method,
            has_payout_email: a.payout_email.as_deref().is_some_and(|e| !e.is_empty()),
        };
        match settle_all(&due.remove(&a.id).unwrap_or_default(), rules) {
            Ok(selection) => batch.push(Settlement {
                affiliate: a,
                selection,
                method: job.method,
                comment: job.comment.clone(),
                currency: &job.store.currency,
            }),
            Err(why) => skipped.push(skip(why.message(|m| format_minor(m, cur)))),
        }
    }
    let written = settle::write_batch(&txn, store_id, job.actor, batch).await;
    match written {
        Ok(payouts) => {
            txn.commit().await?;
            Ok((payouts, skipped))
        }
        Err(e) => {
            txn.rollback().await?;
            Err(e)
        }
    }
}

/// The minimum payout of each of these affiliates' campaigns.
async fn minimums(
    txn: &db::Txn,
    store_id: StoreId,
    affiliates: impl Iterator<Item = &affiliate::Model>,
) -> ServiceResult<HashMap<Uuid, i64>> {
    let ids: Vec<Uuid> = affiliates
        .map(|a| a.campaign_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut found = HashMap::new();
    for chunk in ids.chunks(db::rows_per_statement(txn, 1, 1)) {
        found.extend(
            campaign::Entity::find()
                .select_only()
                .column(campaign::Column::Id)
                .column(campaign::Column::MinimumPayoutMinor)
                .filter(campaign::Column::StoreId.eq(store_id.0))
                .filter(campaign::Column::Id.is_in(chunk.to_vec()))
                .into_tuple::<(Uuid, i64)>()
                .all(txn)
                .await?,
        );
    }
    Ok(found)
}

/// Every id must be an affiliate of this store: the first that is not is
/// named by its position (another store's id looks the same as none).
async fn known(
    db: &DatabaseConnection,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<()> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Uuid> = affiliate::Entity::find()
            .select_only()
            .column(affiliate::Column::Id)
            .filter(affiliate::Column::StoreId.eq(store_id.0))
            .filter(affiliate::Column::Id.is_in(chunk.iter().map(|i| i.0).collect::<Vec<_>>()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    let mut errors = ValidationErrors::new();
    for (n, id) in ids.iter().enumerate() {
        if !found.contains(&id.0) {
            errors.add(
                &format!("affiliate_ids[{n}]"),
                format!("{id} is not an affiliate of this store"),
            );
        }
    }
    errors.into_result().map_err(Into::into)
}
