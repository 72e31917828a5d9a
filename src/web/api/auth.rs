//! API authentication: the bearer key resolves the store every call acts in.

use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};

use crate::domain::StoreId;
use crate::services::api_keys::{self, ApiKey};
use crate::services::stores::Store;
use crate::services::{Actor, ActorKind};
use crate::web::api::idempotency::IdempotencyClaim;
use crate::web::extractors::client_ip;
use crate::web::{AppState, WebError};

/// A caller with a valid, unrevoked API key.
pub struct ApiCaller {
    pub store: Store,
    pub key: ApiKey,
    pub ip: String,
    /// The `Idempotency-Key` claim this request runs under (set by
    /// `web::api::idempotency::guard`).
    pub idempotency_key: Option<uuid::Uuid>,
}

impl ApiCaller {
    pub fn store_id(&self) -> StoreId {
        StoreId(self.store.id)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            kind: ActorKind::ApiKey,
            id: Some(self.key.id),
            label: format!("API key {} ({})", self.key.name, self.key.prefix),
            ip: Some(self.ip.clone()),
            idempotency_key: self.idempotency_key,
        }
    }
}

/// Query parameters that would put a key in URLs, logs and browser history.
const KEY_PARAMS: [&str; 5] = ["api_key", "apikey", "key", "access_token", "token"];

fn unauthorized(message: &str) -> WebError {
    WebError::Unauthorized {
        message: message.to_owned(),
    }
}

impl FromRequest for ApiCaller {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let in_query = url::form_urlencoded::parse(req.query_string().as_bytes())
                .any(|(k, _)| KEY_PARAMS.contains(&k.to_ascii_lowercase().as_str()));
            if in_query {
                return Err(unauthorized(
                    "API keys are refused in the query string; send them in the Authorization header as `Bearer <key>`.",
                ));
            }
            let header_value = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    unauthorized("Send an API key in the Authorization header as `Bearer <key>`.")
                })?;
            let presented = header_value
                .strip_prefix("Bearer ")
                .or_else(|| header_value.strip_prefix("bearer "))
                .map(str::trim)
                .ok_or_else(|| unauthorized("The Authorization header must be `Bearer <key>`."))?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .expect("AppState is registered")
                .clone();
            let (store, key) = api_keys::authenticate(&state.db, presented)
                .await?
                .ok_or_else(|| unauthorized("The API key is not valid or has been revoked."))?;
            let idempotency_key = req.extensions().get::<IdempotencyClaim>().map(|c| c.0);
            Ok(ApiCaller {
                store,
                key,
                ip: client_ip(&req),
                idempotency_key,
            })
        })
    }
}
