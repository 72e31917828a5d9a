//! `/api/v1/payouts` (list, create for one or many affiliates, get,
//! `POST /{id}/mark_paid`, `POST /{id}/void`) and `/api/v1/store_credits`.
//! The body carries DESIGN §7's payout fields, and Komerza's and
//! PromoteKit's names beside them (`is_voided`, `void_date`,
//! `converted_to_store_credit`, `payment_count`, `period`).

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::{AffiliateId, PayoutId};
use crate::entities::payout;
use crate::services::payouts::{self, CreateInput, MarkPaidInput, PayoutFilter};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, ErrorBody, PageParams};
use crate::web::{AppState, WebError};

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
    pub fn new(p: &payout::Model, commission_ids: Vec<Uuid>) -> Self {
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

pub async fn body_of(state: &AppState, p: &payout::Model) -> Result<PayoutBody, WebError> {
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
    page: crate::services::paging::Page<payout::Model>,
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
}

#[utoipa::path(tag = "payouts", params(PageParams, PayoutFilters), responses((status = 200, body = PayoutList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/payouts")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<PayoutFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = PayoutFilter {
        status: match f.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(PayoutStatus::parse(s).map_err(|m| WebError::validation("status", m))?),
        },
        method: match f.method.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(PayoutMethod::parse(s).map_err(|m| WebError::validation("method", m))?),
        },
        affiliate_id: f.affiliate_id.map(AffiliateId),
        customer: None,
    };
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

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PayoutCreate {
    /// The affiliates to pay everything due; absent = every affiliate the
    /// Due view shows as payable.
    pub affiliate_ids: Option<Vec<Uuid>>,
    /// `external` (default) or `store_credit`.
    pub method: Option<String>,
    /// At most 256 characters.
    pub comment: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedBody {
    pub affiliate_id: Uuid,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PayoutsCreated {
    pub data: Vec<PayoutBody>,
    /// Affiliates named (or due) that got no payout, and why.
    pub skipped: Vec<SkippedBody>,
}

/// One payout per affiliate, settling exactly its due commissions and
/// clawbacks (amount = their sum). 201 when at least one was created; 422
/// naming `affiliate_ids` when none could be.
#[utoipa::path(tag = "payouts", request_body = PayoutCreate,
    responses((status = 201, body = PayoutsCreated), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/payouts")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    req: actix_web::HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: PayoutCreate = optional_body(&req, bytes).await?;
    let method = match b.method.as_deref().map(str::trim) {
        None | Some("") => PayoutMethod::External,
        Some(s) => PayoutMethod::parse(s).map_err(|m| WebError::validation("method", m))?,
    };
    let created = payouts::create(
        &state.db,
        &caller.store,
        &caller.actor(),
        CreateInput {
            affiliate_ids: b
                .affiliate_ids
                .map(|ids| ids.into_iter().map(AffiliateId).collect()),
            method,
            comment: b.comment,
        },
    )
    .await?;
    if created.payouts.is_empty() {
        let message = match created.skipped.first() {
            Some(s) => format!(
                "no payout was created: affiliate {} {}",
                s.affiliate_id, s.reason
            ),
            None => "no payout was created: nobody is due a payout".to_owned(),
        };
        return Err(WebError::validation("affiliate_ids", message));
    }
    let mut data = Vec::with_capacity(created.payouts.len());
    for p in &created.payouts {
        data.push(body_of(&state, p).await?);
    }
    Ok(HttpResponse::Created().json(PayoutsCreated {
        data,
        skipped: created
            .skipped
            .into_iter()
            .map(|s| SkippedBody {
                affiliate_id: s.affiliate_id,
                reason: s.reason,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MarkPaid {
    /// E.g. the PayPal transaction id.
    pub reference: Option<String>,
    /// Default: now.
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The money was sent: the payout and its commissions become `paid`.
#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), request_body = MarkPaid,
    responses((status = 200, body = PayoutBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/payouts/{id}/mark_paid")]
pub async fn mark_paid(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    req: actix_web::HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: MarkPaid = optional_body(&req, bytes).await?;
    let p = payouts::mark_paid(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        PayoutId(*id),
        MarkPaidInput {
            reference: b.reference,
            paid_at: b.paid_at,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &p).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidPayout {
    /// Required, at most 500 characters.
    #[serde(alias = "voidReason")]
    pub void_reason: String,
}

/// Voids a pending or paid payout: its commissions are due again and the
/// balance gets the amount back. A second void is a 409.
#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), request_body = VoidPayout,
    responses((status = 200, body = PayoutBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/payouts/{id}/void")]
pub async fn void(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<VoidPayout>,
) -> Result<HttpResponse, WebError> {
    let p = payouts::void(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        PayoutId(*id),
        &body.0.void_reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(body_of(&state, &p).await?))
}

#[derive(Serialize, ToSchema)]
pub struct StoreCreditBody {
    /// The payout that granted it.
    pub id: Uuid,
    pub customer: Option<String>,
    pub affiliate_id: Uuid,
    pub amount: String,
    pub currency: String,
    /// `pending` or `paid`: granted; `voided`: take it back.
    pub status: String,
    pub comment: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub voided_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct StoreCreditList {
    pub data: Vec<StoreCreditBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoreCreditFilters {
    /// The store's customer id (the affiliate's `external_customer_id`).
    pub customer: Option<String>,
}

/// Store credit granted by payouts, for the store's backend to apply.
#[utoipa::path(tag = "payouts", params(PageParams, StoreCreditFilters), responses((status = 200, body = StoreCreditList), (status = 401, body = ErrorBody)))]
#[get("/store_credits")]
pub async fn store_credits(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<StoreCreditFilters>,
) -> Result<HttpResponse, WebError> {
    let customer = f
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let page =
        payouts::store_credits(&state.db, caller.store_id(), customer, page.request()?).await?;
    let data = page
        .items
        .iter()
        .map(|p| {
            let currency =
                crate::domain::Currency::parse(&p.currency).unwrap_or(crate::domain::Currency::USD);
            StoreCreditBody {
                id: p.id,
                customer: p.external_customer_id.clone(),
                affiliate_id: p.affiliate_id,
                amount: format_minor(p.amount_minor, currency),
                currency: p.currency.clone(),
                status: p.status.to_string(),
                comment: p.comment.clone(),
                created_at: p.created_at,
                voided_at: p.voided_at,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(StoreCreditList {
        next_cursor: if page.has_more {
            page.items.last().map(|p| p.id)
        } else {
            None
        },
        data,
        has_more: page.has_more,
    }))
}
