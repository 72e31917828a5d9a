//! The affiliates list: status tabs with counts, search, sort, keyset
//! pages, in-place status moves (htmx) and bulk approve/reject.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::AffiliateId;
use crate::domain::StoreId;
use crate::domain::affiliate::{AffiliateStatus, StatusAction};
use crate::entities::affiliate;
use crate::services::affiliates::{self, Counters, ListQuery, Sort};
use crate::services::{ServiceError, campaigns, links};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

const PAGE_SIZE: u64 = 50;

/// The buttons a status allows: (verb, route, label).
/// Derived from `StatusAction::apply`: a button for each move it allows.
pub fn actions_for(status: AffiliateStatus) -> Vec<(&'static str, &'static str, &'static str)> {
    StatusAction::ALL
        .iter()
        .filter(|a| a.apply(status).is_ok())
        .map(|a| match a {
            StatusAction::Approve => ("approve", "approval", "Approve"),
            StatusAction::Reject => ("reject", "rejection", "Reject"),
            StatusAction::Suspend => ("suspend", "suspension", "Suspend"),
            StatusAction::Enable => ("enable", "reinstatement", "Re-enable"),
        })
        .collect()
}

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
    pub actions: Vec<(&'static str, &'static str, &'static str)>,
}

pub fn display_name(a: &affiliate::Model) -> String {
    format!("{} {}", a.first_name, a.last_name)
        .trim()
        .to_owned()
}

async fn rows_for(
    state: &AppState,
    store_id: StoreId,
    items: &[affiliate::Model],
) -> Result<Vec<AffiliateRow>, WebError> {
    let ids: Vec<AffiliateId> = items.iter().map(|a| AffiliateId(a.id)).collect();
    let counters = affiliates::counters(&state.db, store_id, &ids).await?;
    let tokens = links::first_tokens(&state.db, store_id, &ids).await?;
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
                actions: actions_for(a.status),
            }
        })
        .collect())
}

pub struct Counts {
    pub all: i64,
    pub tabs: Vec<(&'static str, &'static str, i64)>,
}

async fn counts(state: &AppState, store_id: StoreId) -> Result<Counts, WebError> {
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
    pub after: String,
    pub self_url: String,
    pub first_url: String,
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

#[derive(Template)]
#[template(path = "admin/affiliates/index.html")]
struct IndexPage {
    shell: Shell,
    csrf: String,
    list: ListState,
    counts: Counts,
    rows: Vec<AffiliateRow>,
    next_url: Option<String>,
    sorts: Vec<(&'static str, &'static str)>,
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
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
    let list = ListState {
        self_url: list_url(
            &status_text,
            &params.q,
            sort.as_str(),
            after.map(|a| a.to_string()).as_deref(),
        ),
        first_url: list_url(&status_text, &params.q, sort.as_str(), None),
        status: status_text,
        q: params.q.clone(),
        sort: sort.as_str(),
        after: after.map(|a| a.to_string()).unwrap_or_default(),
    };
    page(&IndexPage {
        csrf: staff.csrf.clone(),
        rows: rows_for(&state, store_id, &result.items).await?,
        counts: counts(&state, store_id).await?,
        shell: Shell::for_staff(&staff, "affiliates"),
        list,
        next_url,
        sorts: vec![
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("name", "Name A–Z"),
            ("email", "Email A–Z"),
        ],
    })
}

#[derive(Template)]
#[template(path = "admin/affiliates/_row.html")]
struct RowPartial {
    row: AffiliateRow,
}

#[derive(Template)]
#[template(path = "admin/affiliates/_counts.html")]
struct CountsPartial {
    counts: Counts,
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/affiliates/{id}/approval|rejection|suspension|reinstatement`:
/// each status move is its own route. With htmx the answer is the new row
/// plus the tab counts (out of band); otherwise a redirect with a flash.
pub async fn change_status(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    path: web::Path<(Uuid, String)>,
    form: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, WebError> {
    let (id, route) = path.into_inner();
    let action = match route.as_str() {
        "approval" => StatusAction::Approve,
        "rejection" => StatusAction::Reject,
        "suspension" => StatusAction::Suspend,
        "reinstatement" => StatusAction::Enable,
        _ => return Err(WebError::NotFound),
    };
    // htmx's hx-prompt sends the typed reason in a header.
    let prompt = req
        .headers()
        .get("hx-prompt")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let reason = form
        .map(|f| f.into_inner().reason)
        .filter(|r| !r.trim().is_empty())
        .or(prompt);
    let store_id = staff.access.id();
    let is_htmx = req.headers().contains_key("hx-request");
    let result = affiliates::change_status(
        &state.db,
        store_id,
        &staff.actor(),
        AffiliateId(id),
        action,
        reason.as_deref(),
    )
    .await;
    let updated = match result {
        Ok(a) => a,
        Err(ServiceError::Conflict(message)) if !is_htmx => {
            flash(&staff.session, "error", message);
            return Ok(see_other(&format!("/admin/affiliates/{id}")));
        }
        Err(e) => return Err(e.into()),
    };
    let message = format!("{} is now {}.", display_name(&updated), updated.status);
    if is_htmx {
        let row = rows_for(&state, store_id, std::slice::from_ref(&updated))
            .await?
            .pop()
            .expect("one row");
        let body = RowPartial { row }.render()?
            + &CountsPartial {
                counts: counts(&state, store_id).await?,
            }
            .render()?;
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "HX-Trigger",
                serde_json::json!({"flash": message}).to_string(),
            ))
            .body(body));
    }
    flash(&staff.session, "success", message);
    Ok(see_other(&format!("/admin/affiliates/{id}")))
}

/// `POST /admin/affiliates/bulk`: `action` and repeated `ids`.
pub async fn bulk(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let mut ids = Vec::new();
    let mut action = String::new();
    let mut back = "/admin/affiliates".to_owned();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "ids" => {
                if let Ok(id) = Uuid::parse_str(&v) {
                    ids.push(id);
                }
            }
            "action" => action = v.into_owned(),
            "back" if v.starts_with("/admin/affiliates") && !v.contains("//") => {
                back = v.into_owned()
            }
            _ => {}
        }
    }
    let action = match action.as_str() {
        "approve" => StatusAction::Approve,
        "reject" => StatusAction::Reject,
        _ => return Err(WebError::validation("action", "must be approve or reject")),
    };
    match affiliates::bulk_change_status(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        &ids.iter().copied().map(AffiliateId).collect::<Vec<_>>(),
        action,
    )
    .await
    {
        Ok(outcome) => {
            let verb = if action == StatusAction::Approve {
                AffiliateStatus::Approved
            } else {
                AffiliateStatus::Rejected
            };
            let mut message = format!(
                "{} affiliate{} {verb}.",
                outcome.changed.len(),
                if outcome.changed.len() == 1 { "" } else { "s" }
            );
            if outcome.skipped > 0 {
                message.push_str(&format!(
                    " {} skipped (their status does not allow it).",
                    outcome.skipped
                ));
            }
            flash(&staff.session, "success", message);
        }
        Err(ServiceError::Validation(errors)) => {
            flash(
                &staff.session,
                "error",
                errors.get("ids").unwrap_or("Nothing selected.").to_owned(),
            );
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&back))
}
