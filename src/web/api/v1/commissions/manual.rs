//! A manual commission, created through the API.

use super::*;

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
