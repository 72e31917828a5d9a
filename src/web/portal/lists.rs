//! The affiliate's own lists: commissions (with a status filter), payouts
//! and referred customers, newest first, keyset-paged (`?after=<id>`).
//! Ids come only from `current`: `services::portal::lists` filters every
//! query by its store and affiliate.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::principal::CurrentAffiliate;
use super::shell::PortalShell;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::domain::states::CommissionStatus;
use crate::services::paging::PageRequest;
use crate::services::portal::lists;
use crate::web::pager::Pager;
use crate::web::{AppState, WebError, page};

const PAGE_SIZE: u64 = 25;

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<Uuid>,
    #[serde(default)]
    status: String,
}

fn day(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn money(minor: i64, currency: &str) -> String {
    let c = Currency::parse(currency).unwrap_or(Currency::USD);
    format!("{} {}", format_minor(minor, c), c.code())
}

/// `base` is the list's path with its filter (`…/commissions?status=due&`).
fn pager(base: &str, after: Option<Uuid>, next: Option<Uuid>) -> Pager {
    Pager::newest_first(
        after.map(|_| base.trim_end_matches(['&', '?']).to_owned()),
        next.map(|id| format!("{base}after={id}")),
    )
}

pub struct CommissionItem {
    pub status: &'static str,
    pub amount: String,
    pub sale_date: String,
    pub due_date: String,
}

#[derive(Template)]
#[template(path = "portal/commissions.html")]
struct CommissionsPage {
    shell: PortalShell,
    rows: Vec<CommissionItem>,
    status: String,
    statuses: &'static [CommissionStatus],
    pager: Pager,
    csv_url: String,
}

pub async fn commissions(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, WebError> {
    // An unknown status shows everything: it only comes from an edited URL.
    let status = CommissionStatus::parse(q.status.trim()).ok();
    let found = lists::commission_page(
        &state.db,
        current.store_id(),
        current.affiliate_id(),
        status,
        PageRequest {
            limit: PAGE_SIZE,
            starting_after: q.after,
        },
    )
    .await?;
    let filter = status.map(|s| format!("status={s}&")).unwrap_or_default();
    let base = format!("/a/{}/commissions?{filter}", current.store.slug);
    let next = found
        .has_more
        .then(|| found.items.last().map(|c| c.id))
        .flatten();
    page(&CommissionsPage {
        rows: found
            .items
            .iter()
            .map(|c| CommissionItem {
                status: c.status.as_str(),
                amount: money(c.amount_minor, &c.currency),
                sale_date: c.sale_at.as_ref().map(day).unwrap_or_else(|| "—".into()),
                due_date: day(&c.due_at),
            })
            .collect(),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        statuses: CommissionStatus::ALL,
        pager: pager(&base, q.after, next),
        csv_url: format!("/a/{}/commissions.csv", current.store.slug),
        shell: PortalShell::for_affiliate(&current),
    })
}

pub struct PayoutItem {
    pub status: &'static str,
    pub method: &'static str,
    pub amount: String,
    pub paid_at: String,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "portal/payouts.html")]
struct PayoutsPage {
    shell: PortalShell,
    rows: Vec<PayoutItem>,
    pager: Pager,
    csv_url: String,
}

pub async fn payouts(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, WebError> {
    let found = lists::payout_page(
        &state.db,
        current.store_id(),
        current.affiliate_id(),
        PageRequest {
            limit: PAGE_SIZE,
            starting_after: q.after,
        },
    )
    .await?;
    let base = format!("/a/{}/payouts?", current.store.slug);
    let next = found
        .has_more
        .then(|| found.items.last().map(|p| p.id))
        .flatten();
    page(&PayoutsPage {
        rows: found
            .items
            .iter()
            .map(|p| PayoutItem {
                status: p.status.as_str(),
                method: p.method.as_str(),
                amount: money(p.amount_minor, &p.currency),
                paid_at: p.paid_at.as_ref().map(day).unwrap_or_else(|| "—".into()),
                reference: p.reference.clone().unwrap_or_default(),
            })
            .collect(),
        pager: pager(&base, q.after, next),
        csv_url: format!("/a/{}/payouts.csv", current.store.slug),
        shell: PortalShell::for_affiliate(&current),
    })
}

pub struct CustomerItem {
    pub email: String,
    pub state: &'static str,
    pub sales: i32,
    pub since: String,
}

#[derive(Template)]
#[template(path = "portal/customers.html")]
struct CustomersPage {
    shell: PortalShell,
    rows: Vec<CustomerItem>,
    pager: Pager,
}

pub async fn customers(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, WebError> {
    let found = lists::customer_page(
        &state.db,
        current.store_id(),
        current.affiliate_id(),
        PageRequest {
            limit: PAGE_SIZE,
            starting_after: q.after,
        },
    )
    .await?;
    let base = format!("/a/{}/customers?", current.store.slug);
    let next = found
        .has_more
        .then(|| found.items.last().map(|c| c.id))
        .flatten();
    page(&CustomersPage {
        rows: found
            .items
            .iter()
            .map(|c| CustomerItem {
                email: c.email.clone(),
                state: c.state.as_str(),
                sales: c.sale_count,
                since: day(c.lead_at.as_ref().unwrap_or(&c.created_at)),
            })
            .collect(),
        pager: pager(&base, q.after, next),
        shell: PortalShell::for_affiliate(&current),
    })
}
