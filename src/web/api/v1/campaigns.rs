//! `/api/v1/campaigns`.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::CampaignId;
use crate::domain::Currency;
use crate::domain::campaign::CampaignFields;
use crate::services::campaigns::{self, Campaign, CampaignForUpdate, Removal, currency_of};
use crate::web::WebError;
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{
    ApiJson, DecimalText, ErrorBody, PageParams, nullable, nullable_whole_number, whole_number,
};

/// A commission rule (the first payment's); named apart from the
/// commission resource's `CommissionBody` in the document.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[schema(as = CommissionRule)]
pub struct CommissionBody {
    /// `percentage` or `fixed`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Percent (0–100, 2 decimals) or an amount in the store currency.
    #[schema(value_type = String, example = "20")]
    pub value: DecimalText,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignBody {
    pub id: Uuid,
    pub name: String,
    pub website_url: String,
    pub is_default: bool,
    /// `public` or `invite_only`.
    pub visibility: String,
    pub approval_required: bool,
    /// The portal shows referred customers' emails in full (false: `j***@example.com`).
    pub show_customer_emails: bool,
    /// Affiliates may make their own links (tokens) in the portal.
    pub affiliates_can_create_links: bool,
    /// `percentage` or `fixed`.
    pub commission_type: String,
    /// Percent for `percentage`, an amount in `currency` for `fixed`.
    pub commission_value: String,
    /// `first_payment`, `payments`, `months` or `lifetime`.
    pub recurring: String,
    pub recurring_limit: Option<i32>,
    pub first_payment_commission: Option<CommissionBody>,
    pub cookie_days: i32,
    /// `first_click` or `last_click`.
    pub attribution: String,
    pub discount_percent: String,
    pub hold_days: i32,
    pub minimum_payout: String,
    pub currency: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl CampaignBody {
    pub fn from_model(c: &Campaign, currency: Currency) -> Self {
        let f = campaigns::fields_of(c, currency);
        Self {
            id: c.id,
            name: c.name.clone(),
            website_url: c.website_url.clone(),
            is_default: c.is_default,
            visibility: c.visibility.clone(),
            approval_required: c.approval_required,
            show_customer_emails: c.show_customer_emails,
            affiliates_can_create_links: c.affiliates_can_create_links,
            commission_type: c.commission_type.clone(),
            commission_value: f.commission_value,
            recurring: c.recurring.clone(),
            recurring_limit: c.recurring_limit,
            first_payment_commission: c.first_payment_type.clone().map(|kind| CommissionBody {
                kind,
                value: DecimalText(f.first_payment_value.clone()),
            }),
            cookie_days: c.cookie_days,
            attribution: c.attribution.clone(),
            discount_percent: f.discount_percent,
            hold_days: c.hold_days,
            minimum_payout: f.minimum_payout,
            currency: currency.code().to_owned(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            archived_at: c.archived_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignList {
    pub data: Vec<CampaignBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

/// Fields to create or change; on update, absent fields are left as they
/// are (`recurring_limit` and `first_payment_commission` are cleared by null).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CampaignWrite {
    pub name: Option<String>,
    pub website_url: Option<String>,
    pub is_default: Option<bool>,
    pub visibility: Option<String>,
    pub approval_required: Option<bool>,
    pub show_customer_emails: Option<bool>,
    /// Affiliates may make their own links in the portal (default false).
    pub affiliates_can_create_links: Option<bool>,
    pub commission_type: Option<String>,
    pub commission_value: Option<DecimalText>,
    pub recurring: Option<String>,
    /// How many payments (`recurring: payments`) or months (`months`) the
    /// recurring commissions last; only with those two (with the
    /// campaign's `recurring` after the change), else a 422.
    #[serde(default, deserialize_with = "nullable_whole_number")]
    #[schema(value_type = Option<i32>)]
    pub recurring_limit: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CommissionBody>)]
    pub first_payment_commission: Option<Option<CommissionBody>>,
    #[serde(default, deserialize_with = "whole_number")]
    pub cookie_days: Option<i32>,
    pub attribution: Option<String>,
    pub discount_percent: Option<DecimalText>,
    #[serde(default, deserialize_with = "whole_number")]
    pub hold_days: Option<i32>,
    pub minimum_payout: Option<DecimalText>,
}

impl From<CampaignWrite> for CampaignForUpdate {
    fn from(b: CampaignWrite) -> Self {
        let (first_payment_type, first_payment_value) = match b.first_payment_commission {
            None => (None, None),
            Some(Some(c)) => (Some(c.kind), Some(c.value.0)),
            Some(None) => (Some(String::new()), Some(String::new())),
        };
        CampaignForUpdate {
            name: b.name,
            website_url: b.website_url,
            is_default: b.is_default,
            visibility: b.visibility,
            approval_required: b.approval_required,
            show_customer_emails: b.show_customer_emails,
            affiliates_can_create_links: b.affiliates_can_create_links,
            commission_type: b.commission_type,
            commission_value: b.commission_value.map(|v| v.0),
            recurring: b.recurring,
            recurring_limit: b
                .recurring_limit
                .map(|limit| limit.map(|n| n.to_string()).unwrap_or_default()),
            first_payment_type,
            first_payment_value,
            cookie_days: b.cookie_days.map(|v| v.to_string()),
            attribution: b.attribution,
            discount_percent: b.discount_percent.map(|v| v.0),
            hold_days: b.hold_days.map(|v| v.to_string()),
            minimum_payout: b.minimum_payout.map(|v| v.0),
        }
    }
}

#[utoipa::path(tag = "campaigns", params(PageParams),
    responses((status = 200, body = CampaignList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/campaigns")]
pub async fn list(
    state: web::Data<crate::web::AppState>,
    caller: ApiCaller,
    query: web::Query<PageParams>,
) -> Result<HttpResponse, WebError> {
    let page = campaigns::list_page(&state.db, caller.store_id(), query.request()?).await?;
    let currency = currency_of(&caller.store);
    let next_cursor = if page.has_more {
        page.items.last().map(|c| c.id)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(CampaignList {
        data: page
            .items
            .iter()
            .map(|c| CampaignBody::from_model(c, currency))
            .collect(),
        has_more: page.has_more,
        next_cursor,
    }))
}

#[utoipa::path(tag = "campaigns", request_body = CampaignWrite,
    responses((status = 201, body = CampaignBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/campaigns")]
pub async fn create(
    state: web::Data<crate::web::AppState>,
    caller: ApiCaller,
    body: ApiJson<CampaignWrite>,
) -> Result<HttpResponse, WebError> {
    let fields = CampaignForUpdate::from(body.0).merge_onto(CampaignFields::defaults());
    let created = campaigns::create(&state.db, &caller.store, &caller.actor(), &fields).await?;
    Ok(HttpResponse::Created().json(CampaignBody::from_model(
        &created,
        currency_of(&caller.store),
    )))
}

#[utoipa::path(tag = "campaigns", params(("id" = Uuid, Path)),
    responses((status = 200, body = CampaignBody), (status = 404, body = ErrorBody)))]
#[get("/campaigns/{id}")]
pub async fn show(
    state: web::Data<crate::web::AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = campaigns::get(&state.db, caller.store_id(), CampaignId(*id)).await?;
    Ok(HttpResponse::Ok().json(CampaignBody::from_model(&c, currency_of(&caller.store))))
}

async fn apply_update(
    state: &crate::web::AppState,
    caller: &ApiCaller,
    id: Uuid,
    body: CampaignWrite,
) -> Result<HttpResponse, WebError> {
    let currency = currency_of(&caller.store);
    let updated = campaigns::update(
        &state.db,
        &caller.store,
        &caller.actor(),
        CampaignId(id),
        body.into(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(CampaignBody::from_model(&updated, currency)))
}

#[utoipa::path(tag = "campaigns", params(("id" = Uuid, Path)), request_body = CampaignWrite,
    responses((status = 200, body = CampaignBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/campaigns/{id}")]
pub async fn update(
    state: web::Data<crate::web::AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<CampaignWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

/// The same partial update as PATCH, as the reference systems use PUT.
#[utoipa::path(tag = "campaigns", params(("id" = Uuid, Path)), request_body = CampaignWrite,
    responses((status = 200, body = CampaignBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/campaigns/{id}")]
pub async fn replace(
    state: web::Data<crate::web::AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<CampaignWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

#[derive(Serialize, ToSchema)]
pub struct DeletedBody {
    pub id: Uuid,
    pub deleted: bool,
    /// Set when the campaign was in use and archived instead.
    pub archived: Option<CampaignBody>,
}

/// Deletes an unused campaign; one that affiliates belong to is archived.
#[utoipa::path(tag = "campaigns", params(("id" = Uuid, Path)),
    responses((status = 200, body = DeletedBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/campaigns/{id}")]
pub async fn remove(
    state: web::Data<crate::web::AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let outcome = campaigns::delete(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        CampaignId(*id),
        true,
    )
    .await?;
    Ok(HttpResponse::Ok().json(match outcome {
        Removal::Deleted => DeletedBody {
            id: *id,
            deleted: true,
            archived: None,
        },
        Removal::Archived(c) => DeletedBody {
            id: *id,
            deleted: false,
            archived: Some(CampaignBody::from_model(&c, currency_of(&caller.store))),
        },
    }))
}
