//! `/api/v1/affiliates`, with the status moves as their own verbs: reads and
//! create here; `write` (PATCH/PUT), `status` (the moves), `removal`
//! (anonymize, delete).

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

mod removal;
mod status;
mod write;

pub use removal::*;
pub use status::*;
pub use write::*;

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
        due_for_payout: false,
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
    /// Default: the store's default campaign. A campaign of this store:
    /// any other id is a 422 naming the field.
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
    /// Komerza's opening balance (at least 0): money owed from before,
    /// recorded as an opening adjustment.
    pub balance: Option<DecimalText>,
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
    let created = affiliates::create_with_balance(
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
        b.balance.as_ref().map(|d| d.0.as_str()),
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
