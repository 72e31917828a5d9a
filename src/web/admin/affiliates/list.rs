//! The affiliates list: status tabs with counts, search, sort and keyset
//! pages. Typing in the search box asks for the results partial only (htmx
//! targets `#affiliate-results`); the tabs are counted for full pages.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::{ActionButton, buttons_for};
use crate::domain::affiliate::AffiliateStatus;
use crate::domain::currency::Currency;
use crate::domain::money::format_minor;
use crate::domain::{AffiliateId, CampaignId, StoreId};
use crate::services::affiliates::{
    self, Affiliate, Counters, ListQuery, MoneyColumns, Sort, display_name,
};
use crate::services::{ServiceError, campaigns, links};
use crate::web::extractors::{Htmx, Staff};
use crate::web::pager::Pager;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

const PAGE_SIZE: u64 = 50;
/// The id of the element search requests swap.
const RESULTS_ID: &str = "affiliate-results";
/// The `status` value of the "Due for payout" tab (not an affiliate status).
const DUE_TAB: &str = "due_for_payout";

pub struct AffiliateRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub campaign: String,
    pub status: String,
    pub enabled: bool,
    pub token: Option<String>,
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
    /// Money in the store's currency: lifetime earnings, due, paid to date.
    pub earnings: String,
    pub due: String,
    pub paid: String,
    pub joined: String,
    pub actions: Vec<ActionButton>,
    /// Other affiliates of the store joined from the same address (0: none).
    pub shared_ip_with: i64,
}

pub fn store_currency(staff: &Staff) -> Currency {
    Currency::parse(&staff.access.store.currency).unwrap_or(Currency::USD)
}

pub async fn rows_for(
    state: &AppState,
    store_id: StoreId,
    currency: Currency,
    items: &[Affiliate],
) -> Result<Vec<AffiliateRow>, WebError> {
    let ids: Vec<AffiliateId> = items.iter().map(|a| AffiliateId(a.id)).collect();
    let counters = affiliates::counters(&state.db, store_id, &ids).await?;
    let money = affiliates::money_columns(&state.db, store_id, &ids).await?;
    let tokens = links::first_tokens(&state.db, store_id, &ids).await?;
    let shared_ips = affiliates::shared_signup_ips(&state.db, store_id, items).await?;
    let campaign_names: HashMap<Uuid, String> = campaigns::list_all(&state.db, store_id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(items
        .iter()
        .map(|a| {
            let c = counters.get(&a.id).copied().unwrap_or(Counters::default());
            let m = money.get(&a.id).copied().unwrap_or(MoneyColumns::default());
            AffiliateRow {
                id: a.id,
                name: display_name(a),
                email: a.email.clone(),
                campaign: campaign_names
                    .get(&a.campaign_id)
                    .cloned()
                    .unwrap_or_default(),
                status: a.status.to_string(),
                enabled: a.is_enabled,
                token: tokens.get(&a.id).cloned(),
                visitors: c.visitors,
                leads: c.leads,
                conversions: c.conversions,
                earnings: format_minor(m.earnings_minor, currency),
                due: format_minor(m.due_minor, currency),
                paid: format_minor(m.paid_minor, currency),
                joined: a.created_at.format("%Y-%m-%d").to_string(),
                actions: buttons_for(a.status),
                shared_ip_with: a
                    .signup_ip_hash
                    .as_ref()
                    .and_then(|h| shared_ips.get(h))
                    .map_or(0, |n| n - 1),
            }
        })
        .collect())
}

pub struct Counts {
    pub all: i64,
    /// Affiliates the Due view can pay now.
    pub due: i64,
    pub tabs: Vec<(&'static str, &'static str, i64)>,
}

pub async fn counts(state: &AppState, store_id: StoreId) -> Result<Counts, WebError> {
    let by_status = affiliates::counts_by_status(&state.db, store_id).await?;
    let tabs: Vec<_> = AffiliateStatus::ALL
        .iter()
        .map(|s| {
            let label = match s {
                AffiliateStatus::Pending => "Pending",
                AffiliateStatus::Approved => "Approved",
                AffiliateStatus::Rejected => "Rejected",
                AffiliateStatus::Suspended => "Suspended",
            };
            (s.as_str(), label, by_status.get(s).copied().unwrap_or(0))
        })
        .collect();
    let due = affiliates::count_due_for_payout(&state.db, store_id).await?;
    Ok(Counts {
        all: tabs.iter().map(|t| t.2).sum(),
        due,
        tabs,
    })
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    campaign: String,
}

pub struct ListState {
    pub status: String,
    pub q: String,
    /// The campaign filter's id, empty for every campaign.
    pub campaign: String,
    pub sort: &'static str,
    pub self_url: String,
}

/// The list's own filters, carried by every link it makes.
struct Filters<'a> {
    status: &'a str,
    q: &'a str,
    campaign: &'a str,
    sort: &'a str,
}

