//! One mapping from errors to responses.
//!
//! Handlers return `WebError`; `render_errors` (a middleware) turns every
//! error response into what the request wants: JSON `{"error": {code,
//! message, details}}` under `/api/` and `/webhooks/`, an error partial
//! retargeted into the page's toast for htmx, or a full HTML page. A 500's
//! cause goes to the log with the request id, never to the client.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde_json::json;

use crate::domain::{FieldError, ValidationErrors};
use crate::services::stripe::WebhookError;
use crate::services::{ServiceError, UseCaseError};

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

fn json_response(info: &ErrorInfo) -> HttpResponse {
    let details: Vec<_> = info
        .details
        .iter()
        .map(|d| json!({"field": d.field, "message": d.message}))
        .collect();
    HttpResponse::build(info.status).json(json!({
        "error": {"code": info.code, "message": info.message, "details": details}
    }))
}

/// What the status alone says, for errors that did not come from a handler
/// (no route, wrong method, a body over the limit).
fn info_for_status(status: StatusCode) -> ErrorInfo {
    let (code, message) = match status.as_u16() {
        404 => ("not_found", "Not found."),
        405 => ("method_not_allowed", "That method is not allowed here."),
        413 => ("payload_too_large", "The request body is too large."),
        400..=499 => ("bad_request", "The request could not be understood."),
        _ => (
            "internal",
            "Something went wrong on our side. It has been logged; please try again.",
        ),
    };
    ErrorInfo {
        status,
        code,
        message: message.into(),
        details: vec![],
    }
}

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/webhooks/")
}

#[derive(Template)]
#[template(path = "errors/page.html")]
struct ErrorPage<'a> {
    info: &'a ErrorInfo,
    asset_version: &'a str,
}

#[derive(Template)]
#[template(path = "errors/_toast.html")]
struct ErrorToast<'a> {
    info: &'a ErrorInfo,
}

pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_api = is_api_path(req.path());
    let is_htmx = super::extractors::Htmx::from_headers(req.headers()).request;
    // Inner middleware report refusals as error responses (not `Err`), so
    // they are rendered here like a handler's. (The request cannot be
    // cloned before routing to handle `Err` here: actix panics.)
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();

    let web_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<WebError>());
    if let (Some(WebError::Redirect(to)), true) = (web_error, is_htmx) {
        // htmx follows a redirect inside the target; a full navigation is wanted.
        let to = to.clone();
        return Ok(res.into_response(
            HttpResponse::Ok()
                .insert_header(("HX-Redirect", to))
                .finish(),
        ));
    }
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(res);
    }
    // A handler that rendered its own 4xx page (a form with field messages,
    // the login page's 401) keeps it; only bare errors are dressed here.
    let bare = matches!(
        res.response().body().size(),
        actix_web::body::BodySize::None | actix_web::body::BodySize::Sized(0)
    );
    if res.response().error().is_none() && !bare {
        return Ok(res);
    }
    let info = match web_error {
        Some(e) => e.info(),
        None => {
            if let Some(other) = res.response().error() {
                if status.is_server_error() {
                    tracing::error!(error = %other, "request failed");
                } else {
                    tracing::debug!(error = %other, "request refused");
                }
            }
            info_for_status(status)
        }
    };
    if is_api {
        if web_error.is_some() {
            return Ok(res);
        }
        return Ok(res.into_response(json_response(&info)));
    }
    let response = if is_htmx {
        let body = ErrorToast { info: &info }
            .render()
            .unwrap_or_else(|_| info.message.clone());
        HttpResponse::build(info.status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("HX-Retarget", "#toast"))
            .insert_header(("HX-Reswap", "innerHTML"))
            .body(body)
    } else {
        let body = ErrorPage {
            info: &info,
            asset_version: super::assets::version(),
        }
        .render()
        .unwrap_or_else(|_| info.message.clone());
        HttpResponse::build(info.status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    };
    Ok(res.into_response(response))
}

/// A refused plain form post on an admin page goes back to the page it came
/// from with the refusal as a flash, instead of leaving for an error page
/// (htmx requests get the toast partial in `render_errors`). It runs inside
/// the session middleware, so the flash is saved with the session.
pub async fn refusals_back_to_page(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_session::SessionExt;
    let plain_post = req.method() == actix_web::http::Method::POST
        && req.path().starts_with("/admin/")
        && !super::extractors::Htmx::from_headers(req.headers()).request;
    if !plain_post {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let back = same_origin_referer(&req).unwrap_or_else(|| "/admin".to_owned());
    let session = req.get_session();
    let res = next.call(req).await?.map_into_boxed_body();
    let refused = res
        .response()
        .error()
        .and_then(|e| e.as_error::<WebError>())
        .filter(|e| {
            matches!(
                e,
                WebError::Conflict(_)
                    | WebError::Forbidden(_)
                    | WebError::Validation { .. }
                    | WebError::BadRequest(_)
                    | WebError::RateLimited(_)
            )
        })
        .map(|e| e.info());
    let Some(info) = refused else { return Ok(res) };
    let mut text = info.message.clone();
    for d in &info.details {
        text.push_str(&format!(" {} {}.", d.field, d.message));
    }
    super::shell::flash(&session, "error", text);
    Ok(res.into_response(super::see_other(&back)))
}

/// The path (and query) of the page that sent the request, if it is ours.
fn same_origin_referer(req: &ServiceRequest) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str()?),
        None => url.host_str()?.to_owned(),
    };
    if host != req.connection_info().host() {
        return None;
    }
    Some(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

/// Turns actix's own extractor errors (bad JSON, bad form, bad path) into
/// `WebError`s so they render like every other error.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            let web = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => WebError::PayloadTooLarge,
                JsonPayloadError::ContentType => {
                    WebError::BadRequest("Content-Type must be application/json.".into())
                }
                JsonPayloadError::Deserialize(e) => WebError::Validation {
                    message: format!("The JSON body is not valid: {e}"),
                    errors: ValidationErrors::single(
                        json_error_field(&e.to_string())
                            .as_deref()
                            .unwrap_or("body"),
                        e.to_string(),
                    ),
                },
                other => WebError::BadRequest(format!("The JSON body could not be read: {other}")),
            };
            web.into()
        })
}

/// serde reports `missing field `name`` / `unknown field `x``: name that field.
fn json_error_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

pub fn form_config() -> actix_web::web::FormConfig {
    actix_web::web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::UrlencodedError;
            let web = match &err {
                UrlencodedError::Overflow { .. } => WebError::PayloadTooLarge,
                other => WebError::BadRequest(format!("The form could not be read: {other}")),
            };
            web.into()
        })
}

pub fn path_config() -> actix_web::web::PathConfig {
    // A malformed id can name nothing that exists; in the API the path may
    // still be a literal one without this method (405).
    actix_web::web::PathConfig::default().error_handler(|_err, req| {
        if req.path().starts_with("/api/v1/") {
            super::api::methods::refusal(req).into()
        } else {
            WebError::NotFound.into()
        }
    })
}

pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default()
        .error_handler(|err, _req| WebError::BadRequest(format!("Bad query string: {err}")).into())
}
