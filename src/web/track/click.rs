//! `GET /r/{token}` and `/r/{store}/{token}` (both with an optional deep
//! link `?to=<address or /path>`): the hot path
//! (`services::tracking::click`), answered with a redirect and the click's
//! cookies.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{TrackedRequest, tracking};
use crate::domain::visitor_cookie::{VISITOR_COOKIE, VISITOR_COOKIE_DAYS};
use crate::services::tracking::click::{self, ClickOutcome, RecordedClick};
use crate::web::{AppState, WebError};

pub async fn click(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = path.into_inner().to_ascii_lowercase();
    let caller = TrackedRequest {
        req: &req,
        state: &state,
    };
    let to = deep_link(&req);
    let outcome = click::follow(&tracking(&state), None, &token, to.as_deref(), &caller).await?;
    Ok(respond(&state, outcome))
}

pub async fn click_in_store(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (slug, token) = path.into_inner();
    let token = token.to_ascii_lowercase();
    let caller = TrackedRequest {
        req: &req,
        state: &state,
    };
    let to = deep_link(&req);
    let outcome = click::follow(
        &tracking(&state),
        Some(&slug),
        &token,
        to.as_deref(),
        &caller,
    )
    .await?;
    Ok(respond(&state, outcome))
}

/// The `to` query parameter, decoded; most clicks have no query at all.
fn deep_link(req: &HttpRequest) -> Option<Cow<'_, str>> {
    let query = req.query_string();
    if query.is_empty() {
        return None;
    }
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "to")
        .map(|(_, v)| v)
}

fn respond(state: &AppState, outcome: ClickOutcome) -> HttpResponse {
    match outcome {
        ClickOutcome::NotFound => not_found_link(),
        ClickOutcome::Redirect(location) => HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish(),
        ClickOutcome::Recorded(RecordedClick {
            location,
            visitor_id,
            referral_cookie,
            ..
        }) => {
            let https = state.config.is_https();
            let mut res = redirect(location);
            res.append_header((
                header::SET_COOKIE,
                click_cookie(
                    VISITOR_COOKIE,
                    &visitor_id.hyphenated().to_string(),
                    VISITOR_COOKIE_DAYS,
                    https,
                ),
            ));
            if let Some(c) = referral_cookie {
                res.append_header((
                    header::SET_COOKIE,
                    click_cookie(&c.name, &c.value, c.days, https),
                ));
            }
            res.finish()
        }
    }
}

fn not_found_link() -> HttpResponse {
    HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Link not found</title><link rel=\"stylesheet\" href=\"/static/vendor/pico-2.1.1.min.css\"></head>\
<body><main class=\"container\" style=\"max-width:32rem;padding-top:4rem\"><h1>This link does not exist</h1>\
<p>The referral link you followed is not (or no longer) active. Check the address, or go straight to the shop.</p></main></body></html>",
    )
}

/// A `Set-Cookie` value for the click's cookies, written out directly: the
/// names and values are ours (`[a-z0-9_.-]`), so no escaping is needed, and
/// this runs on every click.
fn click_cookie(name: &str, value: &str, days: i64, https: bool) -> String {
    format!(
        "{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{}",
        days.saturating_mul(86_400),
        if https { "; Secure" } else { "" }
    )
}

/// A counted click's redirect. The click route runs outside the app's
/// middleware, so the headers that matter for a redirect are set here.
fn redirect(location: String) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Found();
    res.insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "strict-origin-when-cross-origin"));
    res
}
