//! The public tracking surface: `GET /r/{token}` (and `/r/{store}/{token}`
//! when two stores share a token), the `t.js` script, the script's
//! `POST /api/track/visit|lead` (CORS, only from the store's own sites) and
//! `POST /webhooks/stripe/{store}`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;
use url::Url;
use uuid::Uuid;

use super::extractors::client_ip;
use super::{AppState, WebError};
use crate::domain::StoreId;
use crate::domain::bots::is_bot;
use crate::domain::campaign::Attribution;
use crate::domain::states::ReferralSource;
use crate::domain::visitor_cookie::{
    VISITOR_COOKIE, open_referral_cookie, referral_cookie_name, seal_referral_cookie,
};
use crate::domain::web_url::site_host;
use crate::entities::{campaign, referral, visit};
use crate::services::clicks::{ClickRecord, NewReferral};
use crate::services::link_cache::CachedLink;
use crate::services::referrals::{self, LeadInput};
use crate::services::stores;
use crate::services::stripe::{self, Outcome, WebhookError};

/// At most `max` characters (the click path: the common short case is a
/// plain copy).
fn truncate(s: Option<&str>, max: usize) -> Option<String> {
    let v = s.filter(|v| !v.is_empty())?;
    Some(if v.len() <= max {
        v.to_owned()
    } else {
        v.chars().take(max).collect()
    })
}

fn ip_hash(state: &AppState, req: &HttpRequest) -> String {
    state.ip_mac.hex_prefix(client_ip(req).as_bytes(), 16)
}

fn not_found_link() -> HttpResponse {
    HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Link not found</title><link rel=\"stylesheet\" href=\"/static/vendor/pico-2.1.1.min.css\"></head>\
<body><main class=\"container\" style=\"max-width:32rem;padding-top:4rem\"><h1>This link does not exist</h1>\
<p>The referral link you followed is not (or no longer) active. Check the address, or go straight to the shop.</p></main></body></html>",
    )
}

/// `via`, and for a recorded click `tb_ref` (its referral) and `tb_click`
/// (its visit), added to the destination, its own query kept. The
/// destination was parsed when it was saved and tokens are `[a-z0-9_-]`,
/// so plain string building is exact here (and cheap on the hot path).
fn destination_with(dest: &str, token: &str, click: Option<(Uuid, Uuid)>) -> String {
    let (base, fragment) = match dest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (dest, None),
    };
    let joiner = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = String::with_capacity(base.len() + token.len() + 112);
    out.push_str(base);
    out.push_str(joiner);
    out.push_str("via=");
    out.push_str(token);
    if let Some((referral, visit)) = click {
        let mut text = Uuid::encode_buffer();
        out.push_str("&tb_ref=");
        out.push_str(referral.hyphenated().encode_lower(&mut text));
        out.push_str("&tb_click=");
        out.push_str(visit.hyphenated().encode_lower(&mut text));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::destination_with;
    use uuid::Uuid;

    #[test]
    fn the_destination_keeps_its_query_and_fragment() {
        let (r, v) = (Uuid::nil(), Uuid::max());
        assert_eq!(
            destination_with("https://a.com/", "ann", None),
            "https://a.com/?via=ann"
        );
        assert_eq!(
            destination_with("https://a.com/p?x=1#top", "ann", Some((r, v))),
            format!("https://a.com/p?x=1&via=ann&tb_ref={r}&tb_click={v}#top")
        );
        assert_eq!(
            destination_with("https://a.com/p?", "ann", None),
            "https://a.com/p?via=ann"
        );
    }
}

pub async fn click(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = path.into_inner().to_ascii_lowercase();
    let candidates = state.link_cache.lookup(&state.db, &token).await?;
    // Two stores may use one token: the oldest link owns `/r/{token}`.
    match candidates.first() {
        Some(link) => Ok(follow(&state, &req, link, &token).await),
        None => Ok(not_found_link()),
    }
}

