//! The admin app: server-rendered pages for store staff, with htmx for
//! in-place changes. One file per area; each handler calls one service.

mod account;
mod api_keys;
mod audit;
mod auth;
mod dashboard;
mod settings;
mod team;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(dashboard::root))
        .service(
            web::resource("/setup")
                .route(web::get().to(auth::setup_form))
                .route(web::post().to(auth::setup_submit)),
        )
        .service(
            web::resource("/login")
                .route(web::get().to(auth::login_form))
                .route(web::post().to(auth::login_submit)),
        )
        .route("/logout", web::post().to(auth::logout))
        .route("/admin", web::get().to(dashboard::show))
        .route(
            "/admin/stores/switch",
            web::post().to(dashboard::switch_store),
        )
        .route("/admin/team", web::get().to(team::index))
        .route("/admin/team/members", web::post().to(team::add))
        .route(
            "/admin/team/members/{id}/role",
            web::post().to(team::change_role),
        )
        .route(
            "/admin/team/members/{id}/remove",
            web::post().to(team::remove),
        )
        .service(
            web::resource("/admin/settings")
                .route(web::get().to(settings::form))
                .route(web::post().to(settings::submit)),
        )
        .route("/admin/account", web::get().to(account::show))
        .route(
            "/admin/account/password",
            web::post().to(account::change_password),
        )
        .service(
            web::resource("/admin/api-keys")
                .route(web::get().to(api_keys::index))
                .route(web::post().to(api_keys::create)),
        )
        .route(
            "/admin/api-keys/{id}/revoke",
            web::post().to(api_keys::revoke),
        )
        .route("/admin/audit", web::get().to(audit::index));
}
