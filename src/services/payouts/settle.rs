//! Writing payouts: the rows, the claim of each commission, their items,
//! the ledger debits, the audit entries and the outbox events — inside the
//! caller's transaction, which already holds the affiliates' locks.
//!
//! One payout or five hundred, the same statements: each kind of row is
//! written with one multi-row statement per few thousand rows (as many as
//! the backend's bind limit allows), so a chunk of the Due view's batch
//! costs about ten round trips instead of ten per payout. `write` is a
//! batch of one.
//!
//! Nothing is half-paid. A payout is refused whole (`SettleError`) when a
//! commission it names was claimed or changed by someone else since it was
//! read, is held by another live payout, or its affiliate's balance cannot
//! move. The batch answers every refusal found at that step; rows of the
//! others (and of the refused) are already written in the transaction, so
//! the caller rolls it back and runs again without them, or after reading
//! them afresh.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{ServiceError, snapshot};
use crate::db;
use crate::domain::StoreId;
use crate::domain::payout::{PayoutMethod, PayoutStatus, Selection};
use crate::domain::states::{CommissionStatus, LedgerKind};
use crate::entities::{affiliate, payout, payout_item};
use crate::services::{Actor, ActorKind, UseCaseError, UseCaseResult, audit, events, ledger};

pub(crate) struct Settlement<'a> {
    pub affiliate: &'a affiliate::Model,
    pub selection: Selection,
    pub method: PayoutMethod,
    pub comment: Option<String>,
    pub currency: &'a str,
}

/// Why a payout was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SettleError {
    /// A commission it names is no longer due and free: another payout
    /// took it, or it was voided or refunded, since it was read.
    #[error(
        "Some of these commissions were just settled by another payout; nothing was paid. Reload and try again."
    )]
    AlreadyClaimed,
    /// A commission's amount changed since it was read.
    #[error(
        "A commission of this payout changed while it was being created; nothing was paid. Reload and try again."
    )]
    Changed,
    /// A commission is free by its own row but another live payout lists
    /// it (`payout_items`' unique index, the last guard of invariant 3).
    #[error("A commission of this payout is already in another payout; nothing was paid.")]
    InAnotherPayout,
    /// The ledger refused to move the balance (`ledger::post_many`).
    #[error("{0}")]
    Balance(String),
}

/// One refused payout of a batch, by its affiliate.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub affiliate_id: Uuid,
    pub why: SettleError,
}

/// A single payout's refusal is a conflict for its caller: nothing was
/// paid, reload and try again.
impl From<UseCaseError<SettleError>> for ServiceError {
    fn from(e: UseCaseError<SettleError>) -> Self {
        match e {
            UseCaseError::Refused(why) => ServiceError::Conflict(why.to_string()),
            UseCaseError::Failed(e) => e,
        }
    }
}

/// One payout: `write_batch` of one.
pub(crate) async fn write(
    txn: &db::Txn,
    store_id: StoreId,
    actor: &Actor,
    s: Settlement<'_>,
) -> UseCaseResult<payout::Model, SettleError> {
    match write_batch(txn, store_id, actor, vec![s]).await {
        Ok(mut made) => Ok(made.remove(0)),
        Err(e) => Err(e.map_refusal(|mut refused| refused.remove(0).why)),
    }
}

