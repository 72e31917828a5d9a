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
use crate::domain::{AffiliateId, StoreId};
use crate::services::affiliates::{self, Affiliate, Counters, ListQuery, Sort, display_name};
use crate::services::{ServiceError, campaigns, links};
use crate::web::extractors::{Htmx, Staff};
use crate::web::pager::Pager;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

const PAGE_SIZE: u64 = 50;
/// The id of the element search requests swap.
const RESULTS_ID: &str = "affiliate-results";

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
    pub joined: String,
    pub actions: Vec<ActionButton>,
    /// Other affiliates of the store joined from the same address (0: none).
    pub shared_ip_with: i64,
}

pub async fn rows_for(
    state: &AppState,
    store_id: StoreId,
    items: &[Affiliate],
) -> Result<Vec<AffiliateRow>, WebError> {
    let ids: Vec<AffiliateId> = items.iter().map(|a| AffiliateId(a.id)).collect();
    let counters = affiliates::counters(&state.db, store_id, &ids).await?;
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
    Ok(Counts {
        all: tabs.iter().map(|t| t.2).sum(),
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
}

pub struct ListState {
    pub status: String,
    pub q: String,
    pub sort: &'static str,
    pub self_url: String,
}

fn list_url(status: &str, q: &str, sort: &str, after: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        query.append_pair("status", status);
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
    let status = AffiliateStatus::parse(&params.status).ok();
    let sort = Sort::parse(&params.sort);
    let after = Uuid::parse_str(params.after.trim()).ok();
    let query = ListQuery {
        status,
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
    let status_text = status.map(|s| s.as_str()).unwrap_or("").to_owned();
    let next_url = if result.has_more {
        result.items.last().map(|a| {
            list_url(
                &status_text,
                &params.q,
                sort.as_str(),
                Some(&a.id.to_string()),
            )
        })
    } else {
        None
    };
    let first_url = after.map(|_| list_url(&status_text, &params.q, sort.as_str(), None));
    let results = Results {
        csrf: staff.csrf.clone(),
        rows: rows_for(&state, store_id, &result.items).await?,
        list: ListState {
            self_url: list_url(
                &status_text,
                &params.q,
                sort.as_str(),
                after.map(|a| a.to_string()).as_deref(),
            ),
            status: status_text,
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
