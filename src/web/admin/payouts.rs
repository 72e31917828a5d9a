//! The Payouts pages: the Due view (select some or all → payouts), the
//! list (status tabs, affiliate, method, totals, keyset pages), a payout's
//! page with Mark paid and Void in place (htmx), the affiliate's money box
//! (balance split, payouts, Record payout and Adjust balance), and the
//! PayPal Payouts bulk CSV of selected pending payouts, streamed.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::{AffiliateId, Currency, PayoutId};
use crate::entities::{commission, payout};
use crate::services::paging::PageRequest;
use crate::services::payouts::{
    self, AdjustInput, CreateInput, MarkPaidInput, PayoutFilter, RecordInput,
};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

fn currency(staff: &Staff) -> Currency {
    Currency::parse(&staff.access.store.currency).unwrap_or(Currency::USD)
}

fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

fn fragment(html: String, message: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "HX-Trigger",
            serde_json::json!({"flash": message}).to_string(),
        ))
        .body(html)
}

// --- Due view ----------------------------------------------------------------

pub struct DueView {
    pub affiliate_id: Uuid,
    pub name: String,
    pub payout_email: String,
    pub amount: String,
    pub count: i64,
    pub period: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/due.html")]
struct DuePage {
    shell: Shell,
    rows: Vec<DueView>,
    held_back: Vec<DueView>,
    total: String,
}

fn due_view(r: payouts::DueRow, c: Currency) -> DueView {
    DueView {
        affiliate_id: r.affiliate_id,
        name: if r.name.is_empty() {
            r.email.clone()
        } else {
            r.name
        },
        payout_email: r.payout_email.unwrap_or_default(),
        amount: format_minor(r.amount_minor, c),
        count: r.count,
        period: format!(
            "{} – {}",
            r.period_start.format("%Y-%m-%d"),
            r.period_end.format("%Y-%m-%d")
        ),
        reason: r.held_back.unwrap_or_default(),
    }
}

pub async fn due(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let c = currency(&staff);
    let view = payouts::due(
        &state.db,
        staff.access.id(),
        &staff.access.store.currency,
        PayoutMethod::External,
    )
    .await?;
    page(&DuePage {
        shell: Shell::for_staff(&staff, "payouts"),
        total: format_minor(view.total_minor, c),
        rows: view.rows.into_iter().map(|r| due_view(r, c)).collect(),
        held_back: view.held_back.into_iter().map(|r| due_view(r, c)).collect(),
    })
}

/// `affiliate_id=…` repeated (the checked rows), or `all=1`.
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let all = form.iter().any(|(k, v)| k == "all" && v == "1");
    let mut ids = Vec::new();
    for (k, v) in form.iter() {
        if k == "affiliate_id" {
            let id = Uuid::parse_str(v.trim())
                .map_err(|_| WebError::validation("affiliate_id", "is not an affiliate id"))?;
            ids.push(AffiliateId(id));
        }
    }
    if !all && ids.is_empty() {
        flash(
            &staff.session,
            "error",
            "Select at least one affiliate to pay.",
        );
        return Ok(see_other("/admin/payouts/due"));
    }
    let created = payouts::create(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        CreateInput {
            affiliate_ids: if all { None } else { Some(ids) },
            method: PayoutMethod::External,
            comment: None,
        },
    )
    .await?;
    let c = currency(&staff);
    let total: i64 = created.payouts.iter().map(|p| p.amount_minor).sum();
    let mut message = format!(
        "{} payout{} created, {} in all.",
        created.payouts.len(),
        if created.payouts.len() == 1 { "" } else { "s" },
        format_minor(total, c)
    );
    if !created.skipped.is_empty() && !all {
        message.push_str(&format!(
            " {} skipped: {}",
            created.skipped.len(),
            created.skipped[0].reason
        ));
    }
    flash(
        &staff.session,
        if created.payouts.is_empty() {
            "error"
        } else {
            "success"
        },
        message,
    );
    Ok(see_other("/admin/payouts?status=pending"))
}