pub async fn click_in_store(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (slug, token) = path.into_inner();
    let token = token.to_ascii_lowercase();
    let candidates = state.link_cache.lookup(&state.db, &token).await?;
    match candidates.iter().find(|l| l.store_slug == slug) {
        Some(link) => Ok(follow(&state, &req, link, &token).await),
        None => Ok(not_found_link()),
    }
}

async fn follow(
    state: &AppState,
    req: &HttpRequest,
    link: &CachedLink,
    token: &str,
) -> HttpResponse {
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !link.earning || is_bot(user_agent) {
        return HttpResponse::Found()
            .insert_header((
                header::LOCATION,
                destination_with(&link.destination, token, None),
            ))
            .finish();
    }
    let now = Utc::now();
    let https = state.config.is_https();
    let visitor_id = req
        .cookie(VISITOR_COOKIE)
        .and_then(|c| Uuid::parse_str(c.value()).ok())
        .unwrap_or_else(Uuid::now_v7);
    let cookie_name = referral_cookie_name(link.store_id);
    let existing = match link.attribution {
        Attribution::FirstClick => req.cookie(&cookie_name).and_then(|c| {
            open_referral_cookie(&state.referral_cookie_mac, c.value(), link.store_id, now)
                .map(|held| held.id)
        }),
        Attribution::LastClick => None,
    };
    let expires_at = now + Duration::days(link.cookie_days as i64);
    let (referral_id, new_referral) = match existing {
        Some(id) => (id, None),
        None => {
            let id = Uuid::now_v7();
            (
                id,
                Some(NewReferral {
                    id,
                    affiliate_id: link.affiliate_id,
                    campaign_id: link.campaign_id,
                    visitor_id,
                    expires_at,
                    source: ReferralSource::Link,
                }),
            )
        }
    };
    let visit_id = Uuid::now_v7();
    let location = destination_with(&link.destination, token, Some((referral_id, visit_id)));
    state
        .clicks
        .record(ClickRecord {
            visit_id,
            store_id: link.store_id,
            link_id: link.link_id,
            referral_id,
            new_referral: new_referral.clone(),
            landing_url: truncate(Some(&location), 2048),
            referrer: truncate(
                req.headers()
                    .get(header::REFERER)
                    .and_then(|v| v.to_str().ok()),
                2048,
            ),
            user_agent: truncate(Some(user_agent), 512),
            ip_hash: Some(ip_hash(state, req)),
            at: now,
        })
        .await;
    let mut res = redirect(location);
    res.append_header((
        header::SET_COOKIE,
        click_cookie(
            VISITOR_COOKIE,
            &visitor_id.hyphenated().to_string(),
            730,
            https,
        ),
    ));
    if new_referral.is_some() {
        let sealed = seal_referral_cookie(
            &state.referral_cookie_mac,
            referral_id,
            link.store_id,
            expires_at,
        );
        res.append_header((
            header::SET_COOKIE,
            click_cookie(&cookie_name, &sealed, link.cookie_days.into(), https),
        ));
    }
    res.finish()
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

/// A click's redirect. The click route runs outside the app's middleware,
/// so the headers that matter for a redirect are set here.
fn redirect(location: String) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Found();
    res.insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "strict-origin-when-cross-origin"));
    res
}

static SCRIPT: &str = include_str!("../../static/t.js");

pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(SCRIPT)
}

