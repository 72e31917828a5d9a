//! The OpenAPI document, generated once from the registered handlers, and a
//! docs page that renders it with Swagger UI (vendored from npm, embedded).

mod constraints;
mod examples;
mod responses;

use std::sync::LazyLock;

use actix_web::{App, HttpResponse};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi as OpenApiDoc, RefOr, Server};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::domain::affiliate::StatusAction;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tributary API",
        version = "1",
        description = "The REST API of one store's affiliate program: the store is the one the API \
key belongs to (`GET /api/v1/me`), sent as `Authorization: Bearer <key>`. Resources: campaigns, \
affiliates (with their status moves, balance, recorded payouts, adjustments and portal sign-on \
links), links, coupons, referrals and leads, sales and their refunds, commissions (with totals), \
payouts and store credits.\n\n\
Lists are newest first, paged with `limit` (1-100, default 25) and `starting_after` (the last id \
of the previous page): `{\"data\": [...], \"has_more\", \"next_cursor\"}`. Updates are partial \
(`PATCH`, or `PUT` with the same meaning): absent fields stay as they are. Money is a decimal \
string in the store's currency (`\"49.00\"`), with `currency` beside it; requests take a string \
or a number, read exactly (more decimals than the currency has is a 422). Times are RFC 3339, \
UTC. Every `POST` takes an optional `Idempotency-Key`: a retry with the same key and body gets \
the first answer back.\n\n\
Errors are `{\"error\": {\"code\", \"message\", \"details\": [{\"field\", \"message\"}]}}` \
with the codes `bad_request` (400: unreadable JSON or query), `unauthorized` (401), `not_found` \
(404, also for another store's ids), `method_not_allowed` (405), `conflict` (409: the current \
state refuses it), `payload_too_large` (413, over 256 KiB), `validation_failed` (422: `details` \
names each field) and `internal` (500, the cause is in the server's log)."
    ),
    paths(super::v1::affiliates::change_status),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document, built from the same `v1::routes` the server registers.
pub static OPENAPI: LazyLock<OpenApiDoc> = LazyLock::new(|| {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(super::v1::routes))
        .split_for_parts();
    doc.servers = Some(vec![Server::new("/")]);
    expand_status_moves(&mut doc);
    responses::declare_standard_errors(&mut doc);
    constraints::declare(&mut doc);
    examples::declare(&mut doc);
    doc
});

/// The status moves are one route in the server, their words taken from
/// `StatusAction`; the document lists one operation per word, as DESIGN §7
/// names them, each a copy of the route's template.
fn expand_status_moves(doc: &mut OpenApiDoc) {
    let template = doc
        .paths
        .paths
        .remove("/api/v1/affiliates/{id}/{action}")
        .expect("the status moves are documented");
    for action in StatusAction::ALL {
        let mut item = template.clone();
        if let Some(op) = item.post.as_mut() {
            op.operation_id = Some(action.as_str().to_owned());
            if let Some(params) = op.parameters.as_mut() {
                params.retain(|p| !matches!(p, RefOr::T(p) if p.name == "action"));
            }
        }
        doc.paths.paths.insert(
            format!("/api/v1/affiliates/{{id}}/{}", action.as_str()),
            item,
        );
    }
}

static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    OPENAPI
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
});

/// Public like the docs page: it describes the API, not any store's data.
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(OPENAPI_JSON.as_str())
}

pub async fn page() -> HttpResponse {
    let v = crate::web::assets::version();
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary API</title>
<link rel="icon" href="/static/favicon.svg?v={v}" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui-5.35.0/swagger-ui.css?v={v}">
</head>
<body>
<div id="swagger-ui" data-spec-url="/api/v1/openapi.json"></div>
<script src="/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js?v={v}"></script>
<script src="/static/api-docs.js?v={v}"></script>
</body>
</html>"#
    );
    // Swagger UI sets style attributes as it renders, so this one page allows
    // inline styles; scripts stay 'self' only, as everywhere else.
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .body(html)
}
