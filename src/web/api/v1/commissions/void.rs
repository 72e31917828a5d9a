//! `DELETE` of a commission: it is voided, never removed.

use super::*;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoidParams {
    /// `fraud`, `duplicate`, `order_cancelled`, `tracking_error` or `other` (default, with a note saying it came through the API).
    pub reason: Option<String>,
    /// Why it was voided; required (not blank) when `reason` is `other`
    /// (else a 422 naming `void_note`).
    pub note: Option<String>,
}

/// Voids the commission (a due one leaves the balance); a paid one is 409.
#[utoipa::path(tag = "commissions", params(("id" = Uuid, Path), VoidParams),
    responses((status = 200, body = CommissionBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[delete("/commissions/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    q: web::Query<VoidParams>,
) -> Result<HttpResponse, WebError> {
    let reason = q.reason.as_deref().filter(|r| !r.trim().is_empty());
    // A blank note is no note, as a blank reason is no reason.
    let given_note = q.note.as_deref().filter(|n| !n.trim().is_empty());
    let note = match (reason, given_note) {
        (None, None) => Some("voided through the API (DELETE)"),
        (_, n) => n,
    };
    let voided = commissions::void(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        CommissionId(*id),
        Some(reason.unwrap_or("other")),
        note,
    )
    .await?;
    Ok(HttpResponse::Ok().json(CommissionBody::new(&voided)))
}
