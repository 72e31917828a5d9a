//! CSRF protection for every state-changing request outside the API.
//!
//! Two independent checks, both required:
//! 1. Fetch metadata / origin: `Sec-Fetch-Site` must be same-origin (or none)
//!    and `Origin`, when sent, must be this site.
//! 2. A token (double-submit, bound to the session): a random value in an
//!    HttpOnly, SameSite=Lax cookie (`__Host-` prefixed under https) must
//!    come back in the `csrf_token` form field or the `X-CSRF-Token` header
//!    (htmx sends it from `hx-headers` on `<body>`). A session that holds
//!    any state (signed in, or carrying a flash) also keeps its token in
//!    the session, and only that token passes: a cookie-and-token pair
//!    planted from another session (a sibling subdomain can set cookies on
//!    our host) is refused. Signing in (the session is renewed) issues a new
//!    token; signing out (purged) too. A visitor with no session yet (the
//!    sign-in form) is checked by the plain double submit and the origin.
//!
//! Lax, not Strict: a Strict cookie is withheld on arrival from another
//! site (a magic sign-in link opened from a mail client, a bookmark in some
//! browsers), and minting a new one then would break forms open in other
//! tabs. Lax still withholds it from cross-site POSTs, which is what counts.
//!
//! Runs inside the session middleware, so it reads the session before the
//! handler and binds a token after it, before the session is saved.
//!
//! API routes (`/api/v1`, `/api/track`, `/webhooks`) authenticate by key or
//! signature and carry no cookies' authority, so they are exempt.

use actix_session::{SessionExt, SessionStatus};
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
/// Where a session keeps the one token it accepts.
const SESSION_KEY: &str = "csrf";
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
    let session = req.get_session();
    let bound = session.get::<String>(SESSION_KEY).ok().flatten();
    let has_state = !session.entries().is_empty();
    // `valid`: the cookie's token may authorise this request; `set_cookie`:
    // the browser must be given `token`.
    let (token, valid, mut set_cookie) = match (bound, existing) {
        // The session's own token, and the cookie agrees.
        (Some(b), Some(c)) if crypto::constant_time_eq(b.as_bytes(), c.as_bytes()) => {
            (b, true, false)
        }
        // A cookie that is not this session's (planted, or left by another
        // session): refused, and replaced by the session's.
        (Some(b), _) => (b, false, true),
        // A session from before tokens were bound: refused once, bound below.
        (None, c) if has_state => match c {
            Some(c) => (c, false, false),
            None => (crypto::random_token(32), false, true),
        },
        (None, Some(c)) => (c, true, false),
        (None, None) => (crypto::random_token(32), false, true),
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
        let ok = valid
            && presented
                .as_deref()
                .is_some_and(|p| crypto::constant_time_eq(p.as_bytes(), token.as_bytes()));
        if !ok {
            // A session from before tokens were bound keeps this one, so
            // the reload the message asks for works; the next page sets the
            // cookie to the session's token.
            bind(&session, &token);
            return Ok(req.error_response(WebError::Forbidden(
                "The form's security token is missing or out of date. Reload the page and try again."
                    .into(),
            )));
        }
    }

    let mut res = next.call(req).await?.map_into_boxed_body();
    let token = match session.status() {
        // Signed out: the next visitor of this browser starts afresh.
        SessionStatus::Purged => {
            set_cookie = true;
            crypto::random_token(32)
        }
        // Signed in (or the password changed): a new session, a new token.
        SessionStatus::Renewed => {
            let fresh = crypto::random_token(32);
            bind(&session, &fresh);
            set_cookie = true;
            fresh
        }
        // The session keeps the token its pages were just rendered with.
        _ => {
            bind(&session, &token);
            token
        }
    };
    if set_cookie {
        res.response_mut()
            .add_cookie(&build_cookie(token, https))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(res)
}

/// Keeps `token` as the session's own, if the session holds anything (an
/// empty session is not stored, and must not be made to be).
fn bind(session: &actix_session::Session, token: &str) {
    let current = session.get::<String>(SESSION_KEY).ok().flatten();
    if current.as_deref() == Some(token) {
        return;
    }
    let others = session.entries().keys().any(|k| k != SESSION_KEY);
    if others && session.insert(SESSION_KEY, token).is_err() {
        tracing::warn!("the CSRF token could not be kept in the session");
    }
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
