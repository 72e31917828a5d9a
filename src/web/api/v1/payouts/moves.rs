//! A payout's state changes: mark paid, void.

use super::*;

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MarkPaid {
    /// E.g. the PayPal transaction id.
    pub reference: Option<String>,
    /// Default: now; not in the future by the server's clock (else a 422).
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The money was sent: the payout and its commissions become `paid`.
#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), request_body = MarkPaid,
    responses((status = 200, body = PayoutBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/payouts/{id}/mark_paid")]
pub async fn mark_paid(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    req: actix_web::HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: MarkPaid = optional_body(&req, bytes).await?;
    let p = payouts::mark_paid(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        PayoutId(*id),
        MarkPaidInput {
            reference: b.reference,
            paid_at: b.paid_at,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &p).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidPayout {
    /// Required, at most 500 characters.
    #[serde(alias = "voidReason")]
    pub void_reason: String,
}

/// Voids a pending or paid payout: its commissions are due again and the
/// balance gets the amount back. A second void is a 409.
#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), request_body = VoidPayout,
    responses((status = 200, body = PayoutBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/payouts/{id}/void")]
pub async fn void(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<VoidPayout>,
) -> Result<HttpResponse, WebError> {
    let p = payouts::void(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        PayoutId(*id),
        &body.0.void_reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &p).await?))
}
