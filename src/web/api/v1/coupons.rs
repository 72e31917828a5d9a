//! `/api/v1/coupons`.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{AffiliateId, CouponId};
use crate::services::coupons::{self, Coupon, CouponForUpdate, CouponInput};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, ErrorBody, PageParams, nullable};
use crate::web::api::v1::affiliates::Deleted;
use crate::web::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct CouponBody {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub code: String,
    /// E.g. a Stripe promotion code id.
    pub external_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Coupon> for CouponBody {
    fn from(c: &Coupon) -> Self {
        Self {
            id: c.id,
            affiliate_id: c.affiliate_id,
            code: c.code.clone(),
            external_id: c.external_id.clone(),
            created_at: c.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CouponList {
    pub data: Vec<CouponBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CouponFilters {
    pub affiliate_id: Option<Uuid>,
}

#[utoipa::path(tag = "coupons", params(PageParams, CouponFilters),
    responses((status = 200, body = CouponList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/coupons")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    filters: web::Query<CouponFilters>,
) -> Result<HttpResponse, WebError> {
    let page = coupons::list_page(
        &state.db,
        caller.store_id(),
        filters.affiliate_id.map(AffiliateId),
        page.request()?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(CouponList {
        next_cursor: if page.has_more {
            page.items.last().map(|c| c.id)
        } else {
            None
        },
        data: page.items.iter().map(CouponBody::from).collect(),
        has_more: page.has_more,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponCreate {
    /// An affiliate of this store: any other id is a 422 naming the field.
    pub affiliate_id: Uuid,
    /// Letters, digits, `-`, `_`; 2–64; unique in the store, case-insensitively.
    pub code: String,
    pub external_id: Option<String>,
}

#[utoipa::path(tag = "coupons", request_body = CouponCreate,
    responses((status = 201, body = CouponBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/coupons")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<CouponCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let created = coupons::create(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        AffiliateId(b.affiliate_id),
        CouponInput {
            code: Some(b.code),
            external_id: b.external_id,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(CouponBody::from(&created)))
}

#[utoipa::path(tag = "coupons", params(("id" = Uuid, Path)),
    responses((status = 200, body = CouponBody), (status = 404, body = ErrorBody)))]
#[get("/coupons/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = coupons::get(&state.db, caller.store_id(), CouponId(*id)).await?;
    Ok(HttpResponse::Ok().json(CouponBody::from(&c)))
}

/// Changes; absent fields stay; `external_id: null` clears it.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CouponWrite {
    pub code: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

async fn apply_update(
    state: &AppState,
    caller: &ApiCaller,
    id: Uuid,
    b: CouponWrite,
) -> Result<HttpResponse, WebError> {
    let input = CouponForUpdate {
        code: b.code,
        external_id: b.external_id.map(Option::unwrap_or_default),
    };
    let updated = coupons::update(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        CouponId(id),
        input,
    )
    .await?;
    Ok(HttpResponse::Ok().json(CouponBody::from(&updated)))
}

#[utoipa::path(tag = "coupons", params(("id" = Uuid, Path)), request_body = CouponWrite,
    responses((status = 200, body = CouponBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/coupons/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<CouponWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

#[utoipa::path(tag = "coupons", params(("id" = Uuid, Path)), request_body = CouponWrite,
    responses((status = 200, body = CouponBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/coupons/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<CouponWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

#[utoipa::path(tag = "coupons", params(("id" = Uuid, Path)),
    responses((status = 200, body = Deleted), (status = 404, body = ErrorBody)))]
#[delete("/coupons/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    coupons::delete(&state.db, caller.store_id(), &caller.actor(), CouponId(*id)).await?;
    Ok(HttpResponse::Ok().json(Deleted {
        id: *id,
        deleted: true,
    }))
}
