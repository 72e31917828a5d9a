//! The public tracking surface: `GET /r/{token}` (and `/r/{store}/{token}`
//! when two stores share a token), the `t.js` script, the script's
//! `POST /api/track/visit|lead` (CORS, only from the store's own sites) and
//! `POST /webhooks/stripe/{store}`. The rules live in
//! `services::tracking` and `domain::attribution`: these handlers parse the
//! request, call one use case and map its outcome onto a response.

mod click;
mod lead;
mod script;
mod stripe;
mod visit;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

pub use click::{click, click_in_store};
pub use lead::track_lead;
pub use script::script;
pub use stripe::stripe_webhook;
pub use visit::track_visit;

use super::AppState;
use super::extractors::client_ip;
use crate::services::tracking::{Caller, Tracking};

fn tracking(state: &AppState) -> Tracking<'_> {
    Tracking {
        db: &state.db,
        links: &state.link_cache,
        clicks: &state.clicks,
        cookie_key: &state.referral_cookie_mac,
    }
}

/// The request, read only as far as the use case asks.
struct TrackedRequest<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
}

impl Caller for TrackedRequest<'_> {
    fn user_agent(&self) -> &str {
        self.header(header::USER_AGENT).unwrap_or("")
    }

    fn referrer(&self) -> Option<&str> {
        self.header(header::REFERER)
    }

    fn cookie<R>(&self, name: &str, read: impl FnOnce(&str) -> Option<R>) -> Option<R> {
        // Read in place: `HttpRequest::cookie` would copy it.
        let cookies = self.req.cookies().ok()?;
        read(cookies.iter().find(|c| c.name() == name)?.value())
    }

    fn ip_hash(&self) -> String {
        self.state
            .ip_mac
            .hex_prefix(client_ip(self.req).as_bytes(), 16)
    }
}

impl TrackedRequest<'_> {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.req.headers().get(name).and_then(|v| v.to_str().ok())
    }
}

/// The calling page's origin: the script's calls are cross-origin.
fn origin(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
}

fn with_cors(mut res: HttpResponse, origin: Option<String>) -> HttpResponse {
    if let Some(origin) = origin
        && let Ok(value) = header::HeaderValue::from_str(&origin)
    {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        h.insert(header::VARY, header::HeaderValue::from_static("Origin"));
    }
    res
}

/// The script sends only simple requests (text/plain POSTs), so no
/// preflight is needed; one gets an answer that allows nothing.
pub async fn preflight() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
