//! The affiliate portal, per store under `/a/{store slug}/` (DESIGN §5):
//! join, log in (password, magic link, password reset, SSO), the home page
//! with its link builder, and the read-only "view as affiliate" for staff.
//! See `docs/portal.md`.
//!
//! Every page is scoped by the path's store and, once signed in, by the
//! `CurrentAffiliate` (`principal`): another store's or affiliate's ids are
//! a 404 or the login page. The scope's middleware (`guard`) refuses every
//! state-changing request while a staff member views as an affiliate (the
//! link builder's POST changes nothing and stays open), and widens the
//! image policy for the store's https logo.

mod dashboard;
mod exports;
mod home;
mod join;
mod link_builder;
mod links;
mod lists;
mod login;
pub mod principal;
mod settings;
pub mod shell;
mod view_as;

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpResponse, web};

use crate::services::sessions;
use crate::web::{AppState, WebError};
pub use principal::CurrentAffiliate;

/// The app's CSP with one change: images may come from any https origin
/// (the store's logo is an https URL set on Settings).
const PORTAL_CSP: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/a/{slug}", web::get().to(home::to_home))
        .service(
            web::scope("/a/{slug}")
                .wrap(from_fn(guard))
                .route("/", web::get().to(home::home))
                .route("/theme.css", web::get().to(theme_css))
                .route("/status", web::get().to(home::status))
                .route("/commissions", web::get().to(lists::commissions))
                .route("/commissions.csv", web::get().to(exports::commissions))
                .route("/payouts", web::get().to(lists::payouts))
                .route("/payouts.csv", web::get().to(exports::payouts))
                .route("/customers", web::get().to(lists::customers))
                .route("/deep_link", web::post().to(link_builder::deep_link))
                .route("/links", web::post().to(link_builder::create_link))
                .service(
                    web::resource("/join")
                        .route(web::get().to(join::form))
                        .route(web::post().to(join::submit)),
                )
                .service(
                    web::resource("/join/{campaign_id}")
                        .route(web::get().to(join::form_for_campaign))
                        .route(web::post().to(join::submit_for_campaign)),
                )
                .service(
                    web::resource("/login")
                        .route(web::get().to(login::form))
                        .route(web::post().to(login::submit)),
                )
                .route("/logout", web::post().to(login::logout))
                .service(
                    web::resource("/login/link")
                        .route(web::get().to(links::magic_form))
                        .route(web::post().to(links::magic_request)),
                )
                .service(
                    web::resource("/login/{token}")
                        .route(web::get().to(links::login_confirm))
                        .route(web::post().to(links::login_with_link)),
                )
                .service(
                    web::resource("/password/forgot")
                        .route(web::get().to(links::reset_form))
                        .route(web::post().to(links::reset_request)),
                )
                .service(
                    web::resource("/password/{token}")
                        .route(web::get().to(links::password_form))
                        .route(web::post().to(links::password_submit)),
                )
                .route("/view_as/exit", web::post().to(view_as::exit))
                .route("/settings", web::get().to(settings::show))
                .route("/settings/profile", web::post().to(settings::save_profile))
                .route(
                    "/settings/notifications",
                    web::post().to(settings::save_notifications),
                )
                .route(
                    "/settings/password",
                    web::post().to(settings::change_password),
                ),
        );
}

/// Whether this session only views as an affiliate (a staff session with
/// the view-as key and no affiliate sign-in of its own).
fn viewing_as(req: &ServiceRequest) -> bool {
    let session = req.get_session();
    let entries = session.entries();
    entries.contains_key(principal::VIEW_AS_KEY) && !entries.contains_key(sessions::AFFILIATE_KEY)
}

/// The page of a portal path: what follows `/a/{slug}/`.
fn page_of(path: &str) -> Option<&str> {
    path.strip_prefix("/a/")?
        .split_once('/')
        .map(|(_, page)| page)
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && viewing_as(&req) {
        match page_of(req.path()) {
            // Leaving the view, and the link builder: a POST that writes
            // nothing (it only shows a deep link on the affiliate's link).
            Some("view_as/exit" | "deep_link") => {}
            Some("links") => {
                return Ok(
                    req.error_response(WebError::Forbidden(principal::READ_ONLY_LINKS.into()))
                );
            }
            _ => {
                return Ok(req.error_response(WebError::Forbidden(principal::READ_ONLY.into())));
            }
        }
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PORTAL_CSP),
    );
    Ok(res)
}

/// The store's accent colour as Pico's primary colour. The value is
/// `#rrggbb` by construction (`domain::portal::parse_accent_color`), so
/// nothing else can be written into the stylesheet.
async fn theme_css(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, WebError> {
    let store = principal::path_store(&state, &req).await?;
    let body = match store.accent_color {
        Some(c) => format!(
            ":root, [data-theme] {{ --pico-primary: {c}; --pico-primary-background: {c}; \
--pico-primary-border: {c}; --pico-primary-underline: {c}; --pico-primary-hover: {c}; \
--pico-primary-hover-background: {c}; --pico-primary-hover-border: {c}; \
--pico-primary-focus: {c}55; }}\n.portal-brand {{ color: {c}; }}\n"
        ),
        None => String::new(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body))
}
