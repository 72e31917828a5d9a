//! The `Idempotency-Key` middleware for `POST /api/v1/*` (see
//! `services::idempotency`). It needs the store, so it resolves the bearer
//! key itself; requests without the header pass straight through.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use futures_util::StreamExt;

use crate::domain::StoreId;
use crate::services::idempotency::{self, Claim};
use crate::services::{api_keys, crypto};
use crate::web::{AppState, WebError};

const MAX_BODY: usize = 256 * 1024;

/// The key claim a request runs under, for `ApiCaller::actor` to hand down
/// to the use case (its audit entry marks the key with the effect).
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyClaim(pub uuid::Uuid);

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

    let id = match idempotency::claim(&state.db, store_id, &key, &hash).await {
        Ok(Claim::Owned(id)) => id,
        Ok(Claim::Effect {
            id,
            status,
            entity_type,
            entity_id,
        }) => {
            let effect = (status, entity_type.as_str(), entity_id.as_str());
            return replay_effect(req, next, &state, id, effect).await;
        }
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
    if status.is_server_error() {
        let _ = idempotency::release(&state.db, id).await;
    } else if let Err(e) = idempotency::complete(
        &state.db,
        id,
        status.as_u16(),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
    .await
    {
        tracing::warn!(error = %e, "storing an idempotent response failed");
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, response))
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
    (status, entity_type, entity_id): (u16, &str, &str),
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (Some(collection), Ok(entity)) =
        (collection_of(entity_type), uuid::Uuid::parse_str(entity_id))
    else {
        return Ok(req.error_response(WebError::Conflict(
            "A request with this Idempotency-Key already took effect; read the result instead of retrying."
                .into(),
        )));
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
