//! Payouts: paying affiliates what is due, exactly once.
//!
//! - `due`: who can be paid now (due balance ≥ the campaign's minimum payout
//!   and, for external payouts, a payout email), with amounts and periods.
//! - `create`: one payout per affiliate settling everything due (the Due
//!   view); `record`: Komerza's "record a payout of X", settling the
//!   clawbacks and the oldest due commissions up to X, the last one split
//!   (`split`) when X ends inside it.
//!   `create_keyed` (the API's batch) is `create` made idempotent under an
//!   `Idempotency-Key`.
//! - `mark_paid`, `void`: the payout's life; a void makes its commissions
//!   due again and gives the money back to the balance.
//! - `adjust`: a manual ± correction of the balance (a due manual
//!   commission, so the next payout settles it like any other).
//! - `list`: filters, pages, totals, an affiliate's balance, store-credit
//!   grants; `export`: the batches the PayPal, Wise and generic CSVs stream.
//!
//! Money moves once: each payout is written in a transaction that takes the
//! write lock up front on SQLite (`BEGIN IMMEDIATE`) and the affiliate's row
//! lock on PostgreSQL (`FOR UPDATE`; a batch locks its chunk of affiliates
//! in id order), so two requests (or two app instances) paying one
//! affiliate run one after the other and the second sees what the first
//! settled. Each commission is also claimed with a conditional
//! update (`payout_id IS NULL AND status = 'due'`) and recorded in
//! `payout_items`, whose unique index allows one live settlement per
//! commission: a race that got past the lock still cannot pay twice.

use std::collections::HashMap;

use sea_orm::sea_query::LockType;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

mod adjust;
mod create;
mod due;
mod export;
mod keyed;
mod list;
mod mark_paid;
mod pay_one;
mod record;
mod settle;
mod split;
mod void;

/// What pages and the API read of a payout.
pub use crate::entities::payout::Model as Payout;
pub(crate) use adjust::adjust_in;
pub use adjust::{AdjustInput, adjust};
pub use create::{CHUNK, CreateInput, Created, Skipped, create, create_in_chunks};
pub use due::{DueRow, DueView, due, due_of_affiliate};
pub use export::{ExportRow, TransferRow, export_rows, transfer_rows};
pub use keyed::create_keyed;
pub use list::{
    Balance, PayoutDate, PayoutFilter, PayoutFilterText, Totals, balance, list, names_of,
    store_credits, totals,
};
pub(crate) use mark_paid::Announce;
pub use mark_paid::{MarkPaidInput, mark_paid};
pub(crate) use pay_one::pay_one_in;
pub use pay_one::{pay_commission, unpay_commission};
pub use record::{RecordInput, Recorded, record, record_split};
pub use split::Parts as SplitParts;
pub use void::void;

