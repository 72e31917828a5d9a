//! Writing one payout: the row, the claim of each commission, its items,
//! the ledger debit, the audit entry and the outbox events — inside the
//! caller's transaction, which already holds the affiliate's lock.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{ServiceError, ServiceResult, snapshot};
use crate::db;
use crate::domain::StoreId;
use crate::domain::payout::{PayoutMethod, PayoutStatus, Selection};
use crate::domain::states::{CommissionStatus, LedgerKind};
use crate::entities::{affiliate, commission, payout, payout_item};
use crate::services::{Actor, ActorKind, audit, events, ledger};

pub(crate) struct Settlement<'a> {
    pub affiliate: &'a affiliate::Model,
    pub selection: Selection,
    pub method: PayoutMethod,
    pub comment: Option<String>,
    pub currency: &'a str,
}

pub(crate) async fn write(
    txn: &db::Txn,
    store_id: StoreId,
    actor: &Actor,
    s: Settlement<'_>,
) -> ServiceResult<payout::Model> {
    let now = db::stored_now();
    let id = Uuid::now_v7();
    let sel = &s.selection;
    let row = payout::ActiveModel {
        id: Set(id),
        store_id: Set(store_id.0),
        affiliate_id: Set(s.affiliate.id),
        amount_minor: Set(sel.amount_minor),
        currency: Set(s.currency.to_owned()),
        method: Set(s.method),
        status: Set(PayoutStatus::Pending),
        reference: Set(None),
        comment: Set(s.comment),
        initiated_by: Set(actor.label.chars().take(254).collect()),
        initiated_by_user_id: Set(actor.id.filter(|_| actor.kind == ActorKind::User)),
        initiated_ip: Set(actor.ip.clone()),
        paid_at: Set(None),
        voided_at: Set(None),
        voided_by: Set(None),
        voided_by_user_id: Set(None),
        void_reason: Set(None),
        external_customer_id: Set(match s.method {
            PayoutMethod::StoreCredit => s.affiliate.external_customer_id.clone(),
            PayoutMethod::External => None,
        }),
        period_start: Set(Some(sel.period_start)),
        period_end: Set(Some(sel.period_end)),
        commission_count: Set(i32::try_from(sel.count).unwrap_or(i32::MAX)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;

    // The claim: a commission another payout took meanwhile is not
    // updated, the count falls short, and this whole payout rolls back.
    for chunk in sel.commission_ids.chunks(500) {
        let claimed = commission::Entity::update_many()
            .col_expr(commission::Column::PayoutId, Expr::value(id))
            .col_expr(commission::Column::UpdatedAt, Expr::value(now))
            .filter(commission::Column::Id.is_in(chunk.to_vec()))
            .filter(commission::Column::StoreId.eq(store_id.0))
            .filter(commission::Column::PayoutId.is_null())
            .filter(commission::Column::Status.eq(CommissionStatus::Due))
            .exec(txn)
            .await?;
        if claimed.rows_affected != chunk.len() as u64 {
            return Err(ServiceError::Conflict(
                "Some of these commissions were just settled by another payout; nothing was paid. Reload and try again."
                    .into(),
            ));
        }
    }
    let amounts: std::collections::HashMap<Uuid, i64> = commission::Entity::find()
        .filter(commission::Column::PayoutId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.amount_minor))
        .collect();
    let items: Vec<payout_item::ActiveModel> = sel
        .commission_ids
        .iter()
        .map(|cid| payout_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            store_id: Set(store_id.0),
            payout_id: Set(id),
            commission_id: Set(*cid),
            amount_minor: Set(amounts.get(cid).copied().unwrap_or(0)),
            released_at: Set(None),
        })
        .collect();
    if amounts.values().sum::<i64>() != sel.amount_minor {
        return Err(ServiceError::Conflict(
            "A commission of this payout changed while it was being created; nothing was paid. Reload and try again."
                .into(),
        ));
    }
    for chunk in items.chunks(500) {
        payout_item::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    ServiceError::Conflict(
                        "A commission of this payout is already in another payout; nothing was paid."
                            .into(),
                    )
                } else {
                    e.into()
                }
            })?;
    }
    ledger::post_for_payout(
        txn,
        store_id,
        ledger::Entry {
            affiliate_id: s.affiliate.id,
            commission_id: None,
            kind: LedgerKind::Payout,
            amount_minor: -sel.amount_minor,
            currency: s.currency,
        },
        Some(id),
    )
    .await?;
    let body = snapshot(&row);
    audit::record(
        txn,
        store_id,
        actor,
        "payout.created",
        "payout",
        Some(id.to_string()),
        json!({"amount_minor": sel.amount_minor, "affiliate_id": s.affiliate.id,
               "commission_count": sel.count, "method": s.method}),
    )
    .await?;
    events::emit(txn, store_id, "payout.created", body.clone()).await?;
    if s.method == PayoutMethod::StoreCredit {
        events::emit(
            txn,
            store_id,
            "store_credit.granted",
            json!({"payout_id": id, "customer": row.external_customer_id,
                   "affiliate_id": s.affiliate.id, "amount": body["amount"],
                   "amount_minor": sel.amount_minor, "currency": s.currency}),
        )
        .await?;
    }
    Ok(row)
}
