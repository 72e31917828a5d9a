//! Anonymize (erase the person, keep the money history) and delete.

use super::*;

/// Erases the person's data; the record and its money history stay.
#[utoipa::path(tag = "affiliates", params(("id" = Uuid, Path)),
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody)))]
#[post("/affiliates/{id}/anonymize")]
pub async fn anonymize(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let a = affiliates::anonymize(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        AffiliateId(*id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &caller, &a).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub id: Uuid,
    pub deleted: bool,
}

/// Deletes an affiliate with no money history (409 otherwise: anonymize instead).
#[utoipa::path(tag = "affiliates", params(("id" = Uuid, Path)),
    responses((status = 200, body = Deleted), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/affiliates/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    affiliates::delete(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        AffiliateId(*id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Deleted {
        id: *id,
        deleted: true,
    }))
}
