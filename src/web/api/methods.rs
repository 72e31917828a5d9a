//! What `/api/v1` answers when no route takes a request: 405 with an
//! `Allow` header when the path is one the document lists (TRACE, OPTIONS, a
//! verb the resource does not have), 404 otherwise. Decided here once, from
//! the OpenAPI document itself, so the answer always agrees with it.

use actix_web::{HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::PathItem;

use super::docs::OPENAPI;
use crate::web::WebError;

pub async fn unrouted(req: HttpRequest) -> HttpResponse {
    refusal(&req).error_response()
}

/// Why no handler took `req`: also asked when a route with an id matched
/// but its id did not parse (`PUT /commissions/totals` reaches
/// `PUT /commissions/{id}`), so a literal path keeps its own methods.
pub fn refusal(req: &HttpRequest) -> WebError {
    match allowed_methods(req.path()) {
        Some(allow) if !allow.split(", ").any(|m| m == req.method().as_str()) => {
            WebError::MethodNotAllowed { allow }
        }
        _ => WebError::NotFound,
    }
}

/// The methods of the documented path that `path` is an instance of; a
/// literal segment wins over a parameter (`/commissions/totals` is not
/// `/commissions/{id}`).
fn allowed_methods(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let (_, item) = OPENAPI
        .paths
        .paths
        .iter()
        .filter_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut params = 0;
            for (part, seg) in parts.iter().zip(&segments) {
                if part.starts_with('{') {
                    if seg.is_empty() {
                        return None;
                    }
                    params += 1;
                } else if part != seg {
                    return None;
                }
            }
            Some((params, item))
        })
        .min_by_key(|(params, _)| *params)?;
    Some(methods_of(item).join(", "))
}

fn methods_of(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_path_lists_its_methods() {
        assert_eq!(
            allowed_methods("/api/v1/affiliates").as_deref(),
            Some("GET, POST")
        );
        assert_eq!(
            allowed_methods("/api/v1/affiliates/abc").as_deref(),
            Some("GET, PUT, PATCH, DELETE")
        );
    }

    #[test]
    fn a_literal_segment_wins_over_an_id() {
        assert_eq!(
            allowed_methods("/api/v1/commissions/totals").as_deref(),
            Some("GET")
        );
    }

    #[test]
    fn an_unknown_path_has_no_methods() {
        assert_eq!(allowed_methods("/api/v1/nothing"), None);
        assert_eq!(allowed_methods("/api/v1/affiliates/a/b/c/d"), None);
    }
}
