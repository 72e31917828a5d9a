//! The status moves (approve, reject, suspend, enable): one route, its words from `StatusAction`.

use super::*;

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// Why (kept in the status history; shown for rejections).
    pub reason: Option<String>,
}

async fn move_status(
    state: &AppState,
    caller: &ApiCaller,
    id: Uuid,
    action: StatusAction,
    body: Option<StatusChange>,
) -> Result<HttpResponse, WebError> {
    let reason = body.and_then(|b| b.reason);
    let a = affiliates::change_status(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        AffiliateId(id),
        action,
        reason.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(state, caller, &a).await?))
}

/// Optional body: an empty POST is a valid status move.
async fn optional_body(payload: web::Payload) -> Result<Option<StatusChange>, WebError> {
    let bytes = payload
        .to_bytes_limited(64 * 1024)
        .await
        .map_err(|_| WebError::PayloadTooLarge)?
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    // `null` is the JSON for "no body" too, as the document says.
    serde_json::from_slice::<Option<StatusChange>>(&bytes)
        .map_err(|e| WebError::validation("reason", e.to_string()))
}

/// The route of the status moves, its words taken from `StatusAction`:
/// `/affiliates/{id}/approve`, `…/reject`, `…/suspend`, `…/enable`.
pub fn status_route() -> String {
    let words: Vec<&str> = StatusAction::ALL.iter().map(|a| a.as_str()).collect();
    format!("/affiliates/{{id}}/{{action:{}}}", words.join("|"))
}

/// A status move: approve, reject, suspend or enable. The document lists
/// one operation per word (`docs.rs` expands this template).
#[utoipa::path(post, path = "/api/v1/affiliates/{id}/{action}", tag = "affiliates",
    params(("id" = Uuid, Path), ("action" = String, Path)),
    request_body(content = Option<StatusChange>),
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn change_status(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<(Uuid, String)>,
    body: web::Payload,
) -> Result<HttpResponse, WebError> {
    let (id, word) = path.into_inner();
    let action: StatusAction = word.parse().map_err(|_| WebError::NotFound)?;
    move_status(&state, &caller, id, action, optional_body(body).await?).await
}
