//! `/api/v1/links`.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{AffiliateId, LinkId};
use crate::services::links::{self, Link, LinkForUpdate, LinkInput, share_url_of};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, ErrorBody, PageParams, nullable};
use crate::web::api::v1::affiliates::Deleted;
use crate::web::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct LinkBody {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub token: String,
    /// Where the link leads; null = the campaign's website.
    pub url: Option<String>,
    /// The address to share: `{public_url}/r/{token}`.
    pub share_url: String,
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

async fn body_of(state: &AppState, caller: &ApiCaller, l: &Link) -> Result<LinkBody, WebError> {
    let url = share_url_of(
        &state.db,
        &state.config.public_base(),
        &caller.store.slug,
        l,
    )
    .await?;
    Ok(LinkBody::from_model(l, url))
}

impl LinkBody {
    pub fn from_model(l: &Link, share_url: String) -> Self {
        Self {
            id: l.id,
            affiliate_id: l.affiliate_id,
            token: l.token.clone(),
            url: l.url.clone(),
            share_url,
            visitors: l.visitors,
            leads: l.leads,
            conversions: l.conversions,
            created_at: l.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LinkList {
    pub data: Vec<LinkBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkFilters {
    pub affiliate_id: Option<Uuid>,
}

#[utoipa::path(tag = "links", params(PageParams, LinkFilters),
    responses((status = 200, body = LinkList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/links")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    filters: web::Query<LinkFilters>,
) -> Result<HttpResponse, WebError> {
    let page = links::list_page(
        &state.db,
        caller.store_id(),
        filters.affiliate_id.map(AffiliateId),
        page.request()?,
    )
    .await?;
    let urls = links::share_urls(
        &state.db,
        &state.config.public_base(),
        &caller.store.slug,
        &page.items,
    )
    .await?;
    let data = page
        .items
        .iter()
        .zip(urls)
        .map(|(l, url)| LinkBody::from_model(l, url))
        .collect();
    Ok(HttpResponse::Ok().json(LinkList {
        next_cursor: if page.has_more {
            page.items.last().map(|l| l.id)
        } else {
            None
        },
        data,
        has_more: page.has_more,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkCreate {
    /// An affiliate of this store: any other id is a 422 naming the field.
    pub affiliate_id: Uuid,
    /// `[a-z0-9_-]`, 2–64, unique in the store; default made from the name.
    pub token: Option<String>,
    /// On the campaign's website or a host the store allows; ≤ 256 characters.
    pub url: Option<String>,
}

#[utoipa::path(tag = "links", request_body = LinkCreate,
    responses((status = 201, body = LinkBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/links")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<LinkCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let created = links::create(
        &state.db,
        &caller.store,
        &caller.actor(),
        AffiliateId(b.affiliate_id),
        LinkInput {
            token: b.token,
            url: b.url,
        },
        &state.config.public_base(),
    )
    .await?;
    Ok(HttpResponse::Created().json(body_of(&state, &caller, &created).await?))
}

#[utoipa::path(tag = "links", params(("id" = Uuid, Path)),
    responses((status = 200, body = LinkBody), (status = 404, body = ErrorBody)))]
#[get("/links/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let l = links::get(&state.db, caller.store_id(), LinkId(*id)).await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &caller, &l).await?))
}

/// Changes; absent fields stay; `url: null` goes back to the campaign's website.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LinkWrite {
    /// `[a-z0-9_-]`, 2–64, unique in the store.
    pub token: Option<String>,
    /// On the campaign's website or a host the store allows; ≤ 256
    /// characters (else a 422).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub url: Option<Option<String>>,
}

async fn apply_update(
    state: &AppState,
    caller: &ApiCaller,
    id: Uuid,
    b: LinkWrite,
) -> Result<HttpResponse, WebError> {
    let input = LinkForUpdate {
        token: b.token,
        url: b.url.map(Option::unwrap_or_default),
    };
    let updated =
        links::update(&state.db, &caller.store, &caller.actor(), LinkId(id), input).await?;
    Ok(HttpResponse::Ok().json(body_of(state, caller, &updated).await?))
}

#[utoipa::path(tag = "links", params(("id" = Uuid, Path)), request_body = LinkWrite,
    responses((status = 200, body = LinkBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/links/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<LinkWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

#[utoipa::path(tag = "links", params(("id" = Uuid, Path)), request_body = LinkWrite,
    responses((status = 200, body = LinkBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/links/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<LinkWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

/// Deletes the link; an affiliate's only link is kept (409: add another first).
#[utoipa::path(tag = "links", params(("id" = Uuid, Path)),
    responses((status = 200, body = Deleted), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/links/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    links::delete(&state.db, caller.store_id(), &caller.actor(), LinkId(*id)).await?;
    Ok(HttpResponse::Ok().json(Deleted {
        id: *id,
        deleted: true,
    }))
}
