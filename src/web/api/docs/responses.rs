//! The error answers every operation can give, declared in one place from
//! what the operation takes, so the document cannot forget one: every
//! operation needs an API key (401); a body or a query string can be
//! unreadable (400) or invalid (422), a body too large (413); a path with an
//! id can name nothing of this store (404, also for a malformed id: see
//! `web::error::extractor_config::path_config`).

use utoipa::openapi::Required;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

pub fn declare_standard_errors(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_id = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            declare(op, has_id);
        }
        if let Some(op) = item.post.as_mut() {
            declare_idempotency_key(op);
        }
    }
}

/// Every `POST /api/v1/*` takes an optional `Idempotency-Key`
/// (`web::api::idempotency`): 1–255 visible ASCII characters, 409 while the first request
/// with it runs, 422 when it comes back with another body.
fn declare_idempotency_key(op: &mut Operation) {
    let header = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the same key and body get the first answer back.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    op.parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(header));
    add(
        op,
        "409",
        "The request conflicts with the current state, or one with the same Idempotency-Key is still running.",
    );
    add(op, "422", "A field is not valid: `details` names it.");
}

fn declare(op: &mut Operation, has_id: bool) {
    let has_body = op.request_body.is_some();
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
    add(op, "401", "No API key, or one that is unknown or revoked.");
    if has_body || has_query {
        add(op, "400", "The body or the query string could not be read.");
        add(op, "422", "A field is not valid: `details` names it.");
    }
    if has_body {
        add(op, "413", "The body is over 256 KiB.");
    }
    if has_id {
        add(op, "404", "No such resource in this store.");
    }
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        });
}