fn list_url(f: &Filters, after: Option<&str>) -> String {
    let Filters {
        status,
        q,
        campaign,
        sort,
    } = *f;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        query.append_pair("status", status);
    }
    if !campaign.is_empty() {
        query.append_pair("campaign", campaign);
    }
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    if sort != "newest" {
        query.append_pair("sort", sort);
    }
    if let Some(a) = after {
        query.append_pair("after", a);
    }
    let query = query.finish();
    if query.is_empty() {
        "/admin/affiliates".into()
    } else {
        format!("/admin/affiliates?{query}")
    }
}

/// The part of the page a search replaces: the table, bulk bar and pager.
pub struct Results {
    pub csrf: String,
    pub list: ListState,
    pub rows: Vec<AffiliateRow>,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "admin/affiliates/index.html")]
struct IndexPage {
    shell: Shell,
    counts: Counts,
    sorts: Vec<(&'static str, &'static str)>,
    /// The campaign filter's choices: (id, name).
    campaigns: Vec<(String, String)>,
    results: Results,
}

#[derive(Template)]
#[template(path = "admin/affiliates/_results.html")]
struct ResultsPartial {
    results: Results,
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    htmx: Htmx,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let due_for_payout = params.status == DUE_TAB;
    let status = AffiliateStatus::parse(&params.status).ok();
    let sort = Sort::parse(&params.sort);
    let after = Uuid::parse_str(params.after.trim()).ok();
    let campaign_id = Uuid::parse_str(params.campaign.trim()).ok().map(CampaignId);
    let query = ListQuery {
        status,
        due_for_payout,
        campaign_id,
        search: Some(params.q.clone()),
        sort,
        after,
        limit: PAGE_SIZE,
        ..Default::default()
    };
    let result = match affiliates::list(&state.db, store_id, &query).await {
        // A cursor from another store (or deleted since) starts over.
        Err(ServiceError::NotFound) => {
            affiliates::list(
                &state.db,
                store_id,
                &ListQuery {
                    after: None,
                    ..query
                },
            )
            .await?
        }
        other => other?,
    };
    let status_text = if due_for_payout {
        DUE_TAB.to_owned()
    } else {
        status.map(|s| s.as_str()).unwrap_or("").to_owned()
    };
    let campaign_text = campaign_id.map(|c| c.0.to_string()).unwrap_or_default();
    let filters = Filters {
        status: &status_text,
        q: &params.q,
        campaign: &campaign_text,
        sort: sort.as_str(),
    };
    let next_url = if result.has_more {
        result
            .items
            .last()
            .map(|a| list_url(&filters, Some(&a.id.to_string())))
    } else {
        None
    };
    let first_url = after.map(|_| list_url(&filters, None));
    let currency = store_currency(&staff);
    let results = Results {
        csrf: staff.csrf.clone(),
        rows: rows_for(&state, store_id, currency, &result.items).await?,
        list: ListState {
            self_url: list_url(&filters, after.map(|a| a.to_string()).as_deref()),
            status: status_text.clone(),
            campaign: campaign_text.clone(),
            q: params.q.clone(),
            sort: sort.as_str(),
        },
        pager: Pager::pages(first_url, next_url),
    };
    if htmx.request && htmx.target.as_deref() == Some(RESULTS_ID) {
        return page(&ResultsPartial { results });
    }
    page(&IndexPage {
        counts: counts(&state, store_id).await?,
        campaigns: campaigns::list_all(&state.db, store_id)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        shell: Shell::for_staff(&staff, "affiliates"),
        sorts: vec![
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("name", "Name A–Z"),
            ("email", "Email A–Z"),
        ],
        results,
    })
}
