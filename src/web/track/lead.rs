//! `POST /api/track/lead`: `Tributary.lead({email})` from the store's page
//! (`services::tracking::lead`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{origin, tracking, with_cors};
use crate::services::tracking::lead::{self, ScriptLead};
use crate::web::{AppState, WebError};

#[derive(Deserialize)]
struct LeadBody {
    store: String,
    referral_id: Option<String>,
    email: Option<String>,
}

pub async fn track_lead(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: LeadBody =
        serde_json::from_slice(&body).map_err(|e| WebError::validation("body", e.to_string()))?;
    let input = ScriptLead {
        store: b.store,
        referral_id: b.referral_id,
        email: b.email,
    };
    let outcome = lead::record(&tracking(&state), input, origin(&req)).await?;
    Ok(with_cors(
        HttpResponse::Ok()
            .json(json!({"referral_id": outcome.referral_id, "state": outcome.state})),
        outcome.site.origin,
    ))
}
