//! The REST API (DESIGN §7): JSON only, `Authorization: Bearer <key>`,
//! errors as `{"error": {code, message, details}}`.

pub mod auth;
pub mod v1;

use actix_web::web;

use super::WebError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(v1::routes)
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(WebError::NotFound)
            })),
    );
}
