//! `GET /api/v1/me`: the store the key belongs to.

use actix_web::web::Json;
use serde::Serialize;
use uuid::Uuid;

use crate::web::api::auth::ApiCaller;

#[derive(Serialize)]
pub struct StoreBody {
    id: Uuid,
    name: String,
    slug: String,
    currency: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

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
