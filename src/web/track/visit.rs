//! `POST /api/track/visit`: the tracking script's visit
//! (`services::tracking::visit`), answered with the referral the page keeps
//! and for how many days.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{TrackedRequest, origin, tracking, with_cors};
use crate::services::tracking::visit::{self, VisitInput};
use crate::web::{AppState, WebError};

#[derive(Deserialize)]
struct VisitBody {
    store: String,
    via: Option<String>,
    /// The referral the page already holds (its first-party cookie).
    referral_id: Option<String>,
    /// `tb_ref` from the address: the referral a `/r/` click just made.
    redirect_referral: Option<String>,
    /// `tb_click` from the address: that click's visit.
    redirect_click: Option<String>,
    landing_url: Option<String>,
    referrer: Option<String>,
}

/// An id from the page's address or cookie, if it is one.
fn id<T: std::str::FromStr>(raw: Option<String>) -> Option<T> {
    raw.and_then(|r| r.trim().parse().ok())
}

impl From<VisitBody> for VisitInput {
    fn from(b: VisitBody) -> Self {
        VisitInput {
            store: b.store,
            via: b
                .via
                .as_deref()
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty()),
            referral_id: id(b.referral_id),
            redirect_referral: id(b.redirect_referral),
            redirect_click: id(b.redirect_click),
            landing_url: b.landing_url,
            referrer: b.referrer,
        }
    }
}

pub async fn track_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: VisitBody =
        serde_json::from_slice(&body).map_err(|e| WebError::validation("body", e.to_string()))?;
    let caller = TrackedRequest {
        req: &req,
        state: &state,
    };
    let outcome = visit::record(&tracking(&state), &b.into(), origin(&req), &caller).await?;
    Ok(with_cors(
        HttpResponse::Ok().json(json!({
            "referral_id": outcome.referral_id,
            "cookie_days": outcome.cookie_days,
        })),
        outcome.site.origin,
    ))
}
