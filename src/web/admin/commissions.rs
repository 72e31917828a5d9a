//! The Commissions page: filters (status, affiliate search, campaign, kind,
//! dates), totals of the filtered set, keyset pages, and the inline edit of
//! a row (htmx swaps the row for its form and back). The commission's own
//! page, the manual commission form and the CSV are in `commission_pages`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::commission_edit::{earning, editable};
use crate::domain::money::format_minor;
use crate::domain::states::{CommissionKind, CommissionStatus};
use crate::domain::{CommissionId, Currency, ValidationErrors};
use crate::services::affiliates::Affiliate;
use crate::services::affiliates::display_name;
use crate::services::commissions::Commission;
use crate::services::commissions::{self, CommissionFilter, CommissionForUpdate, FilterText};
use crate::services::paging::PageRequest;
use crate::services::{ServiceError, campaigns};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

/// One commission as a table row shows it.
pub struct Row {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub affiliate: String,
    pub kind: String,
    pub status: String,
    /// What it earns now.
    pub amount: String,
    pub original: String,
    pub due: String,
    pub remarks: String,
    pub created: String,
    /// Why it cannot be edited, when it cannot.
    pub locked: Option<String>,
    pub paid: bool,
    /// The amount as the edit form starts with it (the stored amount).
    pub amount_input: String,
    pub due_input: String,
}

impl Row {
    pub fn new(c: &Commission, affiliate: Option<&Affiliate>) -> Self {
        let currency = Currency::parse(&c.currency).unwrap_or(Currency::USD);
        let e = earning(c.status, c.kind, c.amount_minor, c.original_amount_minor);
        Self {
            id: c.id,
            affiliate_id: c.affiliate_id,
            affiliate: affiliate
                .map(display_name)
                .unwrap_or_else(|| "(deleted)".into()),
            kind: c.kind.to_string(),
            status: c.status.to_string(),
            amount: format_minor(e.amount_minor, currency),
            original: if e.original_minor != e.amount_minor {
                format_minor(e.original_minor, currency)
            } else {
                String::new()
            },
            due: c.due_at.format("%Y-%m-%d").to_string(),
            remarks: c.remarks.clone().unwrap_or_default(),
            created: c.created_at.format("%Y-%m-%d %H:%M").to_string(),
            locked: editable(c.status).err().map(|e| e.0),
            paid: c.status == CommissionStatus::Paid,
            amount_input: format_minor(c.amount_minor, currency),
            due_input: c.due_at.format("%Y-%m-%d").to_string(),
        }
    }
}

pub struct TotalView {
    pub status: String,
    pub count: i64,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "admin/commissions/index.html")]
struct IndexPage {
    shell: Shell,
    f: FilterText,
    rows: Vec<Row>,
    totals: Vec<TotalView>,
    too_large: bool,
    currency: String,
    statuses: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    campaigns: Vec<(String, String)>,
    query: String,
    next_url: Option<String>,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(flatten)]
    f: FilterText,
    #[serde(default)]
    after: String,
}

/// The filters as a query string, for the pager and the CSV link.
pub fn query_of(f: &FilterText) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("status", &f.status),
        ("affiliate_id", &f.affiliate_id),
        ("affiliate", &f.affiliate),
        ("campaign_id", &f.campaign_id),
        ("kind", &f.kind),
        ("sale_id", &f.sale_id),
        ("from", &f.from),
        ("until", &f.until),
    ] {
        if !v.trim().is_empty() {
            q.append_pair(k, v.trim());
        }
    }
    q.finish()
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<Params>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let currency = campaigns::currency_of(&staff.access.store);
    let (filter, errors) = match CommissionFilter::parse(&params.f) {
        Ok(f) => (f, ValidationErrors::new()),
        // A bad filter shows its message and an empty list, not an error page.
        Err(e) => (
            CommissionFilter {
                sale_id: Some(crate::domain::SaleId(Uuid::nil())),
                ..Default::default()
            },
            e,
        ),
    };
    // The page, its totals and the campaigns are independent reads: each
    // takes its own pooled connection, so the page waits for the slowest.
    let (result, totals, campaigns) = tokio::try_join!(
        commissions::list(
            &state.db,
            store_id,
            &filter,
            PageRequest {
                limit: 50,
                starting_after: Uuid::parse_str(&params.after).ok(),
            },
        ),
        commissions::totals(&state.db, store_id, &filter),
        campaigns::list_all(&state.db, store_id),
    )?;
    let names = commissions::affiliates_of(
        &state.db,
        store_id,
        result.items.iter().map(|c| c.affiliate_id),
    )
    .await?;
    let query = query_of(&params.f);
    let next_url = if result.has_more {
        result.items.last().map(|c| {
            format!(
                "/admin/commissions?{query}{}after={}",
                if query.is_empty() { "" } else { "&" },
                c.id
            )
        })
    } else {
        None
    };
    page(&IndexPage {
        shell: Shell::for_staff(&staff, "commissions"),
        rows: rows(&result.items, &names),
        totals: totals
            .by_status
            .iter()
            .map(|t| TotalView {
                status: t.status.to_string(),
                count: t.count,
                amount: format_minor(t.amount_minor, currency),
            })
            .collect(),
        too_large: totals.too_large,
        currency: currency.code().to_owned(),
        statuses: CommissionStatus::ALL
            .iter()
            .map(|s| (s.to_string(), s.to_string()))
            .collect(),
        kinds: CommissionKind::ALL
            .iter()
            .map(|k| (k.to_string(), k.to_string()))
            .collect(),
        campaigns: campaigns
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        f: params.into_inner().f,
        query,
        next_url,
        errors,
    })
}

