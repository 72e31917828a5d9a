//! PATCH and PUT of an affiliate: the same partial update.

use super::*;

/// Changes; absent fields stay. `payout_email`, `external_customer_id`,
/// `commission_percent` and `discount_percent` are cleared by null.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AffiliateWrite {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub payout_email: Option<Option<String>>,
    /// Moves the affiliate to another campaign (one of this store: any
    /// other id is a 422 naming the field).
    pub campaign_id: Option<Uuid>,
    pub is_enabled: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_customer_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub commission_percent: Option<Option<DecimalText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub discount_percent: Option<Option<DecimalText>>,
}

async fn apply_update(
    state: &AppState,
    caller: &ApiCaller,
    id: Uuid,
    b: AffiliateWrite,
) -> Result<HttpResponse, WebError> {
    let changes = AffiliateForUpdate {
        email: b.email,
        first_name: b.first_name,
        last_name: b.last_name,
        payout_email: b.payout_email.map(Option::unwrap_or_default),
        is_enabled: b.is_enabled,
        external_customer_id: b.external_customer_id.map(Option::unwrap_or_default),
        commission_percent: b
            .commission_percent
            .map(|v| v.map(|d| d.0).unwrap_or_default()),
        discount_percent: b
            .discount_percent
            .map(|v| v.map(|d| d.0).unwrap_or_default()),
        campaign_id: b.campaign_id.map(CampaignId),
        ..Default::default()
    };
    let updated = affiliates::update(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        AffiliateId(id),
        changes,
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(state, caller, &updated).await?))
}

#[utoipa::path(tag = "affiliates", params(("id" = Uuid, Path)), request_body = AffiliateWrite,
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The affiliate's personal data was erased: the record can no longer be edited.", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/affiliates/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<AffiliateWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

/// The same partial update as PATCH.
#[utoipa::path(tag = "affiliates", params(("id" = Uuid, Path)), request_body = AffiliateWrite,
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The affiliate's personal data was erased: the record can no longer be edited.", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[put("/affiliates/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<AffiliateWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}
