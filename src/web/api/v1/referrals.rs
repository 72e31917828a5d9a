//! `/api/v1/referrals` and `POST /api/v1/leads`.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::CampaignId;
use crate::domain::states::ReferralState;
use crate::domain::{AffiliateId, ReferralId};
use crate::services::referrals::{
    self, LeadInput, ManualReferral, Referral, ReferralFilter, ReferralForUpdate,
};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, ErrorBody, PageParams, nullable};
use crate::web::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct ReferralBody {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub campaign_id: Uuid,
    pub link_id: Option<Uuid>,
    pub coupon_id: Option<Uuid>,
    /// `visitor`, `lead` or `converted`.
    pub state: String,
    pub email: Option<String>,
    pub external_customer_id: Option<String>,
    /// The affiliate referred themself: recorded, never credited.
    pub self_referral: bool,
    /// `link`, `script`, `coupon`, `manual`.
    pub source: String,
    pub sale_count: i32,
    pub erased: bool,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Referral> for ReferralBody {
    fn from(r: &Referral) -> Self {
        Self {
            id: r.id,
            affiliate_id: r.affiliate_id,
            campaign_id: r.campaign_id,
            link_id: r.link_id,
            coupon_id: r.coupon_id,
            state: r.state.to_string(),
            email: r.email.clone(),
            external_customer_id: r.external_customer_id.clone(),
            self_referral: r.self_referral,
            source: r.source.to_string(),
            sale_count: r.sale_count,
            erased: r.erased_at.is_some(),
            expires_at: r.expires_at,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReferralList {
    pub data: Vec<ReferralBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralFilters {
    /// Find the referral of a person by email.
    pub email: Option<String>,
    /// `visitor`, `lead` or `converted`.
    pub state: Option<String>,
    pub affiliate_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
}

#[utoipa::path(tag = "referrals", params(PageParams, ReferralFilters),
    responses((status = 200, body = ReferralList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/referrals")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<ReferralFilters>,
) -> Result<HttpResponse, WebError> {
    let state_filter = match f.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(ReferralState::parse(s).map_err(|m| WebError::validation("state", m))?),
    };
    state.clicks.flush().await;
    let filter = ReferralFilter {
        state: state_filter,
        affiliate_id: f.affiliate_id.map(AffiliateId),
        campaign_id: f.campaign_id.map(CampaignId),
        email: f.email.clone(),
        from: None,
        to: None,
    };
    let page = referrals::list(&state.db, caller.store_id(), &filter, page.request()?).await?;
    Ok(HttpResponse::Ok().json(ReferralList {
        next_cursor: if page.has_more {
            page.items.last().map(|r| r.id)
        } else {
            None
        },
        data: page.items.iter().map(ReferralBody::from).collect(),
        has_more: page.has_more,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralCreate {
    /// An affiliate of this store: any other id is a 422 naming the field.
    pub affiliate_id: Uuid,
    pub email: String,
    pub external_customer_id: Option<String>,
}

/// Records a referral by hand (the store knows who sent this customer).
#[utoipa::path(tag = "referrals", request_body = ReferralCreate,
    responses((status = 201, body = ReferralBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/referrals")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<ReferralCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let r = referrals::create_manual(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        ManualReferral {
            affiliate_id: AffiliateId(b.affiliate_id),
            email: b.email,
            external_customer_id: b.external_customer_id,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(ReferralBody::from(&r)))
}

#[utoipa::path(tag = "referrals", params(("id" = Uuid, Path)), responses((status = 200, body = ReferralBody), (status = 404, body = ErrorBody)))]
#[get("/referrals/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    state.clicks.flush().await;
    let r = referrals::get(&state.db, caller.store_id(), ReferralId(*id)).await?;
    Ok(HttpResponse::Ok().json(ReferralBody::from(&r)))
}

/// Changes; absent fields stay; `external_customer_id: null` clears it.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReferralWrite {
    pub email: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_customer_id: Option<Option<String>>,
}

#[utoipa::path(tag = "referrals", params(("id" = Uuid, Path)), request_body = ReferralWrite,
    responses((status = 200, body = ReferralBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/referrals/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<ReferralWrite>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let changes = ReferralForUpdate {
        email: b.email,
        external_customer_id: b.external_customer_id.map(Option::unwrap_or_default),
    };
    let r = referrals::update(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        ReferralId(*id),
        changes,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReferralBody::from(&r)))
}

/// Erases the person's data (email, customer id, address hash, browser);
/// sales and commissions keep an anonymous reference.
#[utoipa::path(tag = "referrals", params(("id" = Uuid, Path)), responses((status = 200, body = ReferralBody), (status = 404, body = ErrorBody)))]
#[delete("/referrals/{id}")]
pub async fn erase(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    state.clicks.flush().await;
    let r = referrals::erase(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        ReferralId(*id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReferralBody::from(&r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadCreate {
    /// The referral (from `Tributary.referral` or the `tb_ref` parameter).
    /// One of `referral_id` and `visitor_id` is required (neither: 422).
    pub referral_id: Option<String>,
    /// Or the visitor id, for the visitor's latest referral.
    pub visitor_id: Option<String>,
    pub email: String,
    pub external_customer_id: Option<String>,
}

/// A sign-up: the referral becomes a lead.
#[utoipa::path(tag = "referrals", request_body = LeadCreate,
    responses((status = 200, body = ReferralBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/leads")]
pub async fn lead(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<LeadCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    // A click may still be queued for the writer.
    state.clicks.flush().await;
    let r = referrals::record_lead(
        &state.db,
        caller.store_id(),
        Some(&caller.actor()),
        LeadInput {
            referral_id: b.referral_id,
            visitor_id: b.visitor_id,
            email: b.email,
            external_customer_id: b.external_customer_id,
            from_browser: false,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReferralBody::from(&r)))
}
