//! The ledger: append-only movements of an affiliate's balance. The cached
//! `affiliates.balance_minor` changes only here, in the same transaction as
//! its entry, so Σ entries = balance always holds (DESIGN §3, invariant 1).

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use std::collections::HashSet;

use super::{ServiceError, ServiceResult, UseCaseError, UseCaseResult};
use crate::db;
use crate::domain::StoreId;
use crate::domain::states::LedgerKind;
use crate::entities::{affiliate, ledger_entry};

pub struct Entry<'a> {
    pub affiliate_id: Uuid,
    pub commission_id: Option<Uuid>,
    pub kind: LedgerKind,
    pub amount_minor: i64,
    pub currency: &'a str,
}

/// Appends `entry` and moves the cached balance by its amount, with checked
/// arithmetic: a balance that would leave `i64` is refused with a clear
/// error (the transaction then rolls back), never wrapped — and never handed
/// to SQLite, whose integer addition silently turns into a float on
/// overflow, after which every read of the row fails.
///
/// The check is the `UPDATE`'s own condition (the balance has room for the
/// amount, and is a whole number), so a posting stays one round trip; the
/// balance is read only to explain a refusal.
pub async fn post(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    entry: Entry<'_>,
) -> ServiceResult<()> {
    post_for_payout(conn, store_id, entry, None).await
}

