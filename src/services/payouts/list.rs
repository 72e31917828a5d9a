//! Reading payouts: the filters the page, the API and the CSV share
//! (status, affiliate, method, a created or paid date range), pages,
//! totals by status, one affiliate's balance and the store-credit grants
//! the store's backend reads. The export files' rows are in `export`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::ServiceResult;
use crate::domain::ValidationErrors;
use crate::domain::commission_edit::parse_time;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::states::CommissionStatus;
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{affiliate, commission, payout};
use crate::services::paging::{Page, PageRequest};

/// Which of a payout's dates a `from`/`until` range reads, named as the
/// API's fields are.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum PayoutDate {
    #[default]
    Created,
    Paid,
}

impl PayoutDate {
    pub const ALL: &'static [PayoutDate] = &[Self::Created, Self::Paid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created_at",
            Self::Paid => "paid_at",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.as_str() == s.trim())
            .ok_or_else(|| "must be created_at or paid_at".to_owned())
    }
}

#[derive(Debug, Default, Clone)]
pub struct PayoutFilter {
    pub status: Option<PayoutStatus>,
    pub affiliate_id: Option<AffiliateId>,
    pub method: Option<PayoutMethod>,
    /// Store credit granted to this customer of the store.
    pub customer: Option<String>,
    /// The date `from` and `until` read.
    pub date: PayoutDate,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// The filters as typed in a query string (the page, its CSV and the API).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PayoutFilterText {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub affiliate_id: String,
    #[serde(default)]
    pub method: String,
    /// `created_at` (default) or `paid_at`.
    #[serde(default)]
    pub date_field: String,
    /// A date (from its start) or a time.
    #[serde(default)]
    pub from: String,
    /// A date (to its end, included) or a time (excluded).
    #[serde(default)]
    pub until: String,
}

impl PayoutFilter {
    /// Every bad field is named; blank fields filter nothing. A date is
    /// read as the commissions filter reads it (`until` a date includes
    /// that day), and `until` before `from` is refused, not an empty list.
    pub fn parse(t: &PayoutFilterText) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let date = |e: &mut ValidationErrors, field: &str, s: &str, end: bool| {
            let s = given(s)?;
            let at = e.check(field, parse_time(&s, None))?;
            let date_only = chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok();
            Some(if end && date_only {
                at + chrono::Duration::days(1)
            } else {
                at
            })
        };
        let f = Self {
            status: given(&t.status).and_then(|s| e.check("status", PayoutStatus::parse(&s))),
            affiliate_id: given(&t.affiliate_id).and_then(|s| {
                e.check(
                    "affiliate_id",
                    Uuid::parse_str(&s).map_err(|_| format!("must be an id, not {s:?}")),
                )
                .map(AffiliateId)
            }),
            method: given(&t.method).and_then(|s| e.check("method", PayoutMethod::parse(&s))),
            customer: None,
            date: given(&t.date_field)
                .and_then(|s| e.check("date_field", PayoutDate::parse(&s)))
                .unwrap_or_default(),
            from: date(&mut e, "from", &t.from, false),
            until: date(&mut e, "until", &t.until, true),
        };
        if let (Some(from), Some(until)) = (f.from, f.until)
            && until <= from
        {
            e.add("until", "must be after from");
        }
        e.into_result()?;
        Ok(f)
    }
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
    let column = match f.date {
        PayoutDate::Created => payout::Column::CreatedAt,
        PayoutDate::Paid => payout::Column::PaidAt,
    };
    if let Some(from) = f.from {
        q = q.filter(column.gte(from));
    }
    if let Some(until) = f.until {
        q = q.filter(column.lt(until));
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
    let rows = chunk(conn, store_id, f, page.starting_after, page.limit + 1).await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// Up to `limit` payouts of the filtered set after `after` (newest first):
/// a page, and each chunk of the streamed CSV.
pub async fn chunk(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &PayoutFilter,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<payout::Model>> {
    let mut q = filtered(store_id, f);
    if let Some(after) = after {
        q = q.filter(payout::Column::Id.lt(after));
    }
    Ok(q.order_by_desc(payout::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub pending_minor: i64,
    pub paid_minor: i64,
    pub voided_minor: i64,
    pub pending_count: i64,
    pub paid_count: i64,
    pub voided_count: i64,
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
            PayoutStatus::Pending => (t.pending_minor, t.pending_count) = (sum, n),
            PayoutStatus::Paid => (t.paid_minor, t.paid_count) = (sum, n),
            PayoutStatus::Voided => (t.voided_minor, t.voided_count) = (sum, n),
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
