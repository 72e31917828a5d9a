//! `/api/v1/payouts` (list, create for one or many affiliates, get,
//! `POST /{id}/mark_paid`, `POST /{id}/void`) and `/api/v1/store_credits`.
//! The body carries DESIGN §7's payout fields, and Komerza's and
//! PromoteKit's names beside them (`is_voided`, `void_date`,
//! `converted_to_store_credit`, `payment_count`, `period`).
//!
//! Here the body and the reads; `batch` (create: one payout per affiliate
//! due), `moves` (mark paid, void), `credits` (store credits).

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::{AffiliateId, PayoutId};
use crate::services::payouts::Payout;
use crate::services::payouts::{self, CreateInput, MarkPaidInput, PayoutFilter, PayoutFilterText};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, ErrorBody, PageParams};
use crate::web::{AppState, WebError};

mod batch;
mod credits;
mod moves;

pub use batch::*;
pub use credits::*;
pub use moves::*;

#[derive(Serialize, ToSchema)]
pub struct Period {
    pub start: Option<chrono::DateTime<chrono::Utc>>,
    pub end: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct PayoutBody {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub amount: String,
    pub currency: String,
    /// `external` or `store_credit`.
    pub method: String,
    /// Komerza's name for `method = store_credit`.
    pub converted_to_store_credit: bool,
    /// `pending`, `paid` or `voided`.
    pub status: String,
    pub commission_ids: Vec<Uuid>,
    pub commission_count: i32,
    /// PromoteKit's name for `commission_count`.
    pub payment_count: i32,
    pub period_start: Option<chrono::DateTime<chrono::Utc>>,
    pub period_end: Option<chrono::DateTime<chrono::Utc>>,
    pub period: Period,
    pub reference: Option<String>,
    pub comment: Option<String>,
    /// Store credit: the store's customer it is granted to.
    pub external_customer_id: Option<String>,
    pub initiated_by: String,
    pub initiated_by_user_id: Option<Uuid>,
    pub initiated_by_ip: Option<String>,
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
    pub is_voided: bool,
    pub voided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Komerza's name for `voided_at`.
    pub void_date: Option<chrono::DateTime<chrono::Utc>>,
    pub voided_by: Option<String>,
    pub voided_by_user_id: Option<Uuid>,
    pub void_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl PayoutBody {
    pub fn new(p: &Payout, commission_ids: Vec<Uuid>) -> Self {
        let currency =
            crate::domain::Currency::parse(&p.currency).unwrap_or(crate::domain::Currency::USD);
        Self {
            id: p.id,
            affiliate_id: p.affiliate_id,
            amount: format_minor(p.amount_minor, currency),
            currency: p.currency.clone(),
            method: p.method.to_string(),
            converted_to_store_credit: p.method == PayoutMethod::StoreCredit,
            status: p.status.to_string(),
            commission_ids,
            commission_count: p.commission_count,
            payment_count: p.commission_count,
            period_start: p.period_start,
            period_end: p.period_end,
            period: Period {
                start: p.period_start,
                end: p.period_end,
            },
            reference: p.reference.clone(),
            comment: p.comment.clone(),
            external_customer_id: p.external_customer_id.clone(),
            initiated_by: p.initiated_by.clone(),
            initiated_by_user_id: p.initiated_by_user_id,
            initiated_by_ip: p.initiated_ip.clone(),
            paid_at: p.paid_at,
            is_voided: p.status == PayoutStatus::Voided,
            voided_at: p.voided_at,
            void_date: p.voided_at,
            voided_by: p.voided_by.clone(),
            voided_by_user_id: p.voided_by_user_id,
            void_reason: p.void_reason.clone(),
            created_at: p.created_at,
        }
    }
}

/// A JSON body that may be left out (an empty body is `T::default()`);
/// one that is sent is parsed as strictly as `ApiJson` (a bad field is a
/// 422, never silently ignored).
pub async fn optional_body<T: serde::de::DeserializeOwned + Default + 'static>(
    req: &actix_web::HttpRequest,
    bytes: web::Bytes,
) -> Result<T, WebError> {
    use actix_web::FromRequest;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let mut payload = actix_web::dev::Payload::from(bytes);
    Ok(ApiJson::<T>::from_request(req, &mut payload).await?.0)
}

pub async fn body_of(state: &AppState, p: &Payout) -> Result<PayoutBody, WebError> {
    let ids = payouts::commissions_of(&state.db, PayoutId(p.id))
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok(PayoutBody::new(p, ids))
}

#[derive(Serialize, ToSchema)]
pub struct PayoutList {
    pub data: Vec<PayoutBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

async fn list_body(
    state: &AppState,
    page: crate::services::paging::Page<Payout>,
) -> Result<PayoutList, WebError> {
    let mut data = Vec::with_capacity(page.items.len());
    for p in &page.items {
        data.push(body_of(state, p).await?);
    }
    Ok(PayoutList {
        next_cursor: if page.has_more {
            page.items.last().map(|p| p.id)
        } else {
            None
        },
        data,
        has_more: page.has_more,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayoutFilters {
    /// `pending`, `paid` or `voided`.
    pub status: Option<String>,
    pub affiliate_id: Option<Uuid>,
    /// `external` or `store_credit`.
    pub method: Option<String>,
    /// Which date `from` and `until` read: `created_at` (default) or `paid_at`.
    pub date_field: Option<String>,
    /// From this date (or time) on.
    pub from: Option<String>,
    /// Until this date (included) or before this time; must be after `from`.
    pub until: Option<String>,
}

impl PayoutFilters {
    fn parse(&self) -> Result<PayoutFilter, WebError> {
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        PayoutFilter::parse(&PayoutFilterText {
            status: t(&self.status),
            affiliate_id: self.affiliate_id.map(|a| a.to_string()).unwrap_or_default(),
            method: t(&self.method),
            date_field: t(&self.date_field),
            from: t(&self.from),
            until: t(&self.until),
        })
        .map_err(|errors| WebError::Validation {
            message: "Some query parameters are not valid.".into(),
            errors,
        })
    }
}

#[utoipa::path(tag = "payouts", params(PageParams, PayoutFilters), responses((status = 200, body = PayoutList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/payouts")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<PayoutFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = f.parse()?;
    let page = payouts::list(&state.db, caller.store_id(), &filter, page.request()?).await?;
    Ok(HttpResponse::Ok().json(list_body(&state, page).await?))
}

#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), responses((status = 200, body = PayoutBody), (status = 404, body = ErrorBody)))]
#[get("/payouts/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let p = payouts::get(&state.db, caller.store_id(), PayoutId(*id)).await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &p).await?))
}