// --- List ----------------------------------------------------------------------

pub struct PayoutRow {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub affiliate: String,
    pub amount: String,
    pub method: String,
    pub status: String,
    pub count: i32,
    pub created: String,
    pub pending: bool,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    affiliate_id: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    after: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/index.html")]
struct ListPage {
    shell: Shell,
    status: String,
    method: String,
    affiliate_id: String,
    rows: Vec<PayoutRow>,
    pending_total: String,
    paid_total: String,
    voided_total: String,
    next_url: Option<String>,
}

fn rows(
    list: &[payout::Model],
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
            pending: p.status == PayoutStatus::Pending,
        })
        .collect()
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let c = currency(&staff);
    let filter = PayoutFilter {
        status: PayoutStatus::parse(&params.status).ok(),
        method: PayoutMethod::parse(&params.method).ok(),
        affiliate_id: Uuid::parse_str(params.affiliate_id.trim())
            .ok()
            .map(AffiliateId),
        customer: None,
    };
    let result = payouts::list(
        &state.db,
        store_id,
        &filter,
        PageRequest {
            limit: 50,
            starting_after: Uuid::parse_str(&params.after).ok(),
        },
    )
    .await?;
    let totals = payouts::totals(&state.db, store_id, &filter).await?;
    let ids: Vec<Uuid> = result.items.iter().map(|p| p.affiliate_id).collect();
    let names = payouts::names_of(&state.db, store_id, &ids).await?;
    let status = filter.status.map(|s| s.to_string()).unwrap_or_default();
    let method = filter.method.map(|m| m.to_string()).unwrap_or_default();
    let affiliate_id = filter
        .affiliate_id
        .map(|a| a.to_string())
        .unwrap_or_default();
    let next_url = if result.has_more {
        result.items.last().map(|p| {
            format!("/admin/payouts?status={status}&method={method}&affiliate_id={affiliate_id}&after={}", p.id)
        })
    } else {
        None
    };
    page(&ListPage {
        shell: Shell::for_staff(&staff, "payouts"),
        rows: rows(&result.items, &names, c),
        pending_total: format_minor(totals.pending_minor, c),
        paid_total: format_minor(totals.paid_minor, c),
        voided_total: format_minor(totals.voided_minor, c),
        status,
        method,
        affiliate_id,
        next_url,
    })
}

// --- One payout ----------------------------------------------------------------

pub struct CommissionLine {
    pub id: Uuid,
    pub kind: String,
    pub amount: String,
    pub status: String,
    pub due: String,
    pub sale_id: Option<Uuid>,
}

