//! PATCH and PUT of a commission: the same partial update, or Rewardful's
//! legacy `paid_at` alone.

use super::*;

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
    /// `fraud`, `duplicate`, `order_cancelled`, `tracking_error` or `other` (with `void_note`);
    /// only with `status: voided` (else a 422).
    pub void_reason: Option<String>,
    /// Required (not blank) when `void_reason` is `other`; only with
    /// `status: voided` (else a 422).
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
