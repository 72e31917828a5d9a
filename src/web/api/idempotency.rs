//! The `Idempotency-Key` middleware for `POST /api/v1/*` (see
//! `services::idempotency`). It needs the store, so it resolves the bearer
//! key itself; requests without the header pass straight through.
//!
//! A retry whose first request took effect but whose answer was never
//! stored (the process died in between) is answered by route (`retry_of`):
//! the retry is the same request (its hash matched), so its path is the
//! first one's. Every POST under `/api/v1/`:
//!
//! | route | its effect | the retry |
//! | --- | --- | --- |
//! | `campaigns`, `affiliates`, `links`, `coupons`, `referrals`, `commissions`, `sales` | the record created | read back, 201 |
//! | `affiliates/{id}/approve\|reject\|suspend\|enable`, `…/anonymize` | the affiliate | read back, 200 |
//! | `payouts/{id}/mark_paid`, `…/void` | the payout | read back, 200 |
//! | `sales/{id}/refunds` | the sale | read back, 200 |
//! | `leads` | the referral | read back, 200 |
//! | `payouts` (batch) | one payout per affiliate | run again: pays only whom its key has not, answers every payout of the key |
//! | `affiliates/{id}/adjustments` | the adjustment's commission | run again: answers the adjustment its key made |
//! | `affiliates/{id}/payouts` (record a payout) | the payout, and the commission it split | run again: answers both as its key made them |
//! | `affiliates/{id}/sso` | a one-time URL (only its hash is kept) | never happens: the answer is stored with the effect |

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use futures_util::StreamExt;

use crate::domain::StoreId;
use crate::services::idempotency::{self, Claim, Effect};
use crate::services::{api_keys, crypto};
use crate::web::{AppState, WebError};

const MAX_BODY: usize = 256 * 1024;

/// The key claim a request runs under, for `ApiCaller::actor` to hand down
/// to the use case (its audit entries name it: the key's effects).
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyClaim(pub uuid::Uuid);

/// How a retry is answered whose first request took effect unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// The answer is one record: its first effect, read back through its
    /// GET route, with the status the first answer had.
    ReadBack,
    /// The use case is idempotent under its key: run the request again.
    Rerun,
    /// The use case stored its answer with its effect: an effect without
    /// an answer is not expected, and is refused rather than guessed.
    Stored,
}

fn retry_of(path: &str) -> Retry {
    let route = path.strip_prefix("/api/v1/").unwrap_or(path);
    match route.split('/').collect::<Vec<_>>().as_slice() {
        ["payouts"] | ["affiliates", _, "adjustments" | "payouts"] => Retry::Rerun,
        ["affiliates", _, "sso"] => Retry::Stored,
        _ => Retry::ReadBack,
    }
}

/// The API collection that reads an audit subject back, for answering a
/// retry from its effect.
fn collection_of(entity_type: &str) -> Option<&'static str> {
    Some(match entity_type {
        "campaign" => "campaigns",
        "affiliate" => "affiliates",
        "link" => "links",
        "coupon" => "coupons",
        "referral" => "referrals",
        "sale" => "sales",
        "commission" => "commissions",
        "payout" => "payouts",
        _ => return None,
    })
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let applies = req.method() == Method::POST && req.path().starts_with("/api/v1/");
    let Some(raw) = req.headers().get("idempotency-key").filter(|_| applies) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // A key that is there but not 1-255 visible ASCII characters (the
    // document's `^[!-~]+$`) is refused, never taken for an absent key: the
    // client meant the request to be idempotent.
    let bytes = raw.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (b'!'..=b'~').contains(b)) {
        return Ok(req.error_response(WebError::validation(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )));
    }
    let key = String::from_utf8_lossy(bytes).into_owned();
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered")
        .clone();
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.to_owned());
    let store_id = match bearer {
        Some(b) => match api_keys::authenticate(&state.db, b.trim()).await {
            Ok(Some((store, _))) => StoreId(store.id),
            Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
            Err(e) => return Ok(req.error_response(WebError::from(e))),
        },
        None => return Ok(next.call(req).await?.map_into_boxed_body()),
    };

    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(
                req.error_response(WebError::BadRequest("The body could not be read.".into()))
            );
        };
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(req.error_response(WebError::PayloadTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let hash = crypto::sha256_hex(
        &[
            req.method().as_str().as_bytes(),
            b" ",
            req.path().as_bytes(),
            b"\n",
            &body,
        ]
        .concat(),
    );
    req.set_payload(Payload::from(body));

    let (id, replayed) = match idempotency::claim(&state.db, store_id, &key, &hash).await {
        Ok(Claim::Owned(id)) => (id, false),
        Ok(Claim::Effect { id, effects }) => match (retry_of(req.path()), effects.first()) {
            (Retry::Rerun, _) => (id, true),
            (Retry::ReadBack, Some(first)) => {
                return replay_effect(req, next, &state, id, first).await;
            }
            (Retry::ReadBack | Retry::Stored, _) => return Ok(already_took_effect(req)),
        },
        Ok(Claim::Replay { status, body }) => {
            let res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body);
            return Ok(req.into_response(res));
        }
        Ok(Claim::InProgress) => {
            return Ok(req.error_response(WebError::Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly."
                    .into(),
            )));
        }
        Ok(Claim::Mismatch) => {
            return Ok(req.error_response(WebError::validation(
                "Idempotency-Key",
                "was already used with a different request",
            )));
        }
        Err(e) => return Ok(req.error_response(WebError::from(e))),
    };

    req.extensions_mut().insert(IdempotencyClaim(id));
    let res = next.call(req).await?;
    crash_point();
    let status = res.status();
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let answer = String::from_utf8_lossy(&bytes).into_owned();
    let stored = if status.is_server_error() {
        idempotency::release(&state.db, store_id, id).await
    } else if replayed {
        // A rerun (a batch's retry) may have joined a first request still
        // running: that one's answer, when it comes, is the whole one.
        idempotency::complete_unless_answered(&state.db, id, status.as_u16(), answer).await
    } else {
        idempotency::complete(&state.db, id, status.as_u16(), answer).await
    };
    if let Err(e) = stored {
        tracing::warn!(error = %e, "storing or freeing an idempotency key failed");
    }
    let mut response = head.set_body(BoxBody::new(bytes));
    if replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(ServiceResponse::new(http_req, response))
}

