//! `/api/v1` resources, one module each.

mod me;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me::show));
}
