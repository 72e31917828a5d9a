//! The outbox: every state change writes an event row in its own
//! transaction, for the outgoing webhooks to deliver later.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use super::ServiceResult;
use crate::domain::StoreId;
use crate::entities::event;

pub async fn emit(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    event_type: &str,
    payload: Value,
) -> ServiceResult<()> {
    row(store_id, event_type, payload).insert(conn).await?;
    Ok(())
}

/// The row `emit` writes, for callers that insert many at once.
pub fn row(store_id: StoreId, event_type: &str, payload: Value) -> event::ActiveModel {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload.to_string()),
        created_at: Set(Utc::now()),
        delivered_at: Set(None),
    }
}
