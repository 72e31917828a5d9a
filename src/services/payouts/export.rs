//! The rows the payout exports stream, one bounded batch per call: the
//! transfer files (PayPal Payouts, Wise batch) of pending external payouts,
//! and the generic CSV of the list's filtered set. Callers call again with
//! the last id until a batch comes back empty, so no export ever holds more
//! than one batch in memory.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::ServiceResult;
use super::list::{PayoutFilter, chunk};
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::{PayoutId, StoreId};
use crate::entities::{affiliate, payout};

/// One transfer of a PayPal or Wise file.
#[derive(Debug, Clone)]
pub struct TransferRow {
    pub payout_id: Uuid,
    /// "First Last", or the account email when the affiliate has no name.
    pub name: String,
    /// The payout email, or the account email when there is none.
    pub email: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// A batch of a transfer file: pending external payouts (of `only`, when
/// given) in id order after `after`. Store credit is never in it: that
/// money is granted in the store, not sent.
pub async fn transfer_rows(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    only: Option<&[PayoutId]>,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<TransferRow>> {
    let mut q = payout::Entity::find()
        .filter(payout::Column::StoreId.eq(store_id.0))
        .filter(payout::Column::Status.eq(PayoutStatus::Pending))
        .filter(payout::Column::Method.eq(PayoutMethod::External));
    if let Some(ids) = only {
        q = q.filter(payout::Column::Id.is_in(ids.iter().map(|i| i.0).collect::<Vec<_>>()));
    }
    if let Some(after) = after {
        q = q.filter(payout::Column::Id.gt(after));
    }
    let rows = q
        .order_by_asc(payout::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let people = contacts(conn, store_id, rows.iter().map(|p| p.affiliate_id)).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let c = people.get(&p.affiliate_id).cloned().unwrap_or_default();
            TransferRow {
                payout_id: p.id,
                email: c.payout_email.unwrap_or(c.email),
                name: c.name,
                amount_minor: p.amount_minor,
                currency: p.currency,
            }
        })
        .collect())
}

/// A payout of the generic CSV with who it pays.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub payout: payout::Model,
    pub affiliate_name: String,
    pub affiliate_email: String,
}

/// A batch of the filtered set, newest first after `after` (the list's
/// own order and keyset).
pub async fn export_rows(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &PayoutFilter,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<ExportRow>> {
    let rows = chunk(conn, store_id, f, after, limit).await?;
    let people = contacts(conn, store_id, rows.iter().map(|p| p.affiliate_id)).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let c = people.get(&p.affiliate_id).cloned().unwrap_or_default();
            ExportRow {
                payout: p,
                affiliate_name: c.name,
                affiliate_email: c.email,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Default)]
struct Contact {
    name: String,
    email: String,
    payout_email: Option<String>,
}

async fn contacts(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: impl Iterator<Item = Uuid>,
) -> ServiceResult<HashMap<Uuid, Contact>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for part in ids.chunks(500) {
        let rows: Vec<(Uuid, String, String, String, Option<String>)> = affiliate::Entity::find()
            .select_only()
            .column(affiliate::Column::Id)
            .column(affiliate::Column::FirstName)
            .column(affiliate::Column::LastName)
            .column(affiliate::Column::Email)
            .column(affiliate::Column::PayoutEmail)
            .filter(affiliate::Column::StoreId.eq(store_id.0))
            .filter(affiliate::Column::Id.is_in(part.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, first, last, email, payout_email) in rows {
            let name = format!("{first} {last}").trim().to_owned();
            out.insert(
                id,
                Contact {
                    name: if name.is_empty() { email.clone() } else { name },
                    email,
                    payout_email: payout_email.filter(|e| !e.trim().is_empty()),
                },
            );
        }
    }
    Ok(out)
}