/// Every payout of `batch` (one per affiliate), in its order, or the
/// refusals: then the transaction holds part of the writes and must be
/// rolled back.
pub(crate) async fn write_batch(
    txn: &db::Txn,
    store_id: StoreId,
    actor: &Actor,
    batch: Vec<Settlement<'_>>,
) -> UseCaseResult<Vec<payout::Model>, Vec<Refusal>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let now = db::stored_now();
    let rows: Vec<payout::Model> = batch
        .iter()
        .map(|s| payout_row(store_id, actor, s, now))
        .collect();
    let new: Vec<payout::ActiveModel> =
        rows.iter().map(|p| p.clone().into_active_model()).collect();
    db::insert_rows(txn, new).await?;

    // The claim: a commission another payout took meanwhile (or that left
    // `due`) is not updated, and its payout is refused whole.
    let mut claims: Vec<(Uuid, Uuid)> = batch
        .iter()
        .zip(&rows)
        .flat_map(|(s, p)| s.selection.commission_ids.iter().map(|c| (*c, p.id)))
        .collect();
    // In commission order: the lookups by id, and the items' index
    // entries, then walk their B-trees in order instead of at random.
    claims.sort_unstable();
    let claimed = claim(txn, store_id, &claims, now).await?;
    let refused = refusals(&batch, |s, i| {
        let mut sum = 0i64;
        for c in &s.selection.commission_ids {
            match claimed.get(c) {
                Some((payout_id, amount)) if *payout_id == rows[i].id => {
                    sum = sum.saturating_add(*amount)
                }
                _ => return Some(SettleError::AlreadyClaimed),
            }
        }
        (sum != s.selection.amount_minor).then_some(SettleError::Changed)
    });
    if !refused.is_empty() {
        return Err(UseCaseError::Refused(refused));
    }
    let held = live_items(txn, store_id, claims.iter().map(|c| c.0)).await?;
    let refused = refusals(&batch, |s, _| {
        s.selection
            .commission_ids
            .iter()
            .any(|c| held.contains(c))
            .then_some(SettleError::InAnotherPayout)
    });
    if !refused.is_empty() {
        return Err(UseCaseError::Refused(refused));
    }
    let items: Vec<payout_item::ActiveModel> = claims
        .iter()
        .map(|(cid, pid)| {
            payout_item::Model {
                id: Uuid::now_v7(),
                store_id: store_id.0,
                payout_id: *pid,
                commission_id: *cid,
                amount_minor: claimed[cid].1,
                released_at: None,
            }
            .into_active_model()
        })
        .collect();
    if let Err(e) = db::insert_rows(txn, items).await {
        // Past the check above only by a race the affiliates' locks rule
        // out; which payout lost is not known, so none is written.
        return Err(if db::is_unique_violation(&e) {
            UseCaseError::Refused(refusals(&batch, |_, _| Some(SettleError::InAnotherPayout)))
        } else {
            e.into()
        });
    }

    let debits = batch
        .iter()
        .zip(&rows)
        .map(|(s, p)| {
            let entry = ledger::Entry {
                affiliate_id: s.affiliate.id,
                commission_id: None,
                kind: LedgerKind::Payout,
                amount_minor: -s.selection.amount_minor,
                currency: s.currency,
            };
            (entry, Some(p.id))
        })
        .collect();
    ledger::post_many(txn, store_id, debits)
        .await
        .map_err(|e| {
            e.map_refusal(|refused| {
                refused
                    .into_iter()
                    .map(|r| Refusal {
                        affiliate_id: r.affiliate_id,
                        why: SettleError::Balance(r.message),
                    })
                    .collect()
            })
        })?;

    let mut audits = Vec::with_capacity(rows.len());
    let mut outbox = Vec::with_capacity(rows.len());
    for (s, p) in batch.iter().zip(&rows) {
        let sel = &s.selection;
        audits.push(audit::row(
            store_id,
            actor,
            "payout.created",
            "payout",
            Some(p.id.to_string()),
            json!({"amount_minor": sel.amount_minor, "affiliate_id": s.affiliate.id,
                   "commission_count": sel.count, "method": s.method}),
        ));
        let body = snapshot(p);
        if s.method == PayoutMethod::StoreCredit {
            let granted = json!({"payout_id": p.id, "customer": p.external_customer_id,
                   "affiliate_id": s.affiliate.id, "amount": body["amount"],
                   "amount_minor": sel.amount_minor, "currency": s.currency});
            outbox.push(events::row(store_id, "payout.created", body));
            outbox.push(events::row(store_id, "store_credit.granted", granted));
        } else {
            outbox.push(events::row(store_id, "payout.created", body));
        }
    }
    db::insert_rows(txn, audits).await?;
    db::insert_rows(txn, outbox).await?;
    Ok(rows)
}

