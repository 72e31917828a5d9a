//! A payout's page, and marking it paid or voiding it in place.

use super::*;

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
    /// The affiliate's money now, so marking paid or voiding shows the
    /// balance it moved in the same swap.
    pub affiliate_available: String,
    pub affiliate_paid: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/_status.html")]
pub(super) struct StatusPartial {
    p: PayoutView,
    csrf: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/show.html")]
pub(super) struct ShowPage {
    shell: Shell,
    p: PayoutView,
    csrf: String,
    commissions: Vec<CommissionLine>,
}

pub(super) async fn view_of(
    state: &AppState,
    staff: &Staff,
    p: &Payout,
) -> Result<PayoutView, WebError> {
    let c = currency(staff);
    let names = payouts::names_of(&state.db, staff.access.id(), &[p.affiliate_id]).await?;
    let balance =
        payouts::balance(&state.db, staff.access.id(), AffiliateId(p.affiliate_id)).await?;
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
        affiliate_available: format_minor(balance.available_minor, c),
        affiliate_paid: format_minor(balance.paid_minor, c),
    })
}

pub(super) fn line(k: &Commission, c: Currency) -> CommissionLine {
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

pub(super) async fn answer(
    state: &AppState,
    staff: &Staff,
    req: &HttpRequest,
    p: &Payout,
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
