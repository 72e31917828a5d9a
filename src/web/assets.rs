//! Static assets embedded in the binary (no files to deploy, no CDN).
//! URLs carry a version derived from the assets' content, so they can be
//! cached for a year and still change on upgrade.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    let mut names: Vec<_> = Assets::iter().collect();
    names.sort();
    for name in names {
        if let Some(file) = Assets::get(&name) {
            hasher.update(name.as_bytes());
            hasher.update(file.metadata.sha256_hash());
        }
    }
    hex::encode(&hasher.finalize()[..6])
});

/// The content version appended to asset URLs (`?v=`).
pub fn version() -> &'static str {
    &VERSION
}

pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let Some(file) = Assets::get(path.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(file.data.into_owned())
}
