//! The ledger: append-only movements of an affiliate's balance. The cached
//! `affiliates.balance_minor` changes only here, in the same transaction as
//! its entry, so Σ entries = balance always holds (DESIGN §3, invariant 1).

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
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
