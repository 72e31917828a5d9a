//! `/api/v1/affiliates`, with the status moves as their own verbs.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::AffiliateId;
use crate::domain::CampaignId;
use crate::domain::Currency;
use crate::domain::affiliate::{AffiliateFields, AffiliateStatus, StatusAction};
use crate::domain::money::format_minor;
use crate::domain::percent::format_bp;
use crate::services::affiliates::{
    self, Affiliate, AffiliateForUpdate, Counters, ListQuery, NewAffiliate, Sort,
};
use crate::services::campaigns::currency_of;
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, DecimalText, ErrorBody, PageParams, nullable};
use crate::web::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct AffiliateBody {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub payout_email: Option<String>,
    /// `pending`, `approved`, `rejected` or `suspended`.
    pub status: String,
    pub is_enabled: bool,
    pub external_customer_id: Option<String>,
    /// Override of the campaign's commission percent; null = the campaign's.
    pub commission_percent: Option<String>,
    /// Override of the campaign's customer discount; null = the campaign's.
    pub discount_percent: Option<String>,
    pub rejection_reason: Option<String>,
    pub balance: String,
    pub currency: String,
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
    pub anonymized: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl AffiliateBody {
    pub fn from_model(a: &Affiliate, counters: Counters, currency: Currency) -> Self {
        Self {
            id: a.id,
            campaign_id: a.campaign_id,
            email: a.email.clone(),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            payout_email: a.payout_email.clone(),
            status: a.status.to_string(),
            is_enabled: a.is_enabled,
            external_customer_id: a.external_customer_id.clone(),
            commission_percent: a.commission_bp.map(format_bp),
            discount_percent: a.discount_bp.map(format_bp),
            rejection_reason: a.rejection_reason.clone(),
            balance: format_minor(a.balance_minor, currency),
            currency: currency.code().to_owned(),
            visitors: counters.visitors,
            leads: counters.leads,
            conversions: counters.conversions,
            anonymized: a.anonymized_at.is_some(),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

async fn body_of(
    state: &AppState,
    caller: &ApiCaller,
    a: &Affiliate,
) -> Result<AffiliateBody, WebError> {
    let counters = affiliates::counters(&state.db, caller.store_id(), &[AffiliateId(a.id)]).await?;
    Ok(AffiliateBody::from_model(
        a,
        counters.get(&a.id).copied().unwrap_or_default(),
        currency_of(&caller.store),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AffiliateList {
    pub data: Vec<AffiliateBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AffiliateFilters {
    /// `pending`, `approved`, `rejected` or `suspended`.
    pub status: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub email: Option<String>,
}

#[utoipa::path(tag = "affiliates", params(PageParams, AffiliateFilters),
    responses((status = 200, body = AffiliateList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/affiliates")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    filters: web::Query<AffiliateFilters>,
) -> Result<HttpResponse, WebError> {
    let page = page.request()?;
    let status = match filters.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(AffiliateStatus::parse(s).map_err(|m| WebError::validation("status", m))?),
    };
    let query = ListQuery {
        status,
        campaign_id: filters.campaign_id.map(CampaignId),
        email: filters.email.clone(),
        search: None,
        sort: Sort::Newest,
        after: page.starting_after,
        limit: page.limit,
    };
    let result = affiliates::list(&state.db, caller.store_id(), &query)
        .await
        .map_err(|e| match e {
            crate::services::ServiceError::NotFound => {
                WebError::validation("starting_after", "is not an affiliate of this store")
            }
            other => other.into(),
        })?;
    let ids: Vec<AffiliateId> = result.items.iter().map(|a| AffiliateId(a.id)).collect();
    let counters = affiliates::counters(&state.db, caller.store_id(), &ids).await?;
    let currency = currency_of(&caller.store);
    Ok(HttpResponse::Ok().json(AffiliateList {
        data: result
            .items
            .iter()
            .map(|a| {
                AffiliateBody::from_model(
                    a,
                    counters.get(&a.id).copied().unwrap_or_default(),
                    currency,
                )
            })
            .collect(),
        has_more: result.has_more,
        next_cursor: if result.has_more {
            ids.last().map(|i| i.0)
        } else {
            None
        },
    }))
}

/// A new affiliate (Komerza's affiliate creation, in snake_case).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AffiliateCreate {
    pub email: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub payout_email: Option<String>,
    /// Default: the store's default campaign.
    pub campaign_id: Option<Uuid>,
    /// Default true (Komerza isEnabled).
    pub is_enabled: Option<bool>,
    /// The store's own customer id (Komerza customerId).
    pub external_customer_id: Option<String>,
    /// 0–100; null = the campaign's (Komerza returnPercentage).
    pub commission_percent: Option<DecimalText>,
    /// 0–100; null = the campaign's (Komerza percentageOff).
    pub discount_percent: Option<DecimalText>,
    /// `pending` or `approved`; default follows the campaign's approval rule.
    pub status: Option<String>,
    /// Token of the default link (Komerza link); default made from the name.
    pub link_token: Option<String>,
}

#[utoipa::path(tag = "affiliates", request_body = AffiliateCreate,
    responses((status = 201, body = AffiliateBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/affiliates")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<AffiliateCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let fields = AffiliateFields {
        email: b.email,
        first_name: b.first_name,
        last_name: b.last_name.unwrap_or_default(),
        payout_email: b.payout_email.unwrap_or_default(),
        is_enabled: b.is_enabled.unwrap_or(true),
        external_customer_id: b.external_customer_id.unwrap_or_default(),
        commission_percent: b.commission_percent.map(|d| d.0).unwrap_or_default(),
        discount_percent: b.discount_percent.map(|d| d.0).unwrap_or_default(),
    };
    let created = affiliates::create(
        &state.db,
        &caller.store,
        &caller.actor(),
        NewAffiliate {
            fields,
            campaign_id: b.campaign_id.map(CampaignId),
            status: b.status,
            link_token: b.link_token,
            signup: None,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(body_of(&state, &caller, &created).await?))
}

#[utoipa::path(tag = "affiliates", params(("id" = Uuid, Path)),
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody)))]
#[get("/affiliates/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let a = affiliates::get(&state.db, caller.store_id(), AffiliateId(*id)).await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &caller, &a).await?))
}

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
    /// Moves the affiliate to another campaign.
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
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    responses((status = 200, body = AffiliateBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/affiliates/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<AffiliateWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

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
    serde_json::from_slice::<StatusChange>(&bytes)
        .map(Some)
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
