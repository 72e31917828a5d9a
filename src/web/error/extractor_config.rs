//! actix's own extractor errors (bad JSON, form, path or query) as
//! `WebError`s, so they render like every other error.

use super::WebError;
use crate::domain::ValidationErrors;

/// Turns actix's own extractor errors (bad JSON, bad form, bad path) into
/// `WebError`s so they render like every other error.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            let web = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => WebError::PayloadTooLarge,
                JsonPayloadError::ContentType => {
                    WebError::BadRequest("Content-Type must be application/json.".into())
                }
                JsonPayloadError::Deserialize(e) => WebError::Validation {
                    message: format!("The JSON body is not valid: {e}"),
                    errors: ValidationErrors::single(
                        json_error_field(&e.to_string())
                            .as_deref()
                            .unwrap_or("body"),
                        e.to_string(),
                    ),
                },
                other => WebError::BadRequest(format!("The JSON body could not be read: {other}")),
            };
            web.into()
        })
}

/// serde reports `missing field `name`` / `unknown field `x``: name that field.
fn json_error_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}

pub fn form_config() -> actix_web::web::FormConfig {
    actix_web::web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::UrlencodedError;
            let web = match &err {
                UrlencodedError::Overflow { .. } => WebError::PayloadTooLarge,
                other => WebError::BadRequest(format!("The form could not be read: {other}")),
            };
            web.into()
        })
}

pub fn path_config() -> actix_web::web::PathConfig {
    // A malformed id can name nothing that exists; in the API the path may
    // still be a literal one without this method (405).
    actix_web::web::PathConfig::default().error_handler(|_err, req| {
        if req.path().starts_with("/api/v1/") {
            crate::web::api::methods::refusal(req).into()
        } else {
            WebError::NotFound.into()
        }
    })
}

pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default()
        .error_handler(|err, _req| WebError::BadRequest(format!("Bad query string: {err}")).into())
}