fn already_took_effect(req: ServiceRequest) -> ServiceResponse<BoxBody> {
    req.error_response(WebError::Conflict(
        "A request with this Idempotency-Key already took effect; read the result instead of retrying."
            .into(),
    ))
}

/// Answers a retry whose first request committed its effect but died before
/// its response was stored: the effect is read back through its own GET
/// route (the same representation the create answered with), answered with
/// the first request's status, and stored as the key's response.
async fn replay_effect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: &web::Data<AppState>,
    id: uuid::Uuid,
    effect: &Effect,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let status = effect.status();
    let entity = effect
        .entity_id
        .as_deref()
        .and_then(|e| uuid::Uuid::parse_str(e).ok());
    let (Some(collection), Some(entity)) = (collection_of(&effect.entity_type), entity) else {
        return Ok(already_took_effect(req));
    };
    let uri: actix_web::http::Uri = format!("/api/v1/{collection}/{entity}")
        .parse()
        .expect("a plain path is a URI");
    req.head_mut().method = Method::GET;
    req.head_mut().uri = uri.clone();
    req.match_info_mut().get_mut().update(&uri);
    req.set_payload(Payload::None);
    let res = next.call(req).await?;
    if !res.status().is_success() {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let (_, body) = response.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let body = String::from_utf8_lossy(&bytes).into_owned();
    if let Err(e) = idempotency::complete(&state.db, id, status.as_u16(), body).await {
        tracing::warn!(error = %e, "storing a replayed idempotent response failed");
    }
    let response = HttpResponse::build(status)
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(bytes);
    Ok(ServiceResponse::new(http_req, response))
}

/// A test hook, in debug builds only: with
/// `TRIBUTARY_TEST_CRASH_BEFORE_IDEMPOTENT_RESPONSE` set, the process dies
/// right after a keyed request's effect committed and before its response is
/// stored (what a power cut or `kill -9` does at the worst moment).
fn crash_point() {
    #[cfg(debug_assertions)]
    if std::env::var_os("TRIBUTARY_TEST_CRASH_BEFORE_IDEMPOTENT_RESPONSE").is_some() {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::{Retry, retry_of};

    #[test]
    fn a_retry_is_answered_by_what_its_route_answers() {
        let id = "0190a4a4-0000-7000-8000-000000000000";
        for (path, retry) in [
            ("/api/v1/campaigns".to_owned(), Retry::ReadBack),
            ("/api/v1/sales".to_owned(), Retry::ReadBack),
            (format!("/api/v1/affiliates/{id}/approve"), Retry::ReadBack),
            (format!("/api/v1/affiliates/{id}/payouts"), Retry::Rerun),
            (format!("/api/v1/payouts/{id}/void"), Retry::ReadBack),
            ("/api/v1/payouts".to_owned(), Retry::Rerun),
            (format!("/api/v1/affiliates/{id}/adjustments"), Retry::Rerun),
            (format!("/api/v1/affiliates/{id}/sso"), Retry::Stored),
        ] {
            assert_eq!(retry_of(&path), retry, "{path}");
        }
    }
}
