//! `GET /t.js`: the tracking script the store embeds (static/t.js).

use actix_web::HttpResponse;
use actix_web::http::header;

static SCRIPT: &str = include_str!("../../../static/t.js");

pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(SCRIPT)
}
