//! The payouts list: status tabs, filters (affiliate, method, a created or
//! paid date range), totals of the filtered set by status, keyset pages,
//! and the links to its CSV and to the transfer files of checked payouts.

use super::*;
use crate::domain::ValidationErrors;
use crate::services::payouts::{PayoutDate, PayoutFilterText};

pub struct PayoutRow {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub affiliate: String,
    pub amount: String,
    pub method: String,
    pub status: String,
    pub count: i32,
    pub created: String,
    pub paid: String,
    pub pending: bool,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(flatten)]
    f: PayoutFilterText,
    #[serde(default)]
    after: String,
}

pub struct TotalView {
    pub status: String,
    pub count: i64,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/index.html")]
pub(super) struct ListPage {
    shell: Shell,
    f: PayoutFilterText,
    /// The parsed status and method ("" = any), for the tabs and selects.
    status: String,
    method: String,
    date_fields: Vec<(&'static str, &'static str)>,
    rows: Vec<PayoutRow>,
    totals: Vec<TotalView>,
    currency: String,
    /// Every filter but the status, for the tabs' links.
    rest: String,
    /// Every filter, for the CSV link and the pager.
    query: String,
    next_url: Option<String>,
    errors: ValidationErrors,
}

pub(super) fn rows(
    list: &[Payout],
    names: &std::collections::HashMap<Uuid, String>,
    c: Currency,
) -> Vec<PayoutRow> {
    list.iter()
        .map(|p| PayoutRow {
            id: p.id,
            affiliate_id: p.affiliate_id,
            affiliate: names.get(&p.affiliate_id).cloned().unwrap_or_default(),
            amount: format_minor(p.amount_minor, c),
            method: p.method.to_string(),
            status: p.status.to_string(),
            count: p.commission_count,
            created: p.created_at.format("%Y-%m-%d %H:%M").to_string(),
            paid: p
                .paid_at
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            pending: p.status == PayoutStatus::Pending,
        })
        .collect()
}

/// The filters as a query string (blank ones left out).
pub fn query_of(f: &PayoutFilterText, with_status: bool) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("status", &f.status),
        ("affiliate_id", &f.affiliate_id),
        ("method", &f.method),
        ("date_field", &f.date_field),
        ("from", &f.from),
        ("until", &f.until),
    ] {
        if (with_status || k != "status") && !v.trim().is_empty() {
            q.append_pair(k, v.trim());
        }
    }
    q.finish()
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let c = currency(&staff);
    let params = params.into_inner();
    let filter = match PayoutFilter::parse(&params.f) {
        // A bad filter shows its message and no list, not an error page.
        Err(e) => return render(&staff, params.f, None, e, c, &state).await,
        Ok(f) => f,
    };
    let result = payouts::list(
        &state.db,
        store_id,
        &filter,
        PageRequest {
            limit: 50,
            starting_after: Uuid::parse_str(params.after.trim()).ok(),
        },
    )
    .await?;
    let found = Some((filter, result));
    render(&staff, params.f, found, ValidationErrors::new(), c, &state).await
}

/// The page; without a parsed filter (a bad one), its messages, no rows
/// and no totals.
async fn render(
    staff: &Staff,
    f: PayoutFilterText,
    found: Option<(PayoutFilter, crate::services::paging::Page<Payout>)>,
    errors: ValidationErrors,
    c: Currency,
    state: &AppState,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let query = query_of(&f, true);
    let (status, method) = match &found {
        Some((filter, _)) => (
            filter.status.map(|s| s.to_string()).unwrap_or_default(),
            filter.method.map(|m| m.to_string()).unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    };
    let (rows, totals, next_url) = match found {
        None => (Vec::new(), Vec::new(), None),
        Some((filter, result)) => {
            let t = payouts::totals(&state.db, store_id, &filter).await?;
            let ids: Vec<Uuid> = result.items.iter().map(|p| p.affiliate_id).collect();
            let names = payouts::names_of(&state.db, store_id, &ids).await?;
            let next_url = if result.has_more {
                result.items.last().map(|p| {
                    let sep = if query.is_empty() { "" } else { "&" };
                    format!("/admin/payouts?{query}{sep}after={}", p.id)
                })
            } else {
                None
            };
            let totals = [
                (PayoutStatus::Pending, t.pending_count, t.pending_minor),
                (PayoutStatus::Paid, t.paid_count, t.paid_minor),
                (PayoutStatus::Voided, t.voided_count, t.voided_minor),
            ]
            .into_iter()
            .map(|(s, count, minor)| TotalView {
                status: s.to_string(),
                count,
                amount: format_minor(minor, c),
            })
            .collect();
            (rows(&result.items, &names, c), totals, next_url)
        }
    };
    page(&ListPage {
        shell: Shell::for_staff(staff, "payouts"),
        rest: query_of(&f, false),
        query,
        f,
        status,
        method,
        date_fields: PayoutDate::ALL
            .iter()
            .map(|d| {
                (
                    d.as_str(),
                    match d {
                        PayoutDate::Created => "Created",
                        PayoutDate::Paid => "Paid",
                    },
                )
            })
            .collect(),
        rows,
        totals,
        currency: c.code().to_owned(),
        next_url,
        errors,
    })
}
