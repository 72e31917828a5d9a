//! The audit log: who changed what, when, from where. Written by every
//! use case inside its own transaction, never afterwards.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::{Actor, ServiceResult};
use crate::domain::StoreId;
use crate::entities::audit_entry;

pub async fn record(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<String>,
    details: Value,
) -> ServiceResult<()> {
    if let (Some(key), Some(id)) = (actor.idempotency_key, entity_id.as_deref()) {
        super::idempotency::mark_effect(conn, key, action, entity_type, id).await?;
    }
    row(store_id, actor, action, entity_type, entity_id, details)
        .insert(conn)
        .await?;
    Ok(())
}

/// The entry `record` writes, for callers that insert many at once.
pub fn row(
    store_id: StoreId,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<String>,
    details: Value,
) -> audit_entry::ActiveModel {
    audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        actor_type: Set(actor.kind.as_str().to_owned()),
        actor_id: Set(actor.id),
        actor_label: Set(actor.label.chars().take(254).collect()),
        action: Set(action.to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id),
        details: Set(details.to_string()),
        ip: Set(actor.ip.clone()),
        created_at: Set(Utc::now()),
    }
}

pub struct AuditPage {
    pub entries: Vec<audit_entry::Model>,
    /// The id to pass as `before` for the next (older) page.
    pub next_before: Option<Uuid>,
}

/// Newest first, keyset-paged on the time-ordered id.
pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    before: Option<Uuid>,
    limit: u64,
) -> ServiceResult<AuditPage> {
    let mut query = audit_entry::Entity::find()
        .filter(audit_entry::Column::StoreId.eq(store_id.0))
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit + 1);
    if let Some(before) = before {
        query = query.filter(audit_entry::Column::Id.lt(before));
    }
    let mut entries = query.all(conn).await?;
    let next_before = if entries.len() as u64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        entries,
        next_before,
    })
}

/// What the audit page reads of an entry.
pub use crate::entities::audit_entry::Model as AuditEntry;