/// The store named in a tracking call, if the calling page is one of its
/// sites (a campaign's website or a host allowed in Settings).
async fn store_for_origin(
    state: &AppState,
    req: &HttpRequest,
    slug: &str,
) -> Result<(crate::entities::store::Model, Option<String>), WebError> {
    let store = stores::find_by_slug(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        // Not a browser's cross-origin call (a server, a test): no CORS to grant.
        return Ok((store, None));
    };
    // Scheme, host (with or without www.) and port must all match a
    // campaign's website; a host listed in Settings must be https (or local).
    let Ok(origin_url) = Url::parse(&origin) else {
        return Err(WebError::Forbidden(
            "This site is not one of the store's websites.".into(),
        ));
    };
    let key = |u: &Url| {
        (
            u.scheme().to_owned(),
            site_host(u),
            u.port_or_known_default(),
        )
    };
    let origin_key = key(&origin_url);
    let campaigns = campaign::Entity::find()
        .filter(campaign::Column::StoreId.eq(store.id))
        .all(&state.db)
        .await?;
    let local = matches!(origin_key.1.as_str(), "localhost" | "127.0.0.1");
    let allowed = campaigns
        .iter()
        .any(|c| Url::parse(&c.website_url).is_ok_and(|u| key(&u) == origin_key))
        || ((origin_key.0 == "https" || local)
            && store
                .link_hosts
                .lines()
                .any(|h| h.trim().trim_start_matches("www.") == origin_key.1));
    if !allowed {
        return Err(WebError::Forbidden(
            "This site is not one of the store's websites.".into(),
        ));
    }
    Ok((store, Some(origin)))
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

/// The script's visit: records it (or confirms a referral `/r/` already
/// made) and says how long to keep the referral cookie.
pub async fn track_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: VisitBody =
        serde_json::from_slice(&body).map_err(|e| WebError::validation("body", e.to_string()))?;
    let (store, origin) = store_for_origin(&state, &req, &b.store).await?;
    let now = Utc::now();
    let find = |raw: Option<&str>| {
        let id = raw.and_then(|r| Uuid::parse_str(r.trim()).ok());
        let db = state.db.clone();
        let store_id = store.id;
        async move {
            match id {
                Some(id) => {
                    referral::Entity::find_by_id(id)
                        .filter(referral::Column::StoreId.eq(store_id))
                        .filter(referral::Column::ExpiresAt.gt(now))
                        .one(&db)
                        .await
                }
                None => Ok(None),
            }
        }
    };
    let click_id = b
        .redirect_click
        .as_deref()
        .and_then(|c| Uuid::parse_str(c.trim()).ok());
    if click_id.is_some() {
        // The click may still be in the writer's queue.
        state.clicks.flush().await;
    }
    let held = find(b.referral_id.as_deref()).await?;
    // `tb_ref` is taken only with its click (`tb_click`), fresh (the last
    // ten minutes): a `tb_ref` copied into a published address later is
    // ignored, so nobody can hand out their referral to strangers.
    let redirected = match (find(b.redirect_referral.as_deref()).await?, click_id) {
        (Some(r), Some(click_id)) => visit::Entity::find_by_id(click_id)
            .filter(visit::Column::ReferralId.eq(r.id))
            .filter(visit::Column::CreatedAt.gt(now - Duration::minutes(10)))
            .one(&state.db)
            .await?
            .map(|click| (r, click)),
        _ => None,
    };
    let token = b
        .via
        .as_deref()
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty());
    let link = match &token {
        Some(t) => state
            .link_cache
            .lookup(&state.db, t)
            .await?
            .iter()
            .find(|l| l.store_id == store.id)
            .cloned(),
        None => None,
    };
    let days_left = |expires: chrono::DateTime<Utc>| {
        ((expires - now).num_seconds() as f64 / 86_400.0)
            .ceil()
            .max(1.0) as i64
    };
    let answer = |referral: Option<Uuid>, days: i64| {
        with_cors(
            HttpResponse::Ok().json(json!({"referral_id": referral, "cookie_days": days})),
            origin.clone(),
        )
    };
    if let Some((r, click)) = redirected {
        // `/r/` recorded the click already. First click: the page's own,
        // older referral stays; last click: the new one wins.
        let first_click = link
            .as_ref()
            .is_none_or(|l| l.attribution == Attribution::FirstClick);
        if let Some(h) = held
            .as_ref()
            .filter(|h| first_click && h.created_at < r.created_at)
        {
            return Ok(answer(Some(h.id), days_left(h.expires_at)));
        }
        // A click is one browser's: the first page to take its `tb_ref`
        // claims the click, so even a fresh address copied and published
        // reaches nobody else; a stranger is treated as arriving by `via`
        // alone. The page that holds the referral, or a reload from the
        // clicking address before the cookie was kept (consent mode),
        // takes it again. Every click is its own claim, so a visitor's
        // later click that brings back their first-click referral is
        // adopted too.
        let own = held.as_ref().is_some_and(|h| h.id == r.id);
        let same_address = || click.ip_hash.as_deref() == Some(ip_hash(&state, &req).as_str());
        if own || referrals::adopt_click(&state.db, click.id, now).await? || same_address() {
            return Ok(answer(Some(r.id), days_left(r.expires_at)));
        }
    }
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(link) = link.filter(|l| l.earning && !is_bot(user_agent)) else {
        // Nothing new to record: confirm what the page holds, if valid.
        return Ok(match held {
            Some(r) => answer(Some(r.id), days_left(r.expires_at)),
            None => answer(None, 0),
        });
    };
    // A `?via=` visit: first click keeps the page's referral (recording the
    // visit under it); otherwise a new referral.
    if let (Some(r), Attribution::FirstClick) = (&held, link.attribution) {
        state
            .clicks
            .record(visit_record(&state, &req, &link, r.id, None, &b, now))
            .await;
        return Ok(answer(Some(r.id), days_left(r.expires_at)));
    }
    let id = Uuid::now_v7();
    let expires_at = now + Duration::days(link.cookie_days as i64);
    let new = NewReferral {
        id,
        affiliate_id: link.affiliate_id,
        campaign_id: link.campaign_id,
        visitor_id: Uuid::now_v7(),
        expires_at,
        source: ReferralSource::Script,
    };
    state
        .clicks
        .record(visit_record(&state, &req, &link, id, Some(new), &b, now))
        .await;
    Ok(answer(Some(id), link.cookie_days as i64))
}

