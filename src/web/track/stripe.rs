//! `POST /webhooks/stripe/{store}`: Stripe's events, verified and handled
//! by `services::stripe`. Clicks still queued are written first, so a sale
//! finds the referral its click made.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::services::stripe::{self, Outcome};
use crate::web::{AppState, WebError};

pub async fn stripe_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    state.clicks.flush().await;
    let outcome =
        stripe::handle(&state.db, &state.config.secret_key, &path, signature, &body).await?;
    let result = match outcome {
        Outcome::Handled(kind) => format!("handled {kind}"),
        Outcome::Duplicate => "already handled".into(),
        Outcome::Ignored => "ignored".into(),
    };
    Ok(HttpResponse::Ok().json(json!({"received": true, "result": result})))
}
