//! CSRF protection for every state-changing request outside the API.
//!
//! Two independent checks, both required:
//! 1. Fetch metadata / origin: `Sec-Fetch-Site` must be same-origin (or none)
//!    and `Origin`, when sent, must be this site.
//! 2. A token (double-submit): a random value in an HttpOnly, SameSite=Strict
//!    cookie (`__Host-` prefixed under https) must come back in the
//!    `csrf_token` form field or the `X-CSRF-Token` header (htmx sends it from
//!    `hx-headers` on `<body>`). A cross-site page can neither read the cookie
//!    nor set it on our host, so it cannot produce a matching pair. (Lax, not
//!    Strict: a Strict cookie is withheld on arrival from another site, and
//!    minting a new one then would break forms open in other tabs.)
//!
//! API routes (`/api/v1`, `/api/track`, `/webhooks`) authenticate by key or
//! signature and carry no cookies' authority, so they are exempt.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use futures_util::StreamExt;

use super::AppState;
use super::error::{WebError, is_api_path};
use crate::services::crypto;

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The token for this request, for templates (`shell.csrf`).
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-tributary_csrf"
    } else {
        "tributary_csrf"
    }
}

pub fn build_cookie(value: String, https: bool) -> Cookie<'static> {
    Cookie::build(cookie_name(https), value)
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .finish()
}

fn valid_token_shape(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered")
        .clone();
    let https = state.config.is_https();
    let path = req.path().to_owned();
    // The API, webhooks and the public tracking surface carry no cookie
    // authority (and the click path must stay cheap).
    if is_api_path(&path)
        || path.starts_with("/static/")
        || path.starts_with("/r/")
        || path == "/t.js"
    {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }

    let existing = req
        .cookie(cookie_name(https))
        .map(|c| c.value().to_owned())
        .filter(|v| valid_token_shape(v));
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (crypto::random_token(32), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));

    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        if let Err(reason) = check_origin(&req, &state) {
            tracing::warn!(%reason, path = %path, "cross-site request refused");
            return Ok(req.error_response(WebError::Forbidden(
                "This request came from another site and was refused.".into(),
            )));
        }
        let presented = match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
            Some(value) => Some(value.to_owned()),
            None => match token_from_form(&mut req).await {
                Ok(token) => token,
                Err(err) => return Ok(req.error_response(err)),
            },
        };
        let ok = !fresh
            && presented
                .as_deref()
                .is_some_and(|p| crypto::constant_time_eq(p.as_bytes(), token.as_bytes()));
        if !ok {
            return Ok(req.error_response(WebError::Forbidden(
                "The form's security token is missing or out of date. Reload the page and try again."
                    .into(),
            )));
        }
    }

    let mut res = next.call(req).await?.map_into_boxed_body();
    if fresh {
        res.response_mut()
            .add_cookie(&build_cookie(token, https))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(res)
}

fn check_origin(req: &ServiceRequest, state: &AppState) -> Result<(), String> {
    if let Some(site) = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(format!("Sec-Fetch-Site: {site}"));
    }
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        // Old browsers and non-browser clients; the token still applies.
        return Ok(());
    };
    let public = state.config.public_url.origin().ascii_serialization();
    if origin == public {
        return Ok(());
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    // Someone browsing a local install as http://localhost:8080 while the
    // public URL says 127.0.0.1 is the same site. Only loopback names qualify:
    // trusting any Host would let a DNS-rebinding page pass as this site.
    if !host.is_empty() && origin_host == host && is_loopback_host(host) {
        return Ok(());
    }
    Err(format!("Origin {origin} is not this site"))
}

fn is_loopback_host(host_port: &str) -> bool {
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host_port,
    };
    let host = host.trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Reads `csrf_token` from a urlencoded body and puts the body back for the
/// handler.
async fn token_from_form(req: &mut ServiceRequest) -> Result<Option<String>, WebError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(None);
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| WebError::BadRequest(format!("The body could not be read: {e}")))?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(WebError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let token = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == FORM_FIELD)
        .map(|(_, v)| v.into_owned());
    req.set_payload(Payload::from(body));
    Ok(token)
}
