//! `/api/v1/commissions`: the resource's body and `get` here, one file per
//! verb beside it: `listing` (list with the page's filters, and totals),
//! `manual` (create a manual commission), `edit` (`PATCH`, and `PUT` with
//! the same partial meaning) and `void` (`DELETE`). Rewardful's legacy
//! `paid_at` pays the commission through a one-commission payout marked
//! paid then (`null` voids that payout): `services::payouts::pay_one`.

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

mod edit;
mod listing;
mod manual;
mod void;

pub use edit::*;
pub use listing::*;
pub use manual::*;
pub use void::*;

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