fn payout_row(
    store_id: StoreId,
    actor: &Actor,
    s: &Settlement<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> payout::Model {
    let sel = &s.selection;
    payout::Model {
        id: Uuid::now_v7(),
        store_id: store_id.0,
        affiliate_id: s.affiliate.id,
        amount_minor: sel.amount_minor,
        currency: s.currency.to_owned(),
        method: s.method,
        status: PayoutStatus::Pending,
        reference: None,
        comment: s.comment.clone(),
        initiated_by: actor.label.chars().take(254).collect(),
        initiated_by_user_id: actor.id.filter(|_| actor.kind == ActorKind::User),
        initiated_ip: actor.ip.clone(),
        paid_at: None,
        voided_at: None,
        voided_by: None,
        voided_by_user_id: None,
        void_reason: None,
        external_customer_id: match s.method {
            PayoutMethod::StoreCredit => s.affiliate.external_customer_id.clone(),
            PayoutMethod::External => None,
        },
        period_start: Some(sel.period_start),
        period_end: Some(sel.period_end),
        commission_count: i32::try_from(sel.count).unwrap_or(i32::MAX),
        created_at: now,
        updated_at: now,
    }
}

/// The settlements `why` refuses, by affiliate.
fn refusals(
    batch: &[Settlement<'_>],
    why: impl Fn(&Settlement<'_>, usize) -> Option<SettleError>,
) -> Vec<Refusal> {
    batch
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            why(s, i).map(|why| Refusal {
                affiliate_id: s.affiliate.id,
                why,
            })
        })
        .collect()
}

/// Sets `payout_id` on each (commission, payout) whose commission is still
/// due and in no payout, one `UPDATE … FROM (VALUES …)` per few thousand;
/// answers what it claimed: commission → (payout, amount).
async fn claim(
    txn: &db::Txn,
    store_id: StoreId,
    claims: &[(Uuid, Uuid)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<Uuid, (Uuid, i64)>, sea_orm::DbErr> {
    let mut claimed = HashMap::with_capacity(claims.len());
    for chunk in claims.chunks(db::rows_per_statement(txn, 2, 3)) {
        let mut b = db::Binds::new(txn);
        let values: Vec<String> = chunk
            .iter()
            .map(|(c, p)| format!("({}, {})", b.push(*c), b.push(*p)))
            .collect();
        // Each commission found by its id: the other terms must not lead
        // SQLite to walk the store's due commissions once per claim.
        let sql = format!(
            "WITH v (cid, pid) AS (VALUES {}) \
             UPDATE commissions SET payout_id = v.pid, updated_at = {} FROM v \
             WHERE commissions.id = v.cid AND {} = {} \
             AND {} IS NULL AND {} = {} \
             RETURNING id, payout_id, amount_minor",
            values.join(", "),
            b.push(now),
            db::not_indexed(txn, "commissions.store_id"),
            b.push(store_id.0),
            db::not_indexed(txn, "commissions.payout_id"),
            db::not_indexed(txn, "commissions.status"),
            b.push(CommissionStatus::Due.as_str()),
        );
        for row in txn.query_all_raw(b.statement(sql)).await? {
            claimed.insert(
                row.try_get::<Uuid>("", "id")?,
                (
                    row.try_get::<Uuid>("", "payout_id")?,
                    row.try_get::<i64>("", "amount_minor")?,
                ),
            );
        }
    }
    Ok(claimed)
}

/// Those of `ids` a live (unreleased) payout item already holds.
async fn live_items(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashSet<Uuid>, sea_orm::DbErr> {
    let ids: Vec<Uuid> = ids.collect();
    let mut held = HashSet::new();
    for chunk in ids.chunks(db::rows_per_statement(conn, 1, 1)) {
        let found: Vec<Uuid> = payout_item::Entity::find()
            .select_only()
            .column(payout_item::Column::CommissionId)
            .filter(payout_item::Column::StoreId.eq(store_id.0))
            .filter(payout_item::Column::ReleasedAt.is_null())
            .filter(payout_item::Column::CommissionId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        held.extend(found);
    }
    Ok(held)
}
