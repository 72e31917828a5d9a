//! `GET /api/v1/me`: the store the key belongs to.

use actix_web::{get, web::Json};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::web::api::auth::ApiCaller;
use crate::web::api::json::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct StoreBody {
    id: Uuid,
    name: String,
    slug: String,
    currency: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// The store the API key belongs to.
#[utoipa::path(tag = "store", responses((status = 200, body = StoreBody), (status = 401, body = ErrorBody)))]
#[get("/me")]
pub async fn show(caller: ApiCaller) -> Json<StoreBody> {
    let s = caller.store;
    Json(StoreBody {
        id: s.id,
        name: s.name,
        slug: s.slug,
        currency: s.currency,
        created_at: s.created_at,
    })
}
