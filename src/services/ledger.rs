//! The ledger: append-only movements of an affiliate's balance. The cached
//! `affiliates.balance_minor` changes only here, in the same transaction as
//! its entry, so Σ entries = balance always holds (DESIGN §3, invariant 1).

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::ServiceResult;
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
    affiliate::Entity::update_many()
        .col_expr(
            affiliate::Column::BalanceMinor,
            Expr::col(affiliate::Column::BalanceMinor).add(entry.amount_minor),
        )
        .filter(affiliate::Column::Id.eq(entry.affiliate_id))
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .exec(conn)
        .await?;
    Ok(())
}
