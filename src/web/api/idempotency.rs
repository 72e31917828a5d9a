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

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .map(str::to_owned);
    let applies = req.method() == Method::POST && req.path().starts_with("/api/v1/");
    let (Some(key), true) = (key, applies) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if key.is_empty() || key.len() > 255 {
        return Ok(req.error_response(WebError::validation(
            "Idempotency-Key",
            "must be 1 to 255 characters",
        )));
    }
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

    let res = next.call(req).await?;
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