use super::{ServiceError, ServiceResult};
use crate::db;
use crate::domain::payout::DueItem;
use crate::domain::states::CommissionStatus;
use crate::domain::{AffiliateId, Currency, PayoutId, StoreId};
use crate::entities::{affiliate, commission, payout, payout_item};

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: PayoutId,
) -> ServiceResult<payout::Model> {
    payout::Entity::find_by_id(id)
        .filter(payout::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The commissions a payout settles (or settled, if voided), oldest first.
pub async fn commissions_of(
    conn: &impl ConnectionTrait,
    id: PayoutId,
) -> ServiceResult<Vec<commission::Model>> {
    let ids: Vec<uuid::Uuid> = payout_item::Entity::find()
        .select_only()
        .column(payout_item::Column::CommissionId)
        .filter(payout_item::Column::PayoutId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        rows.extend(
            commission::Entity::find()
                .filter(commission::Column::Id.is_in(chunk.to_vec()))
                .all(conn)
                .await?,
        );
    }
    rows.sort_by_key(|c| (c.due_at, c.id));
    Ok(rows)
}

/// The affiliate, locked for the rest of the transaction on PostgreSQL
/// (SQLite's `BEGIN IMMEDIATE` already serialises every writer).
pub(crate) async fn lock_affiliate(
    txn: &db::Txn,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<affiliate::Model> {
    let mut q = affiliate::Entity::find_by_id(id).filter(affiliate::Column::StoreId.eq(store_id.0));
    if !db::is_sqlite(txn) {
        q = q.lock(LockType::Update);
    }
    q.one(txn).await?.ok_or(ServiceError::NotFound)
}

/// The payout, locked on PostgreSQL, for a change of its state.
pub(crate) async fn lock_payout(
    txn: &db::Txn,
    store_id: StoreId,
    id: PayoutId,
) -> ServiceResult<payout::Model> {
    let mut q = payout::Entity::find_by_id(id).filter(payout::Column::StoreId.eq(store_id.0));
    if !db::is_sqlite(txn) {
        q = q.lock(LockType::Update);
    }
    q.one(txn).await?.ok_or(ServiceError::NotFound)
}

/// Due commissions of the affiliate that no payout holds.
pub(crate) async fn unclaimed_due(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<Vec<DueItem>> {
    Ok(unclaimed_due_of(conn, store_id, &[affiliate_id])
        .await?
        .remove(&affiliate_id.0)
        .unwrap_or_default())
}

/// `unclaimed_due` of many affiliates, in one query per few thousand,
/// by affiliate, each oldest first.
pub(crate) async fn unclaimed_due_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, Vec<DueItem>>> {
    let mut due: HashMap<Uuid, Vec<DueItem>> = HashMap::new();
    let ids: Vec<Uuid> = affiliate_ids.iter().map(|a| a.0).collect();
    for chunk in ids.chunks(db::rows_per_statement(conn, 1, 1)) {
        // From the partial index alone (it carries the id, migration
        // 000024): its condition is spelled out, not bound, so the planner
        // can match it, and SQLite is told to use it.
        let mut b = db::Binds::new(conn);
        let store = b.push(store_id.0);
        let ids: Vec<String> = chunk.iter().map(|id| b.push(*id)).collect();
        let sql = format!(
            "SELECT affiliate_id, id, amount_minor, due_at FROM commissions{} \
             WHERE store_id = {store} AND affiliate_id IN ({}) \
             AND status = '{}' AND payout_id IS NULL ORDER BY due_at",
            db::indexed_by(conn, "ix_commissions_unpaid_due_ids"),
            ids.join(", "),
            CommissionStatus::Due.as_str(),
        );
        for row in conn.query_all_raw(b.statement(sql)).await? {
            due.entry(row.try_get("", "affiliate_id")?)
                .or_default()
                .push(DueItem {
                    id: row.try_get("", "id")?,
                    amount_minor: row.try_get("", "amount_minor")?,
                    due_at: row.try_get("", "due_at")?,
                });
        }
    }
    Ok(due)
}

/// The affiliates of `ids` that are this store's, locked on PostgreSQL in
/// id order (two batches sharing affiliates then never wait on each other
/// in a cycle); SQLite's write transaction already serialises writers.
pub(crate) async fn lock_affiliates(
    txn: &db::Txn,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, affiliate::Model>> {
    let mut ids: Vec<Uuid> = ids.iter().map(|a| a.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(db::rows_per_statement(txn, 1, 1)) {
        let mut q = affiliate::Entity::find()
            .filter(affiliate::Column::StoreId.eq(store_id.0))
            .filter(affiliate::Column::Id.is_in(chunk.to_vec()))
            .order_by_asc(affiliate::Column::Id);
        if !db::is_sqlite(txn) {
            q = q.lock(LockType::Update);
        }
        found.extend(q.all(txn).await?.into_iter().map(|a| (a.id, a)));
    }
    Ok(found)
}

pub(crate) fn currency_of(code: &str) -> Currency {
    Currency::parse(code).unwrap_or(Currency::USD)
}

/// The event and audit payload of a payout.
pub fn snapshot(p: &payout::Model) -> Value {
    let currency = currency_of(&p.currency);
    json!({
        "id": p.id, "affiliate_id": p.affiliate_id,
        "amount": crate::domain::money::format_minor(p.amount_minor, currency),
        "amount_minor": p.amount_minor, "currency": p.currency,
        "method": p.method, "status": p.status, "reference": p.reference, "comment": p.comment,
        "commission_count": p.commission_count,
        "period_start": p.period_start, "period_end": p.period_end,
        "external_customer_id": p.external_customer_id,
        "paid_at": p.paid_at, "voided_at": p.voided_at, "void_reason": p.void_reason,
        "created_at": p.created_at,
    })
}

pub(crate) fn commission_snapshot(c: &commission::Model) -> Value {
    json!({
        "id": c.id, "affiliate_id": c.affiliate_id, "sale_id": c.sale_id, "referral_id": c.referral_id,
        "kind": c.kind, "amount_minor": c.amount_minor, "currency": c.currency, "status": c.status,
        "due_at": c.due_at, "paid_at": c.paid_at, "payout_id": c.payout_id, "split_of": c.split_of,
    })
}

/// An optional text field: trimmed, empty = none, at most `max` characters.
pub(crate) fn optional_text(input: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(format!("must be at most {max} characters")),
        Some(s) => Ok(Some(s.to_owned())),
    }
}