/// `post`, naming the payout a `payout` or `payout_void` entry belongs to.
pub async fn post_for_payout(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    entry: Entry<'_>,
    payout_id: Option<Uuid>,
) -> ServiceResult<()> {
    if entry.amount_minor == 0 {
        return Ok(());
    }
    let balance = Expr::col(affiliate::Column::BalanceMinor);
    let room = if entry.amount_minor > 0 {
        balance.clone().lte(i64::MAX - entry.amount_minor)
    } else {
        balance.clone().gte(i64::MIN - entry.amount_minor)
    };
    let moved = affiliate::Entity::update_many()
        .col_expr(
            affiliate::Column::BalanceMinor,
            balance.clone().add(entry.amount_minor),
        )
        .filter(affiliate::Column::Id.eq(entry.affiliate_id))
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(room)
        // A float left by an older version (SQLite) is not added to.
        .filter(
            balance
                .clone()
                .eq(Expr::cust("CAST(balance_minor AS BIGINT)")),
        )
        .exec(conn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(refusal(conn, store_id, &entry).await);
    }
    ledger_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(entry.affiliate_id),
        commission_id: Set(entry.commission_id),
        payout_id: Set(payout_id),
        kind: Set(entry.kind),
        amount_minor: Set(entry.amount_minor),
        currency: Set(entry.currency.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// What `post_many` could not post: the affiliate's balance has no room
/// for the amount (or is not a whole number), in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub affiliate_id: Uuid,
    pub message: String,
}

/// `post_for_payout` for many affiliates at once, at most one entry each
/// (entries of one affiliate must be summed first: an `UPDATE … FROM`
/// moves a row once). The balances move in one statement per few thousand
/// affiliates, with the same conditions as one posting, and the entries are
/// appended with multi-row inserts: a batch of payouts costs a few round
/// trips, not two per payout.
///
/// An affiliate whose balance cannot move is answered (`Refused`), and then
/// no entry is written while the other balances have moved: the caller
/// rolls its transaction back.
pub async fn post_many(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    entries: Vec<(Entry<'_>, Option<Uuid>)>,
) -> UseCaseResult<(), Vec<Refused>> {
    let entries: Vec<_> = entries
        .into_iter()
        .filter(|(e, _)| e.amount_minor != 0)
        .collect();
    debug_assert!(
        entries
            .iter()
            .map(|(e, _)| e.affiliate_id)
            .collect::<HashSet<_>>()
            .len()
            == entries.len(),
        "one entry per affiliate"
    );
    let mut moved = HashSet::new();
    // Four binds per affiliate, and the store's.
    for chunk in entries.chunks(db::rows_per_statement(conn, 4, 1)) {
        let mut b = db::Binds::new(conn);
        let rows: Vec<String> = chunk
            .iter()
            .map(|(e, _)| {
                // The room the balance needs, as bounds on its current value.
                let (lo, hi) = if e.amount_minor > 0 {
                    (i64::MIN, i64::MAX - e.amount_minor)
                } else {
                    (i64::MIN - e.amount_minor, i64::MAX)
                };
                format!(
                    "({}, {}, {}, {})",
                    b.push(e.affiliate_id),
                    b.push(e.amount_minor),
                    b.push(lo),
                    b.push(hi)
                )
            })
            .collect();
        let store = b.push(store_id.0);
        // Each affiliate found by its id (`db::not_indexed`). A float left
        // by an older version (SQLite) is not added to.
        let sql = format!(
            "WITH v (aid, amount, lo, hi) AS (VALUES {}) \
             UPDATE affiliates SET balance_minor = affiliates.balance_minor + v.amount FROM v \
             WHERE affiliates.id = v.aid AND {} = {store} \
             AND affiliates.balance_minor BETWEEN v.lo AND v.hi \
             AND affiliates.balance_minor = CAST(affiliates.balance_minor AS BIGINT) \
             RETURNING id",
            rows.join(", "),
            db::not_indexed(conn, "affiliates.store_id"),
        );
        for row in conn.query_all_raw(b.statement(sql)).await? {
            moved.insert(row.try_get::<Uuid>("", "id")?);
        }
    }
    let mut refused = Vec::new();
    for (e, _) in entries
        .iter()
        .filter(|(e, _)| !moved.contains(&e.affiliate_id))
    {
        match refusal(conn, store_id, e).await {
            ServiceError::Conflict(message) => refused.push(Refused {
                affiliate_id: e.affiliate_id,
                message,
            }),
            ServiceError::NotFound => refused.push(Refused {
                affiliate_id: e.affiliate_id,
                message: format!("affiliate {} is not of this store", e.affiliate_id),
            }),
            other => return Err(UseCaseError::Failed(other)),
        }
    }
    if !refused.is_empty() {
        return Err(UseCaseError::Refused(refused));
    }
    let now = Utc::now();
    let rows: Vec<ledger_entry::ActiveModel> = entries
        .into_iter()
        .map(|(e, payout_id)| ledger_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            store_id: Set(store_id.0),
            affiliate_id: Set(e.affiliate_id),
            commission_id: Set(e.commission_id),
            payout_id: Set(payout_id),
            kind: Set(e.kind),
            amount_minor: Set(e.amount_minor),
            currency: Set(e.currency.to_owned()),
            created_at: Set(now),
        })
        .collect();
    db::insert_rows(conn, rows).await?;
    Ok(())
}

/// Why the balance did not move: no such affiliate, or no room.
async fn refusal(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    entry: &Entry<'_>,
) -> ServiceError {
    let stored: Result<Option<String>, _> = affiliate::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(balance_minor AS TEXT)"), "b")
        .filter(affiliate::Column::Id.eq(entry.affiliate_id))
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .into_tuple::<String>()
        .one(conn)
        .await;
    let stored = match stored {
        Ok(Some(b)) => b,
        Ok(None) => return ServiceError::NotFound,
        Err(e) => return e.into(),
    };
    let sum = stored
        .parse::<i64>()
        .ok()
        .and_then(|b| b.checked_add(entry.amount_minor));
    tracing::error!(
        affiliate_id = %entry.affiliate_id,
        stored = %stored,
        amount_minor = entry.amount_minor,
        "ledger posting refused: the balance would leave the integer range"
    );
    ServiceError::Conflict(match sum {
        Some(_) => format!(
            "the balance of affiliate {} changed while posting; try again",
            entry.affiliate_id
        ),
        None => format!(
            "the balance of affiliate {} ({stored} minor units) cannot take {} more: it would overflow; run `tributary check`",
            entry.affiliate_id, entry.amount_minor
        ),
    })
}

/// What pages read of a ledger entry.
pub use crate::entities::ledger_entry::Model as LedgerEntry;
