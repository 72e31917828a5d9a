//! An affiliate's money: `POST /affiliates/{id}/payouts` (record a payout,
//! Komerza style), `GET /affiliates/{id}/balance`, `POST
//! /affiliates/{id}/adjustments`.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::payouts::{PayoutBody, body_of};
use crate::domain::AffiliateId;
use crate::domain::money::format_minor;
use crate::services::payouts::{self, AdjustInput, RecordInput};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::{ApiJson, DecimalText, ErrorBody};
use crate::web::{AppState, WebError};

fn currency(caller: &ApiCaller) -> crate::domain::Currency {
    crate::domain::Currency::parse(&caller.store.currency).unwrap_or(crate::domain::Currency::USD)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutRecord {
    /// 0.01 up to the available balance. It settles the clawbacks, then the
    /// oldest due commissions; one it covers only in part is split into the
    /// part paid and a due remainder (`split` in the answer).
    pub amount: DecimalText,
    /// True: granted as store credit to the affiliate's external customer id.
    #[serde(default, alias = "convertedToStoreCredit")]
    pub converted_to_store_credit: bool,
    /// At most 256 characters.
    pub comment: Option<String>,
}

/// A due commission a recorded payout covered in part.
#[derive(Serialize, ToSchema)]
pub struct SplitBody {
    /// The commission the payout settles, its amount now the part covered.
    pub commission_id: Uuid,
    pub settled: String,
    /// The new due commission holding the rest (same sale; `split_of` names
    /// the family's first commission).
    pub remainder_commission_id: Uuid,
    pub remainder: String,
}

/// The payout, and the commission it split (or null).
#[derive(Serialize, ToSchema)]
pub struct RecordedPayoutBody {
    #[serde(flatten)]
    pub payout: PayoutBody,
    pub split: Option<SplitBody>,
}

/// Records a payout of an amount (Komerza's record-a-payout): the
/// clawbacks, then the oldest due commissions, the last one split when the
/// amount ends inside it.
#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), request_body = PayoutRecord,
    responses((status = 201, body = RecordedPayoutBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/affiliates/{id}/payouts")]
pub async fn record(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<PayoutRecord>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let recorded = payouts::record_split(
        &state.db,
        &caller.store,
        &caller.actor(),
        AffiliateId(*id),
        RecordInput {
            amount: b.amount.0,
            converted_to_store_credit: b.converted_to_store_credit,
            comment: b.comment,
        },
    )
    .await?;
    let cur = currency(&caller);
    let split = recorded.split.map(|parts| SplitBody {
        commission_id: parts.settled.id,
        settled: format_minor(parts.settled.amount_minor, cur),
        remainder_commission_id: parts.remainder.id,
        remainder: format_minor(parts.remainder.amount_minor, cur),
    });
    Ok(HttpResponse::Created().json(RecordedPayoutBody {
        payout: body_of(&state, &recorded.payout).await?,
        split,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BalanceBody {
    pub affiliate_id: Uuid,
    /// Payable now: due commissions and adjustments no payout holds yet.
    pub available: String,
    /// Commissions still in their hold period.
    pub pending: String,
    /// In payouts created but not yet marked paid.
    pub in_payouts: String,
    /// Paid out to date (paid payouts, not voided).
    pub paid: String,
    pub currency: String,
}

#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), responses((status = 200, body = BalanceBody), (status = 404, body = ErrorBody)))]
#[get("/affiliates/{id}/balance")]
pub async fn balance(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let b = payouts::balance(&state.db, caller.store_id(), AffiliateId(*id)).await?;
    let cur = currency(&caller);
    Ok(HttpResponse::Ok().json(BalanceBody {
        affiliate_id: *id,
        available: format_minor(b.available_minor, cur),
        pending: format_minor(b.pending_minor, cur),
        in_payouts: format_minor(b.in_payouts_minor, cur),
        paid: format_minor(b.paid_minor, cur),
        currency: cur.code().to_owned(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentCreate {
    /// Signed: "-5.00" lowers the balance. Not zero.
    pub amount: DecimalText,
    /// Required, at most 500 characters.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentBody {
    /// The due manual commission that carries it into the next payout.
    pub commission_id: Uuid,
    pub affiliate_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub reason: String,
    pub balance: BalanceBody,
}

/// A manual ± correction of the balance, audited.
#[utoipa::path(tag = "payouts", params(("id" = Uuid, Path)), request_body = AdjustmentCreate,
    responses((status = 201, body = AdjustmentBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/affiliates/{id}/adjustments")]
pub async fn adjust(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
    body: ApiJson<AdjustmentCreate>,
) -> Result<HttpResponse, WebError> {
    let b = body.0;
    let c = payouts::adjust(
        &state.db,
        &caller.store,
        &caller.actor(),
        AffiliateId(*id),
        AdjustInput {
            amount: b.amount.0,
            reason: b.reason.clone(),
        },
    )
    .await?;
    let bal = payouts::balance(&state.db, caller.store_id(), AffiliateId(*id)).await?;
    let cur = currency(&caller);
    Ok(HttpResponse::Created().json(AdjustmentBody {
        commission_id: c.id,
        affiliate_id: c.affiliate_id,
        amount: format_minor(c.amount_minor, cur),
        currency: cur.code().to_owned(),
        reason: b.reason.trim().to_owned(),
        balance: BalanceBody {
            affiliate_id: c.affiliate_id,
            available: format_minor(bal.available_minor, cur),
            pending: format_minor(bal.pending_minor, cur),
            in_payouts: format_minor(bal.in_payouts_minor, cur),
            paid: format_minor(bal.paid_minor, cur),
            currency: cur.code().to_owned(),
        },
    }))
}
