//! `/api/v1/commissions`: list (the page's filters), totals, get, create (a
//! manual commission), update (`PATCH`, and `PUT` with the same partial
//! meaning) and `DELETE` = void. Rewardful's legacy `paid_at` pays the
//! commission through a one-commission payout marked paid then (`null`
//! voids that payout): `services::payouts::pay_one`.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::CommissionId;
use crate::domain::Currency;
use crate::domain::commission_edit::{earning, parse_time};
use crate::domain::money::format_minor;
use crate::services::commissions::Commission;
use crate::services::commissions::{
    self, CommissionFilter, CommissionForCreate, CommissionForUpdate, FilterText,
};
use crate::services::payouts;
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, DecimalText, ErrorBody, PageParams, nullable};
use crate::web::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct CommissionBody {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    pub sale_id: Option<Uuid>,
    /// `sale`, `clawback` (negative, after a refund of a paid one) or `manual`.
    pub kind: String,
    pub sale_amount: String,
    /// What the affiliate earns from it now: reduced by refunds, "0.00" once
    /// refunded in full or voided, negative for a clawback. Summing `amount`
    /// over a list gives what the affiliates earn.
    pub amount: String,
    /// The amount before any refund (after the last edit).
    pub original_amount: String,
    /// What its sale's refunds took from it.
    pub refunded_amount: String,
    pub currency: String,
    /// `pending`, `due`, `paid`, `voided` or `refunded`.
    pub status: String,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
    pub payout_id: Option<Uuid>,
    pub remarks: Option<String>,
    /// What the store kept (a manual commission's, when given).
    pub admin_earned_amount: Option<String>,
    /// The payment a manual commission was recorded for (unique per store).
    pub external_payment_id: Option<String>,
    /// `fraud`, `duplicate`, `order_cancelled`, `tracking_error` or `other`, once voided.
    pub void_reason: Option<String>,
    pub void_note: Option<String>,
    /// A part split off by a recorded payout that covered a commission in
    /// part: the family's first commission (same sale). Null otherwise.
    pub split_of: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl CommissionBody {
    pub fn new(c: &Commission) -> Self {
        let currency = Currency::parse(&c.currency).unwrap_or(Currency::USD);
        let e = earning(c.status, c.kind, c.amount_minor, c.original_amount_minor);
        Self {
            id: c.id,
            affiliate_id: c.affiliate_id,
            campaign_id: c.campaign_id,
            referral_id: c.referral_id,
            sale_id: c.sale_id,
            kind: c.kind.to_string(),
            sale_amount: format_minor(c.sale_amount_minor, currency),
            amount: format_minor(e.amount_minor, currency),
            original_amount: format_minor(e.original_minor, currency),
            refunded_amount: format_minor(e.refunded_minor, currency),
            currency: c.currency.clone(),
            status: c.status.to_string(),
            due_at: c.due_at,
            paid_at: c.paid_at,
            payout_id: c.payout_id,
            remarks: c.remarks.clone(),
            admin_earned_amount: c.admin_earned_minor.map(|m| format_minor(m, currency)),
            external_payment_id: c.external_payment_id.clone(),
            void_reason: c.void_reason.map(|r| r.to_string()),
            void_note: c.void_note.clone(),
            split_of: c.split_of,
            created_at: c.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommissionList {
    pub data: Vec<CommissionBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommissionFilters {
    /// `pending`, `due`, `paid`, `voided` or `refunded`.
    pub status: Option<String>,
    pub affiliate_id: Option<String>,
    /// The affiliate's name or email contains this.
    pub affiliate: Option<String>,
    pub campaign_id: Option<String>,
    /// `sale`, `clawback` or `manual`.
    pub kind: Option<String>,
    pub sale_id: Option<String>,
    /// Created from this date (or time) on.
    pub from: Option<String>,
    /// Created until this date (included) or before this time.
    pub until: Option<String>,
}

impl CommissionFilters {
    fn parse(&self) -> Result<CommissionFilter, WebError> {
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        CommissionFilter::parse(&FilterText {
            status: t(&self.status),
            affiliate_id: t(&self.affiliate_id),
            affiliate: t(&self.affiliate),
            campaign_id: t(&self.campaign_id),
            kind: t(&self.kind),
            sale_id: t(&self.sale_id),
            from: t(&self.from),
            until: t(&self.until),
        })
        .map_err(|errors| WebError::Validation {
            message: "Some query parameters are not valid.".into(),
            errors,
        })
    }
}

#[utoipa::path(tag = "commissions", params(PageParams, CommissionFilters), responses((status = 200, body = CommissionList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/commissions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<CommissionFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = f.parse()?;
    let page = commissions::list(&state.db, caller.store_id(), &filter, page.request()?).await?;
    Ok(HttpResponse::Ok().json(CommissionList {
        next_cursor: if page.has_more {
            page.items.last().map(|c| c.id)
        } else {
            None
        },
        data: page.items.iter().map(CommissionBody::new).collect(),
        has_more: page.has_more,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct StatusTotalBody {
    pub status: String,
    pub count: i64,
    /// Σ of the stored amounts of this status (a voided commission counts what it was).
    pub amount: String,
}

#[derive(Serialize, ToSchema)]
pub struct CommissionTotals {
    pub currency: String,
    pub by_status: Vec<StatusTotalBody>,
    /// A status's sum is beyond the range amounts are kept in: it is left out.
    pub too_large: bool,
}

/// Count and amount by status of the filtered set (the list's filters).
#[utoipa::path(tag = "commissions", params(CommissionFilters), responses((status = 200, body = CommissionTotals), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/commissions/totals")]
pub async fn totals(
    state: web::Data<AppState>,
    caller: ApiCaller,
    f: web::Query<CommissionFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = f.parse()?;
    let t = commissions::totals(&state.db, caller.store_id(), &filter).await?;
    let currency = Currency::parse(&caller.store.currency).unwrap_or(Currency::USD);
    Ok(HttpResponse::Ok().json(CommissionTotals {
        currency: currency.code().to_owned(),
        by_status: t
            .by_status
            .iter()
            .map(|s| StatusTotalBody {
                status: s.status.to_string(),
                count: s.count,
                amount: format_minor(s.amount_minor, currency),
            })
            .collect(),
        too_large: t.too_large,
    }))
}

#[utoipa::path(tag = "commissions", params(("id" = Uuid, Path)), responses((status = 200, body = CommissionBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/commissions/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = commissions::get(&state.db, caller.store_id(), CommissionId(*id)).await?;
    Ok(HttpResponse::Ok().json(CommissionBody::new(&c)))
}

/// A manual commission. ReferralStack's and PromoteKit's field names are
/// accepted too (`affiliateId`, `referredUser`, `adminEarnedAmount`,
/// `commissionDate`, `revenue_amount`, `commission_amount`, `stripe_payment_id`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CommissionCreate {
    // Required (the service says "is required" for an absent or null one);
    // an `Option` only so that the service names the field in its 422.
    #[serde(alias = "affiliateId")]
    #[schema(value_type = String, required = true)]
    pub affiliate_id: Option<String>,
    /// Default: the affiliate's campaign.
    #[serde(alias = "campaignId")]
    pub campaign_id: Option<String>,
    pub referral_id: Option<String>,
    /// The referred customer's email (a referral of this affiliate), instead of `referral_id` (both: a 422).
    #[serde(alias = "referredUser")]
    pub customer_email: Option<String>,
    /// Greater than 0.
    #[serde(alias = "revenue_amount")]
    #[schema(value_type = DecimalText, required = true)]
    pub sale_amount: Option<DecimalText>,
    /// Greater than 0, or below 0 for a manual clawback (then `remarks` is required).
    #[serde(alias = "commission_amount")]
    #[schema(value_type = DecimalText, required = true)]
    pub amount: Option<DecimalText>,
    /// What the store kept (at least 0).
    #[serde(alias = "adminEarnedAmount")]
    pub admin_earned_amount: Option<DecimalText>,
    /// When it was earned (RFC 3339 or a date; default now; not in the future).
    #[serde(alias = "commissionDate", alias = "referral_date")]
    pub date: Option<String>,
    /// `pending` (default: due after the campaign's hold period from `date`), `due` (in the balance at once) or `paid` (history: paid at `date` through a one-commission payout).
    pub status: Option<String>,
    pub remarks: Option<String>,
    /// Unique per store: a second commission with it is a 422.
    #[serde(alias = "stripe_payment_id")]
    pub external_payment_id: Option<String>,
}

#[utoipa::path(tag = "commissions", request_body = CommissionCreate,
    responses((status = 201, body = CommissionBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/commissions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<CommissionCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let made = commissions::create(
        &state.db,
        &caller.store,
        &caller.actor(),
        CommissionForCreate {
            affiliate_id: b.affiliate_id,
            campaign_id: b.campaign_id,
            referral_id: b.referral_id,
            customer_email: b.customer_email,
            sale_amount: b.sale_amount.map(|d| d.0),
            amount: b.amount.map(|d| d.0),
            admin_earned_amount: b.admin_earned_amount.map(|d| d.0),
            date: b.date,
            status: b.status,
            remarks: b.remarks,
            external_payment_id: b.external_payment_id,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(CommissionBody::new(&made)))
}

/// Changes; absent fields stay. Only pending and due commissions change.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CommissionWrite {
    /// Keeps its sign (a clawback stays negative), never 0 (void instead).
    pub amount: Option<DecimalText>,
    /// When it becomes payable; cannot be blank or null (422 naming `due_at`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Option<String>>,
    /// Null or "" clears.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub remarks: Option<Option<String>>,
    /// `due` (from pending: enters the balance now) or `voided` (with `void_reason`).
    pub status: Option<String>,
    /// `fraud`, `duplicate`, `order_cancelled`, `tracking_error` or `other` (with `void_note`).
    pub void_reason: Option<String>,
    /// Required (not blank) when `void_reason` is `other` (else a 422).
    pub void_note: Option<String>,
    /// Rewardful's legacy field, sent alone: a time on a due commission pays it
    /// through a one-commission payout marked paid then; `null` on a paid one
    /// voids that payout (422 if its payout paid several commissions).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(ignore)]
    pub paid_at: Option<Option<serde_json::Value>>,
}

async fn apply_update(
    state: &AppState,
    caller: &ApiCaller,
    id: Uuid,
    b: CommissionWrite,
) -> Result<HttpResponse, WebError> {
    if let Some(paid_at) = &b.paid_at {
        let alone = b.amount.is_none()
            && b.due_at.is_none()
            && b.remarks.is_none()
            && b.status.is_none()
            && b.void_reason.is_none()
            && b.void_note.is_none();
        if !alone {
            return Err(WebError::validation(
                "paid_at",
                "must be sent alone: it pays or unpays the commission through a payout",
            ));
        }
        let id = CommissionId(id);
        let changed = match paid_at.as_ref().map(|v| (v, v.as_str().map(str::trim))) {
            None | Some((_, Some(""))) => {
                payouts::unpay_commission(&state.db, caller.store_id(), &caller.actor(), id).await?
            }
            Some((_, Some(text))) => {
                let at = parse_time(text, None).map_err(|m| WebError::validation("paid_at", m))?;
                payouts::pay_commission(&state.db, &caller.store, &caller.actor(), id, at).await?
            }
            Some((v, None)) => {
                return Err(WebError::validation(
                    "paid_at",
                    format!("must be a time (RFC 3339) or null, not {v}"),
                ));
            }
        };
        return Ok(HttpResponse::Ok().json(CommissionBody::new(&changed)));
    }
    let updated = commissions::update(
        &state.db,
        &caller.store,
        &caller.actor(),
        CommissionId(id),
        CommissionForUpdate {
            amount: b.amount.map(|d| d.0),
            // null reads as blank: "can't be blank".
            due_at: b.due_at.map(Option::unwrap_or_default),
            remarks: b.remarks,
            status: b.status,
            void_reason: b.void_reason,
            void_note: b.void_note,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(CommissionBody::new(&updated)))
}

#[utoipa::path(tag = "commissions", params(("id" = Uuid, Path)), request_body = CommissionWrite,
    responses((status = 200, body = CommissionBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/commissions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<CommissionWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

/// The same partial update as PATCH (Rewardful uses PUT).
#[utoipa::path(tag = "commissions", params(("id" = Uuid, Path)), request_body = CommissionWrite,
    responses((status = 200, body = CommissionBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/commissions/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<CommissionWrite>,
) -> Result<HttpResponse, WebError> {
    apply_update(&state, &caller, *id, body.0).await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoidParams {
    /// `fraud`, `duplicate`, `order_cancelled`, `tracking_error` or `other` (default, with a note saying it came through the API).
    pub reason: Option<String>,
    /// Why it was voided; required (not blank) when `reason` is `other`
    /// (else a 422 naming `void_note`).
    pub note: Option<String>,
}

/// Voids the commission (a due one leaves the balance); a paid one is 409.
#[utoipa::path(tag = "commissions", params(("id" = Uuid, Path), VoidParams),
    responses((status = 200, body = CommissionBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[delete("/commissions/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    q: web::Query<VoidParams>,
) -> Result<HttpResponse, WebError> {
    let reason = q.reason.as_deref().filter(|r| !r.trim().is_empty());
    // A blank note is no note, as a blank reason is no reason.
    let given_note = q.note.as_deref().filter(|n| !n.trim().is_empty());
    let note = match (reason, given_note) {
        (None, None) => Some("voided through the API (DELETE)"),
        (_, n) => n,
    };
    let voided = commissions::void(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        CommissionId(*id),
        Some(reason.unwrap_or("other")),
        note,
    )
    .await?;
    Ok(HttpResponse::Ok().json(CommissionBody::new(&voided)))
}
