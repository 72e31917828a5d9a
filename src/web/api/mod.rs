//! The REST API (DESIGN §7): JSON only, `Authorization: Bearer <key>`,
//! errors as `{"error": {code, message, details}}`, an OpenAPI 3.1 document
//! generated from the handlers at `/api/v1/openapi.json`, and a docs page at
//! `/api/docs`.

pub mod auth;
pub mod docs;
pub mod idempotency;
pub mod json;
pub mod methods;
pub mod v1;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/docs", web::get().to(docs::page)).service(
        utoipa_actix_web::scope("/api/v1")
            .route("/openapi.json", web::get().to(docs::openapi_json))
            .configure(v1::routes)
            .default_service(web::to(methods::unrouted)),
    );
}
