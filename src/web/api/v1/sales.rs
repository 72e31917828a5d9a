//! `/api/v1/sales` (idempotent on `external_id`) and refunds.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::commissions::CommissionBody;
use crate::domain::AffiliateId;
use crate::domain::Currency;
use crate::domain::SaleId;
use crate::domain::money::format_minor;
use crate::services::sales::{self, Commission, RefundInput, Sale, SaleFilter, SaleInput};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, DecimalText, ErrorBody, PageParams};
use crate::web::{AppState, WebError};

/// Something a stored sale named that the store does not have, so the
/// store can correct what it sends.
#[derive(Serialize, ToSchema)]
pub struct SaleWarning {
    /// The request field, e.g. `coupon_code`.
    #[schema(example = "coupon_code")]
    pub field: String,
    #[schema(example = "no coupon of this store has this code")]
    pub message: String,
}

impl SaleWarning {
    fn unknown_coupon() -> Self {
        Self {
            field: "coupon_code".into(),
            message: sales::UNKNOWN_COUPON.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SaleBody {
    pub id: Uuid,
    pub external_id: String,
    pub referral_id: Option<Uuid>,
    pub affiliate_id: Option<Uuid>,
    pub amount: String,
    pub tax: String,
    pub currency: String,
    pub refunded_amount: String,
    /// `referral`, `coupon`, `customer`, `email`, `manual` or `none` (unattributed).
    pub attribution: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub commissions: Vec<CommissionBody>,
    /// Why no commission was made, when none was (on the creating response).
    pub note: Option<String>,
    /// The sale is stored, but something it named was not found: a
    /// `coupon_code` no coupon of the store has (empty when all is well).
    pub warnings: Vec<SaleWarning>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl SaleBody {
    fn new(
        s: &Sale,
        commissions: &[Commission],
        note: Option<String>,
        unknown_coupon: bool,
    ) -> Self {
        let currency = Currency::parse(&s.currency).unwrap_or(Currency::USD);
        Self {
            id: s.id,
            external_id: s.external_id.clone(),
            referral_id: s.referral_id,
            affiliate_id: s.affiliate_id,
            amount: format_minor(s.amount_minor, currency),
            tax: format_minor(s.tax_minor, currency),
            currency: s.currency.clone(),
            refunded_amount: format_minor(s.refunded_minor, currency),
            attribution: s.attribution.clone(),
            occurred_at: s.occurred_at,
            commissions: commissions.iter().map(CommissionBody::new).collect(),
            note,
            warnings: if unknown_coupon {
                vec![SaleWarning::unknown_coupon()]
            } else {
                vec![]
            },
            created_at: s.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleCreate {
    /// The store's payment id: unique per store; posting it again returns the original.
    pub external_id: String,
    /// Gross amount in the store currency, e.g. "49.00": a number or a
    /// string of digits with an optional `.` and the currency's decimals, at
    /// most 1000000000000.00.
    pub amount: DecimalText,
    /// Tax included in `amount`, so at most `amount` (else a 422);
    /// commissions are computed net of it.
    pub tax: Option<DecimalText>,
    /// Must be the store's currency when given (another is a 422).
    pub currency: Option<String>,
    /// When the payment happened (RFC 3339), default now: from
    /// 2000-01-01T00:00:00Z to a day ahead of the server's clock.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `true` for an import of history: the commission's hold period runs
    /// from `occurred_at`. By default (`false`) it runs from when the sale
    /// is recorded, so a backdated `occurred_at` cannot skip it.
    #[serde(default)]
    #[schema(default = false)]
    pub import: bool,
    /// Attribution, in this order: the referral …
    pub referral_id: Option<String>,
    /// … or a coupon code (at most 64 characters, any case) …
    pub coupon_code: Option<String>,
    /// … or the customer id of a known referral …
    pub external_customer_id: Option<String>,
    /// … or the email of a known referral.
    pub customer_email: Option<String>,
}

/// Records a sale and its commission (201), or returns the sale already
/// recorded under this `external_id` (200).
#[utoipa::path(tag = "sales", request_body = SaleCreate,
    responses((status = 201, body = SaleBody), (status = 200, body = SaleBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/sales")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<SaleCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    state.clicks.flush().await;
    let input = SaleInput {
        external_id: b.external_id,
        amount: b.amount.0,
        tax: b.tax.map(|t| t.0),
        currency: b.currency,
        occurred_at: b.occurred_at,
        referral_id: b.referral_id,
        coupon_code: b.coupon_code,
        external_customer_id: b.external_customer_id,
        customer_email: b.customer_email,
        import: b.import,
    };
    let recorded = state
        .sales
        .record(&caller.store, &caller.actor(), input)
        .await?;
    // A new sale has exactly the commission it was just given, and its
    // warnings were found while recording it.
    let (all, unknown_coupon) = match (recorded.created, recorded.commission) {
        (true, made) => (
            made.into_iter().collect(),
            recorded.warnings.iter().any(|(f, _)| *f == "coupon_code"),
        ),
        (false, _) => (
            sales::commissions_of(&state.db, caller.store_id(), SaleId(recorded.sale.id)).await?,
            unknown_coupon(&state, &caller, &recorded.sale).await?,
        ),
    };
    let body = SaleBody::new(&recorded.sale, &all, recorded.note, unknown_coupon);
    Ok(if recorded.created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

#[derive(Serialize, ToSchema)]
pub struct SaleList {
    pub data: Vec<SaleBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SaleFilters {
    pub affiliate_id: Option<Uuid>,
    /// Only sales no referral matched.
    pub unattributed: Option<bool>,
}

#[utoipa::path(tag = "sales", params(PageParams, SaleFilters), responses((status = 200, body = SaleList), (status = 401, body = ErrorBody)))]
#[get("/sales")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<SaleFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = SaleFilter {
        affiliate_id: f.affiliate_id.map(AffiliateId),
        unattributed: f.unattributed.unwrap_or(false),
        ..Default::default()
    };
    let page = sales::list(&state.db, caller.store_id(), &filter, page.request()?).await?;
    let ids: Vec<SaleId> = page.items.iter().map(|s| SaleId(s.id)).collect();
    let mut commissions = sales::commissions_of_sales(&state.db, caller.store_id(), &ids).await?;
    let rows: Vec<&Sale> = page.items.iter().collect();
    let unknown = sales::unknown_coupons(&state.db, caller.store_id(), &rows).await?;
    let data = page
        .items
        .iter()
        .map(|s| {
            SaleBody::new(
                s,
                &commissions.remove(&s.id).unwrap_or_default(),
                None,
                unknown.contains(&s.id),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(SaleList {
        next_cursor: if page.has_more {
            page.items.last().map(|s| s.id)
        } else {
            None
        },
        data,
        has_more: page.has_more,
    }))
}

#[utoipa::path(tag = "sales", params(("id" = Uuid, Path)), responses((status = 200, body = SaleBody), (status = 404, body = ErrorBody)))]
#[get("/sales/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let s = sales::get(&state.db, caller.store_id(), SaleId(*id)).await?;
    let all = sales::commissions_of(&state.db, caller.store_id(), SaleId(s.id)).await?;
    let unknown = unknown_coupon(&state, &caller, &s).await?;
    Ok(HttpResponse::Ok().json(SaleBody::new(&s, &all, None, unknown)))
}

/// Whether this sale's coupon code names no coupon of the store (one query
/// when it has a code, none otherwise).
async fn unknown_coupon(state: &AppState, caller: &ApiCaller, s: &Sale) -> Result<bool, WebError> {
    Ok(sales::unknown_coupons(&state.db, caller.store_id(), &[s])
        .await?
        .contains(&s.id))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RefundCreate {
    /// Default: what remains of the sale.
    pub amount: Option<DecimalText>,
    pub reason: Option<String>,
    /// The payment provider's refund id; a repeat is ignored.
    pub external_id: Option<String>,
}

/// Refunds all or part of a sale: pending and due commissions shrink pro
/// rata (or become `refunded`); a paid one gets a negative clawback.
#[utoipa::path(tag = "sales", params(("id" = Uuid, Path)), request_body = RefundCreate,
    responses((status = 200, body = SaleBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/sales/{id}/refunds")]
pub async fn refund(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<RefundCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let updated = sales::refund(
        &state.db,
        &caller.store,
        &caller.actor(),
        SaleId(*id),
        RefundInput {
            amount: b.amount.map(|a| a.0),
            reason: b.reason,
            external_id: b.external_id,
        },
    )
    .await?;
    let all = sales::commissions_of(&state.db, caller.store_id(), SaleId(updated.id)).await?;
    let unknown = unknown_coupon(&state, &caller, &updated).await?;
    Ok(HttpResponse::Ok().json(SaleBody::new(&updated, &all, None, unknown)))
}
