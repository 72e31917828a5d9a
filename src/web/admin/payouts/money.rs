//! The affiliate page's money box: balance split, record a payout, adjust the balance.

use super::*;

#[derive(Template)]
#[template(path = "admin/payouts/_money.html")]
pub(super) struct MoneyBox {
    affiliate_id: Uuid,
    csrf: String,
    available: String,
    pending: String,
    in_payouts: String,
    paid: String,
    currency: String,
    payouts: Vec<PayoutRow>,
}

pub(super) async fn money_box(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
) -> Result<String, WebError> {
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

pub(super) async fn money_answer(
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