pub struct PayoutView {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub affiliate: String,
    pub amount: String,
    pub method: String,
    pub status: String,
    pub pending: bool,
    pub voidable: bool,
    pub reference: String,
    pub comment: String,
    pub customer: String,
    pub initiated_by: String,
    pub initiated_ip: String,
    pub created: String,
    pub period: String,
    pub paid_at: String,
    pub voided_at: String,
    pub voided_by: String,
    pub void_reason: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/_status.html")]
struct StatusPartial {
    p: PayoutView,
    csrf: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/show.html")]
struct ShowPage {
    shell: Shell,
    p: PayoutView,
    csrf: String,
    commissions: Vec<CommissionLine>,
}

async fn view_of(
    state: &AppState,
    staff: &Staff,
    p: &payout::Model,
) -> Result<PayoutView, WebError> {
    let c = currency(staff);
    let names = payouts::names_of(&state.db, staff.access.id(), &[p.affiliate_id]).await?;
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    Ok(PayoutView {
        id: p.id,
        affiliate_id: p.affiliate_id,
        affiliate: names.get(&p.affiliate_id).cloned().unwrap_or_default(),
        amount: format!("{} {}", format_minor(p.amount_minor, c), p.currency),
        method: p.method.to_string(),
        status: p.status.to_string(),
        pending: p.status == PayoutStatus::Pending,
        voidable: p.status.void().is_ok(),
        reference: p.reference.clone().unwrap_or_default(),
        comment: p.comment.clone().unwrap_or_default(),
        customer: p.external_customer_id.clone().unwrap_or_default(),
        initiated_by: p.initiated_by.clone(),
        initiated_ip: p.initiated_ip.clone().unwrap_or_default(),
        created: p.created_at.format("%Y-%m-%d %H:%M").to_string(),
        period: match (p.period_start, p.period_end) {
            (Some(a), Some(b)) => format!("{} – {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
            _ => String::new(),
        },
        paid_at: when(p.paid_at),
        voided_at: when(p.voided_at),
        voided_by: p.voided_by.clone().unwrap_or_default(),
        void_reason: p.void_reason.clone().unwrap_or_default(),
    })
}

fn line(k: &commission::Model, c: Currency) -> CommissionLine {
    CommissionLine {
        id: k.id,
        kind: k.kind.to_string(),
        amount: format_minor(k.amount_minor, c),
        status: k.status.to_string(),
        due: k.due_at.format("%Y-%m-%d").to_string(),
        sale_id: k.sale_id,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let p = payouts::get(&state.db, staff.access.id(), PayoutId(*id)).await?;
    let c = currency(&staff);
    let commissions = payouts::commissions_of(&state.db, PayoutId(p.id))
        .await?
        .iter()
        .map(|k| line(k, c))
        .collect();
    page(&ShowPage {
        shell: Shell::for_staff(&staff, "payouts"),
        p: view_of(&state, &staff, &p).await?,
        csrf: staff.csrf.clone(),
        commissions,
    })
}

#[derive(Deserialize, Default)]
pub struct MarkPaidForm {
    #[serde(default)]
    reference: String,
}

pub async fn mark_paid(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<MarkPaidForm>,
) -> Result<HttpResponse, WebError> {
    let p = payouts::mark_paid(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        PayoutId(*id),
        MarkPaidInput {
            reference: Some(form.reference.clone()),
            paid_at: None,
        },
    )
    .await?;
    answer(&state, &staff, &req, &p, "Payout marked paid.").await
}

#[derive(Deserialize, Default)]
pub struct VoidForm {
    #[serde(default)]
    void_reason: String,
}

pub async fn void(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<VoidForm>,
) -> Result<HttpResponse, WebError> {
    let p = payouts::void(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        PayoutId(*id),
        &form.void_reason,
    )
    .await?;
    answer(
        &state,
        &staff,
        &req,
        &p,
        "Payout voided; its commissions are due again.",
    )
    .await
}

async fn answer(
    state: &AppState,
    staff: &Staff,
    req: &HttpRequest,
    p: &payout::Model,
    message: &str,
) -> Result<HttpResponse, WebError> {
    if is_htmx(req) {
        let html = StatusPartial {
            p: view_of(state, staff, p).await?,
            csrf: staff.csrf.clone(),
        }
        .render()?;
        return Ok(fragment(html, message));
    }
    flash(&staff.session, "success", message);
    Ok(see_other(&format!("/admin/payouts/{}", p.id)))
}

// --- PayPal CSV ------------------------------------------------------------------

fn csv_field(s: &str) -> String {
    // Quote always; a leading = + - @ would be a formula in a spreadsheet.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// PayPal Payouts bulk file (recipient, amount, currency, note with the
/// payout id) of the checked pending payouts, or of every pending external
/// payout when none is checked; written in batches as it is read.
pub async fn paypal_csv(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let only: Vec<PayoutId> = query
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok().map(PayoutId))
        .collect();
    let store_id = staff.access.id();
    let db = state.db.clone();
    let stream = futures_util::stream::unfold((Some(None::<Uuid>), only), move |(cursor, only)| {
        let db = db.clone();
        async move {
            let after = cursor?;
            let filter = if only.is_empty() {
                None
            } else {
                Some(only.as_slice())
            };
            match payouts::paypal_rows(&db, store_id, filter, after, 1000).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => {
                    let mut out = String::new();
                    for r in &batch {
                        let c = Currency::parse(&r.currency).unwrap_or(Currency::USD);
                        out.push_str(&format!(
                            "{},{},{},{},{}\r\n",
                            csv_field(&r.email),
                            format_minor(r.amount_minor, c),
                            r.currency,
                            csv_field(&r.payout_id.to_string()),
                            csv_field(&format!("Tributary payout {}", r.payout_id)),
                        ));
                    }
                    let next = batch.last().map(|r| r.payout_id);
                    Some((
                        Ok::<_, actix_web::Error>(web::Bytes::from(out)),
                        (Some(next), only),
                    ))
                }
                Err(e) => {
                    tracing::error!(error = %e, "PayPal CSV batch failed");
                    None
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"paypal-payouts.csv\"",
        ))
        .streaming(stream))
}

// --- The affiliate's money box ---------------------------------------------------

#[derive(Template)]
#[template(path = "admin/payouts/_money.html")]
struct MoneyBox {
    affiliate_id: Uuid,
    csrf: String,
    available: String,
    pending: String,
    in_payouts: String,
    paid: String,
    currency: String,
    payouts: Vec<PayoutRow>,
}

async fn money_box(state: &AppState, staff: &Staff, id: Uuid) -> Result<String, WebError> {
    let store_id = staff.access.id();
    let c = currency(staff);
    let b = payouts::balance(&state.db, store_id, AffiliateId(id)).await?;
    let list = payouts::list(
        &state.db,
        store_id,
        &PayoutFilter {
            affiliate_id: Some(AffiliateId(id)),
            ..Default::default()
        },
        PageRequest::first(20),
    )
    .await?;
    let names = payouts::names_of(&state.db, store_id, &[id]).await?;
    Ok(MoneyBox {
        affiliate_id: id,
        csrf: staff.csrf.clone(),
        available: format_minor(b.available_minor, c),
        pending: format_minor(b.pending_minor, c),
        in_payouts: format_minor(b.in_payouts_minor, c),
        paid: format_minor(b.paid_minor, c),
        currency: c.code().to_owned(),
        payouts: rows(&list.items, &names, c),
    }
    .render()?)
}

pub async fn money(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(money_box(&state, &staff, *id).await?))
}

#[derive(Deserialize, Default)]
pub struct RecordForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    store_credit: String,
    #[serde(default)]
    comment: String,
}

pub async fn record(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<RecordForm>,
) -> Result<HttpResponse, WebError> {
    let f = form.into_inner();
    let p = payouts::record(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        AffiliateId(*id),
        RecordInput {
            amount: f.amount,
            converted_to_store_credit: !f.store_credit.is_empty(),
            comment: Some(f.comment),
        },
    )
    .await?;
    let message = format!(
        "Payout of {} recorded.",
        format_minor(p.amount_minor, currency(&staff))
    );
    money_answer(&state, &staff, &req, *id, &message).await
}

#[derive(Deserialize, Default)]
pub struct AdjustForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

pub async fn adjust(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<AdjustForm>,
) -> Result<HttpResponse, WebError> {
    let f = form.into_inner();
    payouts::adjust(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        AffiliateId(*id),
        AdjustInput {
            amount: f.amount,
            reason: f.reason,
        },
    )
    .await?;
    money_answer(&state, &staff, &req, *id, "Balance adjusted.").await
}

async fn money_answer(
    state: &AppState,
    staff: &Staff,
    req: &HttpRequest,
    id: Uuid,
    message: &str,
) -> Result<HttpResponse, WebError> {
    if is_htmx(req) {
        return Ok(fragment(money_box(state, staff, id).await?, message));
    }
    flash(&staff.session, "success", message);
    Ok(see_other(&format!("/admin/affiliates/{id}")))
}
