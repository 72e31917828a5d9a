//! Request extractors: who is asking (`Staff`, `ApiCaller`), from where
//! (`ClientIp`), what htmx says about the request (`Htmx`), and the page's
//! CSRF token.

use std::future::{Ready, ready};
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::header::HeaderMap;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use uuid::Uuid;

use super::AppState;
use super::csrf::CsrfToken;
use super::error::WebError;
use crate::domain::UserId;
use crate::services::stores::{self, StoreAccess};
use crate::services::{Actor, auth, sessions};

pub const STORE_KEY: &str = "store_id";

/// The client's address: the socket peer, or the first forwarded address
/// when `TRIBUTARY_TRUST_PROXY` says a proxy sets it.
pub struct ClientIp(pub String);

pub fn client_ip(req: &HttpRequest) -> String {
    let trust_proxy = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.trust_proxy);
    // Behind a proxy, the right-most X-Forwarded-For entry is the one the
    // proxy added; everything left of it was sent by the client.
    let forwarded = trust_proxy
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
        })
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let raw = forwarded.or_else(|| req.peer_addr().map(|a| a.ip().to_string()));
    let raw = raw.unwrap_or_else(|| "unknown".into());
    // "1.2.3.4:5678" → "1.2.3.4"; IPv6 "[::1]:80" → "::1".
    match raw.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().to_string(),
        Err(_) => raw.trim_matches(['[', ']']).to_owned(),
    }
}

impl FromRequest for ClientIp {
    type Error = WebError;
    type Future = Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientIp(client_ip(req))))
    }
}

/// What htmx says about a request, from its `HX-*` headers: whether htmx
/// sent it (a handler answers a partial then, a full page otherwise), the id
/// of the element it will swap, the id of the element that triggered it, and
/// the text typed into an `hx-prompt`. Kanidm's views read the same three.
#[derive(Debug, Clone, Default)]
pub struct Htmx {
    pub request: bool,
    pub target: Option<String>,
    pub trigger: Option<String>,
    pub prompt: Option<String>,
}

impl Htmx {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            request: headers.contains_key("hx-request"),
            target: text("hx-target"),
            trigger: text("hx-trigger"),
            prompt: text("hx-prompt"),
        }
    }
}

impl FromRequest for Htmx {
    type Error = WebError;
    type Future = Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Htmx::from_headers(req.headers())))
    }
}

pub fn csrf_token(req: &HttpRequest) -> String {
    req.extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

/// A signed-in staff member acting in their current store.
pub struct Staff {
    pub user_id: UserId,
    pub email: String,
    pub access: StoreAccess,
    pub stores: Vec<StoreAccess>,
    pub session: Session,
    pub csrf: String,
    pub ip: String,
}

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor::user(self.user_id.0, &self.email, Some(self.ip.clone()))
    }
}

/// Where to send someone who is not signed in: setup on a fresh install,
/// otherwise the login page, coming back here afterwards.
async fn sign_in_redirect(state: &AppState, req: &HttpRequest) -> WebError {
    match state.setup_done().await {
        Ok(false) => WebError::Redirect("/setup".into()),
        Ok(true) => {
            let back = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/admin");
            if req.method() == actix_web::http::Method::GET && back != "/admin" {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
                WebError::Redirect(format!("/login?next={encoded}"))
            } else {
                WebError::Redirect("/login".into())
            }
        }
        Err(e) => e,
    }
}

impl FromRequest for Staff {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .expect("AppState is registered")
                .clone();
            let session = req.get_session();
            let Some(user_id) = session.get::<Uuid>(sessions::USER_KEY)? else {
                return Err(sign_in_redirect(&state, &req).await);
            };
            let Some(user) = auth::session_user(&state.db, UserId(user_id)).await? else {
                session.purge();
                return Err(sign_in_redirect(&state, &req).await);
            };
            let stores = stores::stores_of(&state.db, UserId(user.id)).await?;
            let wanted = session.get::<Uuid>(STORE_KEY)?;
            let access = stores
                .iter()
                .find(|a| Some(a.store.id) == wanted)
                .or_else(|| stores.first())
                .cloned()
                .ok_or_else(|| {
                    WebError::Forbidden(
                        "Your account is not a member of any store. Ask an owner for an invitation link, or sign out.".into(),
                    )
                })?;
            Ok(Staff {
                user_id: UserId(user.id),
                email: user.email,
                access,
                stores,
                session,
                csrf: csrf_token(&req),
                ip: client_ip(&req),
            })
        })
    }
}
