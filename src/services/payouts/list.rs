//! Reading payouts: pages with filters, totals by status, one affiliate's
//! balance, the store-credit grants the store's backend reads, and the
//! rows of a PayPal Payouts file.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::ServiceResult;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::states::CommissionStatus;
use crate::domain::{AffiliateId, PayoutId, StoreId};
use crate::entities::{affiliate, commission, payout};
use crate::services::paging::{Page, PageRequest};

#[derive(Debug, Default, Clone)]
pub struct PayoutFilter {
    pub status: Option<PayoutStatus>,
    pub affiliate_id: Option<AffiliateId>,
    pub method: Option<PayoutMethod>,
    /// Store credit granted to this customer of the store.
    pub customer: Option<String>,
}

fn filtered(store_id: StoreId, f: &PayoutFilter) -> Select<payout::Entity> {
    let mut q = payout::Entity::find().filter(payout::Column::StoreId.eq(store_id.0));
    if let Some(s) = f.status {
        q = q.filter(payout::Column::Status.eq(s));
    }
    if let Some(a) = f.affiliate_id {
        q = q.filter(payout::Column::AffiliateId.eq(a));
    }
    if let Some(m) = f.method {
        q = q.filter(payout::Column::Method.eq(m));
    }
    if let Some(c) = &f.customer {
        q = q.filter(payout::Column::ExternalCustomerId.eq(c.clone()));
    }
    q
}

/// Newest first, keyset-paged on the time-ordered id.
pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &PayoutFilter,
    page: PageRequest,
) -> ServiceResult<Page<payout::Model>> {
    let mut q = filtered(store_id, f);
    if let Some(after) = page.starting_after {
        q = q.filter(payout::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(payout::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub pending_minor: i64,
    pub paid_minor: i64,
    pub voided_minor: i64,
    pub count: i64,
}

/// Amounts of the filtered payouts by status (the status filter ignored,
/// so tabs can show every total).
pub async fn totals(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &PayoutFilter,
) -> ServiceResult<Totals> {
    let f = PayoutFilter {
        status: None,
        ..f.clone()
    };
    let rows: Vec<(PayoutStatus, i64, i64)> = filtered(store_id, &f)
        .select_only()
        .column(payout::Column::Status)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .group_by(payout::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let mut t = Totals::default();
    for (status, sum, n) in rows {
        t.count += n;
        match status {
            PayoutStatus::Pending => t.pending_minor = sum,
            PayoutStatus::Paid => t.paid_minor = sum,
            PayoutStatus::Voided => t.voided_minor = sum,
        }
    }
    Ok(t)
}

/// An affiliate's money, in minor units.
#[derive(Debug, Clone, Copy, Default)]
pub struct Balance {
    /// What can be paid now: the ledger balance (due commissions and
    /// adjustments that no payout holds yet).
    pub available_minor: i64,
    /// Commissions still in their hold period (not yet in the balance).
    pub pending_minor: i64,
    /// Payouts created and not yet marked paid (already out of `available`).
    pub in_payouts_minor: i64,
    /// Paid to date (`affiliates::paid_to_date`, the one definition).
    pub paid_minor: i64,
}

pub async fn balance(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<Balance> {
    let a = affiliate::Entity::find_by_id(affiliate_id)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(crate::services::ServiceError::NotFound)?;
    let pending: Option<i64> = commission::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .filter(commission::Column::StoreId.eq(store_id.0))
        .filter(commission::Column::AffiliateId.eq(affiliate_id))
        .filter(commission::Column::Status.eq(CommissionStatus::Pending))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    let t = totals(
        conn,
        store_id,
        &PayoutFilter {
            affiliate_id: Some(affiliate_id),
            ..Default::default()
        },
    )
    .await?;
    let paid = crate::services::affiliates::paid_to_date(conn, store_id, &[affiliate_id]).await?;
    Ok(Balance {
        available_minor: a.balance_minor,
        pending_minor: pending.unwrap_or(0),
        in_payouts_minor: t.pending_minor,
        paid_minor: paid.get(&affiliate_id.0).copied().unwrap_or(0),
    })
}

/// Store-credit payouts, newest first (voided ones included, with their
/// status: a grant the store applied must then be taken back).
pub async fn store_credits(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    customer: Option<String>,
    page: PageRequest,
) -> ServiceResult<Page<payout::Model>> {
    list(
        conn,
        store_id,
        &PayoutFilter {
            method: Some(PayoutMethod::StoreCredit),
            customer,
            ..Default::default()
        },
        page,
    )
    .await
}

/// One line of a PayPal Payouts bulk file.
#[derive(Debug, Clone)]
pub struct PaypalRow {
    pub payout_id: Uuid,
    pub email: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// A batch of the PayPal file: pending external payouts (of `only`, when
/// given) with their recipient's payout email, in id order after `after`.
/// Callers stream by calling again with the last id until it is empty.
pub async fn paypal_rows(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    only: Option<&[PayoutId]>,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<PaypalRow>> {
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
    let ids: Vec<Uuid> = rows.iter().map(|p| p.affiliate_id).collect();
    let emails: std::collections::HashMap<Uuid, (String, Option<String>)> =
        affiliate::Entity::find()
            .select_only()
            .column(affiliate::Column::Id)
            .column(affiliate::Column::Email)
            .column(affiliate::Column::PayoutEmail)
            .filter(affiliate::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String, Option<String>)>()
            .all(conn)
            .await?
            .into_iter()
            .map(|(id, e, p)| (id, (e, p)))
            .collect();
    Ok(rows
        .into_iter()
        .map(|p| {
            let email = emails
                .get(&p.affiliate_id)
                .map(|(e, pe)| {
                    pe.clone()
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| e.clone())
                })
                .unwrap_or_default();
            PaypalRow {
                payout_id: p.id,
                email,
                amount_minor: p.amount_minor,
                currency: p.currency,
            }
        })
        .collect())
}

/// "First Last <email>" of the given affiliates, for lists of payouts.
pub async fn names_of(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: &[Uuid],
) -> ServiceResult<std::collections::HashMap<Uuid, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, String, String, String)> = affiliate::Entity::find()
            .select_only()
            .column(affiliate::Column::Id)
            .column(affiliate::Column::FirstName)
            .column(affiliate::Column::LastName)
            .column(affiliate::Column::Email)
            .filter(affiliate::Column::StoreId.eq(store_id.0))
            .filter(affiliate::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, first, last, email) in rows {
            let name = format!("{first} {last}").trim().to_owned();
            out.insert(id, if name.is_empty() { email } else { name });
        }
    }
    Ok(out)
}
