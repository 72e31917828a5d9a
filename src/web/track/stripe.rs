//! `POST /webhooks/stripe/{store}`: Stripe's events, verified and handled
//! by `services::stripe`. Clicks still queued are written first, so a sale
//! finds the referral its click made.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::services::stripe::{self, Outcome, WebhookError};
use crate::web::{AppState, WebError};

pub async fn stripe_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    state.clicks.flush().await;
    let (status, code, message) =
        match stripe::handle(&state.db, &state.config.secret_key, &path, signature, &body).await {
            Ok(Outcome::Handled(kind)) => (StatusCode::OK, "ok", format!("handled {kind}")),
            Ok(Outcome::Duplicate) => (StatusCode::OK, "ok", "already handled".into()),
            Ok(Outcome::Ignored) => (StatusCode::OK, "ok", "ignored".into()),
            Err(WebhookError::UnknownStore) => {
                (StatusCode::NOT_FOUND, "not_found", "Not found.".into())
            }
            Err(WebhookError::NotConfigured) => (
                StatusCode::BAD_REQUEST,
                "not_configured",
                "No Stripe signing secret is set for this store.".into(),
            ),
            Err(WebhookError::Signature(e)) => {
                (StatusCode::BAD_REQUEST, "bad_signature", e.to_string())
            }
            Err(WebhookError::BadBody) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "The body is not a Stripe event.".into(),
            ),
            Err(WebhookError::Service(e)) => return WebError::from(e).error_response_for_webhook(),
        };
    if status == StatusCode::OK {
        return HttpResponse::Ok().json(json!({"received": true, "result": message}));
    }
    HttpResponse::build(status)
        .json(json!({"error": {"code": code, "message": message, "details": []}}))
}

impl WebError {
    /// A failure while handling a verified event: 500 makes Stripe retry.
    fn error_response_for_webhook(self) -> HttpResponse {
        use actix_web::ResponseError;
        self.error_response()
    }
}
