//! One mapping from errors to responses.
//!
//! Handlers return `WebError`; `render_errors` (a middleware) turns every
//! error response into what the request wants: JSON `{"error": {code,
//! message, details}}` under `/api/` and `/webhooks/`, an error partial
//! retargeted into the page's toast for htmx, or a full HTML page. A 500's
//! cause goes to the log with the request id, never to the client.
//!
//! Here: the error type and its JSON form; `render` dresses error responses
//! per request kind, `back_to_page` turns refused form posts into flashes,
//! `extractor_config` maps actix's own extractor errors.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::domain::{FieldError, ValidationErrors};
use crate::services::stripe::WebhookError;
use crate::services::{ServiceError, UseCaseError};

mod back_to_page;
mod extractor_config;
mod render;

pub use back_to_page::refusals_back_to_page;
pub use extractor_config::{form_config, json_config, path_config, query_config};
pub use render::{is_api_path, render_errors};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Unauthorized { message: String },
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("validation failed")]
    Validation {
        message: String,
        errors: ValidationErrors,
    },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A 400 with a code of its own (a webhook's bad signature, …).
    #[error("{code}: {message}")]
    Rejected { code: &'static str, message: String },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("rate limited: {0}")]
    RateLimited(String),
    #[error("payload too large")]
    PayloadTooLarge,
    /// The path exists, the method does not; `allow` lists the ones it has.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    /// Pages only: the visitor must sign in (or, before setup, set up).
    #[error("redirect to {0}")]
    Redirect(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<ServiceError> for WebError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Validation(errors) => WebError::Validation {
                message: "Some fields need attention.".into(),
                errors,
            },
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Forbidden(m) => WebError::Forbidden(m),
            ServiceError::Conflict(m) => WebError::Conflict(m),
            ServiceError::RateLimited(m) => WebError::RateLimited(m),
            ServiceError::Unauthorized(m) => WebError::Unauthorized { message: m },
            ServiceError::Db(e) => WebError::Internal(e.into()),
            ServiceError::Internal(e) => WebError::Internal(e),
        }
    }
}

/// A use case's own refusal: 409 with its message (a flash where a page
/// handles it itself).
impl<R: std::fmt::Display> From<UseCaseError<R>> for WebError {
    fn from(err: UseCaseError<R>) -> Self {
        match err {
            UseCaseError::Refused(r) => WebError::Conflict(r.to_string()),
            UseCaseError::Failed(e) => e.into(),
        }
    }
}

/// A Stripe delivery we refuse is a 4xx (Stripe stops retrying it); a
/// failure while handling a verified event is a 500 (Stripe retries).
impl From<WebhookError> for WebError {
    fn from(err: WebhookError) -> Self {
        match err {
            WebhookError::UnknownStore => WebError::NotFound,
            WebhookError::NotConfigured => WebError::Rejected {
                code: "not_configured",
                message: "No Stripe signing secret is set for this store.".into(),
            },
            WebhookError::Signature(e) => WebError::Rejected {
                code: "bad_signature",
                message: e.to_string(),
            },
            WebhookError::BadBody => WebError::BadRequest("The body is not a Stripe event.".into()),
            WebhookError::Service(e) => e.into(),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(err: askama::Error) -> Self {
        WebError::Internal(err.into())
    }
}

impl From<sea_orm::DbErr> for WebError {
    fn from(err: sea_orm::DbErr) -> Self {
        WebError::Internal(err.into())
    }
}

impl From<actix_session::SessionInsertError> for WebError {
    fn from(err: actix_session::SessionInsertError) -> Self {
        WebError::Internal(anyhow::anyhow!("session insert failed: {err}"))
    }
}

impl From<actix_session::SessionGetError> for WebError {
    fn from(err: actix_session::SessionGetError) -> Self {
        WebError::Internal(anyhow::anyhow!("session read failed: {err}"))
    }
}

/// What a client is told about an error.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
}

impl WebError {
    pub fn info(&self) -> ErrorInfo {
        let (status, code, message, details) = match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Not found.".to_owned(),
                vec![],
            ),
            WebError::Unauthorized { message } => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                message.clone(),
                vec![],
            ),
            WebError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone(), vec![]),
            WebError::Validation { message, errors } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message.clone(),
                errors.0.clone(),
            ),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone(), vec![]),
            WebError::Rejected { code, message } => {
                (StatusCode::BAD_REQUEST, *code, message.clone(), vec![])
            }
            WebError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone(), vec![]),
            WebError::RateLimited(m) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                m.clone(),
                vec![],
            ),
            WebError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.".to_owned(),
                vec![],
            ),
            WebError::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "That method is not allowed here.".to_owned(),
                vec![],
            ),
            WebError::Redirect(_) => (StatusCode::SEE_OTHER, "redirect", String::new(), vec![]),
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side. It has been logged; please try again."
                    .to_owned(),
                vec![],
            ),
        };
        ErrorInfo {
            status,
            code,
            message,
            details,
        }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        WebError::from(ServiceError::Validation(ValidationErrors::single(
            field, message,
        )))
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        self.info().status
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::Redirect(to) = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to.as_str()))
                .finish();
        }
        if let WebError::Internal(cause) = self {
            tracing::error!(error.cause_chain = ?cause, "request failed");
        }
        let mut res = json_response(&self.info());
        if let WebError::MethodNotAllowed { allow } = self
            && let Ok(value) = header::HeaderValue::from_str(allow)
        {
            res.headers_mut().insert(header::ALLOW, value);
        }
        res
    }
}

pub(super) fn json_response(info: &ErrorInfo) -> HttpResponse {
    let details: Vec<_> = info
        .details
        .iter()
        .map(|d| json!({"field": d.field, "message": d.message}))
        .collect();
    HttpResponse::build(info.status).json(json!({
        "error": {"code": info.code, "message": info.message, "details": details}
    }))
}