fn visit_record(
    state: &AppState,
    req: &HttpRequest,
    link: &CachedLink,
    referral_id: Uuid,
    new: Option<NewReferral>,
    b: &VisitBody,
    now: chrono::DateTime<Utc>,
) -> ClickRecord {
    ClickRecord {
        visit_id: Uuid::now_v7(),
        store_id: link.store_id,
        link_id: link.link_id,
        referral_id,
        new_referral: new,
        landing_url: truncate(b.landing_url.as_deref(), 2048),
        referrer: truncate(b.referrer.as_deref(), 2048),
        user_agent: truncate(
            req.headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok()),
            512,
        ),
        ip_hash: Some(ip_hash(state, req)),
        at: now,
    }
}

#[derive(Deserialize)]
struct LeadBody {
    store: String,
    referral_id: Option<String>,
    email: Option<String>,
}

/// `Tributary.lead({email})` from the store's page.
pub async fn track_lead(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let b: LeadBody =
        serde_json::from_slice(&body).map_err(|e| WebError::validation("body", e.to_string()))?;
    let (store, origin) = store_for_origin(&state, &req, &b.store).await?;
    if origin.is_none() {
        // Only the store's own pages call this; servers use `POST /api/v1/leads`.
        return Err(WebError::Forbidden(
            "Leads from the tracking script must come from the store's website.".into(),
        ));
    }
    // Clicks may still sit in the writer's queue.
    state.clicks.flush().await;
    let updated = referrals::record_lead(
        &state.db,
        StoreId(store.id),
        LeadInput {
            referral_id: b.referral_id,
            visitor_id: None,
            email: b.email.unwrap_or_default(),
            external_customer_id: None,
            from_browser: true,
        },
    )
    .await?;
    Ok(with_cors(
        HttpResponse::Ok().json(json!({"referral_id": updated.id, "state": updated.state})),
        origin,
    ))
}

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
