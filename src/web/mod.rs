//! HTTP: handlers, extractors, templates' view models, and the middleware
//! that applies to every request (errors, CSRF, sessions, headers).
//!
//! Handlers stay thin: parse the request, call one service, render. Every
//! error goes through `error::WebError` and is rendered in one place.

pub mod admin;
pub mod api;
pub mod assets;
pub mod chart;
pub mod csrf;
pub mod error;
pub mod extractors;
pub mod headers;
pub mod origin;
pub mod pager;
pub mod portal;
pub mod session_store;
pub mod shell;
pub mod stats_view;
pub mod track;

use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::services::setup;
pub use error::WebError;

pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    pub link_cache: crate::services::link_cache::LinkCache,
    pub clicks: crate::services::clicks::ClickWriter,
    /// Group commit for `POST /api/v1/sales`.
    pub sales: crate::services::sales::SalesWriter,
    /// Hashes client addresses (keyed from the master secret).
    pub ip_mac: crate::services::crypto::MacKey,
    /// Signs the referral cookie a click leaves.
    pub referral_cookie_mac: crate::services::crypto::MacKey,
    /// Set once the first owner exists; never unset, so it can be cached.
    setup_done: AtomicBool,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        clicks: crate::services::clicks::ClickWriter,
    ) -> Self {
        use crate::services::crypto::{MacKey, derive_key};
        let ip_mac = MacKey::new(&derive_key(&config.secret_key, "ip-hash"));
        // Derived twice, as the first releases did: cookies already out
        // there stay valid.
        let referral_cookie_mac = MacKey::new(&derive_key(
            &derive_key(&config.secret_key, "referral-cookie"),
            "referral-cookie",
        ));
        let sales = crate::services::sales::SalesWriter::start(db.clone());
        let link_cache = crate::services::link_cache::LinkCache::for_database(&db);
        Self {
            db,
            config,
            link_cache,
            sales,
            clicks,
            ip_mac,
            referral_cookie_mac,
            setup_done: AtomicBool::new(false),
        }
    }

    pub async fn setup_done(&self) -> Result<bool, WebError> {
        if self.setup_done.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let done = setup::is_done(&self.db).await?;
        if done {
            self.setup_done.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }
}

/// Renders a template as an HTML response with the given status.
pub fn render(status: StatusCode, template: &impl Template) -> Result<HttpResponse, WebError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

pub fn page(template: &impl Template) -> Result<HttpResponse, WebError> {
    render(StatusCode::OK, template)
}

/// An htmx partial and a flash message the page shows as a toast
/// (`HX-Trigger: {"flash": …}`, picked up by app.js).
pub fn partial_with_flash(body: String, message: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "HX-Trigger",
            serde_json::json!({ "flash": message }).to_string(),
        ))
        .body(body)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{path:.*}", web::get().to(assets::serve))
        .route("/healthz", web::get().to(healthz))
        .route("/t.js", web::get().to(track::script))
        .service(
            web::resource("/api/track/visit")
                .route(web::post().to(track::track_visit))
                .route(web::method(actix_web::http::Method::OPTIONS).to(track::preflight)),
        )
        .service(
            web::resource("/api/track/lead")
                .route(web::post().to(track::track_lead))
                .route(web::method(actix_web::http::Method::OPTIONS).to(track::preflight)),
        )
        .route(
            "/webhooks/stripe/{store}",
            web::post().to(track::stripe_webhook),
        )
        .configure(api::routes)
        .configure(portal::routes)
        .configure(admin::routes);
}

async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    state.db.ping().await?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ok"))
}

#[cfg(test)]
mod tests {
    /// The web layer reads what services return (their re-exported read
    /// types), never the entities: a page or an API body that queried a
    /// table itself would skip the store scoping the services own.
    #[test]
    fn no_module_under_web_names_the_entities() {
        let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
        // Spelled in two pieces, so this file does not name it.
        let needle = ["crate", "entities"].join("::");
        let mut offenders = Vec::new();
        let mut stack = vec![web];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src/web is readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("readable");
                    if text.contains(&needle) {
                        offenders.push(path.display().to_string());
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "entities named under src/web: {offenders:?}"
        );
    }
}
