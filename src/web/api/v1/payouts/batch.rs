//! `POST /api/v1/payouts`: a payout for each affiliate named (or every one due).

use super::*;

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PayoutCreate {
    /// The affiliates to pay everything due; absent = every affiliate the
    /// Due view shows as payable. Each must be an affiliate of this store
    /// (another id is a 422 naming `affiliate_ids[i]`).
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
    // Under an Idempotency-Key a retry finishes the batch (`create_keyed`).
    let created = payouts::create_keyed(
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