fn rows(items: &[Commission], names: &HashMap<Uuid, Affiliate>) -> Vec<Row> {
    items
        .iter()
        .map(|c| Row::new(c, names.get(&c.affiliate_id)))
        .collect()
}

#[derive(Template)]
#[template(path = "admin/commissions/_row.html")]
struct RowPartial {
    row: Row,
}

#[derive(Template)]
#[template(path = "admin/commissions/_edit_row.html")]
struct EditRowPartial {
    row: Row,
    csrf: String,
    errors: ValidationErrors,
    form: EditForm,
}

async fn row_of(state: &AppState, staff: &Staff, id: Uuid) -> Result<(Commission, Row), WebError> {
    let c = commissions::get(&state.db, staff.access.id(), CommissionId(id)).await?;
    let names = commissions::affiliates_of(
        &state.db,
        staff.access.id(),
        std::iter::once(c.affiliate_id),
    )
    .await?;
    let row = Row::new(&c, names.get(&c.affiliate_id));
    Ok((c, row))
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// The row, for htmx's Cancel.
pub async fn row(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let (_, row) = row_of(&state, &staff, *id).await?;
    Ok(html(
        actix_web::http::StatusCode::OK,
        RowPartial { row }.render()?,
    ))
}

/// The row as its edit form. A commission that cannot be edited says why.
pub async fn edit_row(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let (c, row) = row_of(&state, &staff, *id).await?;
    editable(c.status).map_err(|e| WebError::Conflict(e.0))?;
    let form = EditForm {
        amount: row.amount_input.clone(),
        due_date: row.due_input.clone(),
        remarks: row.remarks.clone(),
    };
    Ok(html(
        actix_web::http::StatusCode::OK,
        EditRowPartial {
            row,
            csrf: staff.csrf.clone(),
            errors: ValidationErrors::new(),
            form,
        }
        .render()?,
    ))
}

#[derive(Deserialize, Default, Clone)]
pub struct EditForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub remarks: String,
}

/// Saves the inline edit (or the commission page's form): htmx gets the
/// row back, or the form with its field messages; a plain form goes back
/// to the commission's page.
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, WebError> {
    let is_htmx = req.headers().contains_key("hx-request");
    let form = form.into_inner();
    let change = CommissionForUpdate {
        amount: Some(form.amount.clone()),
        due_at: Some(form.due_date.clone()),
        remarks: Some(Some(form.remarks.clone())),
        ..Default::default()
    };
    match commissions::update(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        CommissionId(*id),
        change,
    )
    .await
    {
        Ok(_) if is_htmx => {
            let (_, row) = row_of(&state, &staff, *id).await?;
            Ok(html(
                actix_web::http::StatusCode::OK,
                RowPartial { row }.render()?,
            ))
        }
        Ok(_) => {
            flash(&staff.session, "success", "Commission saved.");
            Ok(see_other(&format!("/admin/commissions/{id}")))
        }
        Err(ServiceError::Validation(errors)) if is_htmx => {
            let (_, row) = row_of(&state, &staff, *id).await?;
            // 200: htmx swaps only successful answers; the form shows its messages.
            Ok(html(
                actix_web::http::StatusCode::OK,
                EditRowPartial {
                    row,
                    csrf: staff.csrf.clone(),
                    errors,
                    form,
                }
                .render()?,
            ))
        }
        Err(ServiceError::Validation(errors)) => {
            super::commission_pages::show_with(&state, &staff, *id, form, errors).await
        }
        Err(ServiceError::Conflict(m)) if !is_htmx => {
            flash(&staff.session, "error", m);
            Ok(see_other(&format!("/admin/commissions/{id}")))
        }
        Err(e) => Err(e.into()),
    }
}
