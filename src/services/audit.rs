//! The audit log: who changed what, when, from where. Written by every
//! use case inside its own transaction, never afterwards. An entry written
//! for a keyed API request names its `Idempotency-Key` claim: the entries
//! are that request's effects, which answer its retry if the process died
//! before answering (`services::idempotency`).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::{Actor, ServiceResult};
use crate::domain::StoreId;
use crate::domain::audit_text::Names;
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
        idempotency_key_id: Set(actor.idempotency_key),
        created_at: Set(Utc::now()),
    }
}

pub struct AuditPage {
    pub entries: Vec<audit_entry::Model>,
    /// The id to pass as `before` for the next (older) page.
    pub next_before: Option<Uuid>,
}

/// Which entries to show: all when every field is empty.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// The actor's label as recorded (a user's email, a key's name).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
}

/// Newest first, keyset-paged on the time-ordered id.
pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    before: Option<Uuid>,
    limit: u64,
) -> ServiceResult<AuditPage> {
    list_filtered(conn, store_id, &AuditFilter::default(), before, limit).await
}

/// `list`, keeping the entries the filter names.
pub async fn list_filtered(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &AuditFilter,
    before: Option<Uuid>,
    limit: u64,
) -> ServiceResult<AuditPage> {
    let mut query = audit_entry::Entity::find()
        .filter(audit_entry::Column::StoreId.eq(store_id.0))
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit + 1);
    if let Some(a) = &f.actor {
        query = query.filter(audit_entry::Column::ActorLabel.eq(a.as_str()));
    }
    if let Some(a) = &f.action {
        query = query.filter(audit_entry::Column::Action.eq(a.as_str()));
    }
    if let Some(t) = &f.entity_type {
        query = query.filter(audit_entry::Column::EntityType.eq(t.as_str()));
    }
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

/// The actors and actions the store's log holds, for the filters (one
/// query each).
pub async fn choices(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<(Vec<String>, Vec<String>)> {
    let distinct = |column: audit_entry::Column| {
        audit_entry::Entity::find()
            .select_only()
            .column(column)
            .distinct()
            .filter(audit_entry::Column::StoreId.eq(store_id.0))
            .order_by_asc(column)
            .into_tuple::<String>()
    };
    let actors = distinct(audit_entry::Column::ActorLabel).all(conn).await?;
    let actions = distinct(audit_entry::Column::Action).all(conn).await?;
    Ok((actors, actions))
}

/// The names of the objects these entries are about, one query per kind
/// (affiliates, campaigns, sales), for their sentences.
pub async fn names(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    entries: &[audit_entry::Model],
) -> ServiceResult<Names> {
    use crate::domain::{AffiliateId, SaleId};
    use crate::entities::{campaign, sale};
    let mut affiliates = Vec::new();
    let mut campaigns = Vec::new();
    let mut sales = Vec::new();
    for e in entries {
        let id = e.entity_id.as_deref().and_then(|s| Uuid::parse_str(s).ok());
        match (e.entity_type.as_str(), id) {
            ("affiliate", Some(id)) => affiliates.push(AffiliateId(id)),
            ("campaign", Some(id)) => campaigns.push(id),
            ("sale", Some(id)) => sales.push(SaleId(id)),
            _ => {}
        }
        if let Ok(details) = serde_json::from_str::<Value>(&e.details) {
            // A moved sale names the affiliate it left as well.
            for key in ["affiliate_id", "from_affiliate_id"] {
                if let Some(a) = details[key].as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    affiliates.push(AffiliateId(a));
                }
            }
        }
    }
    let affiliates = super::affiliates::names(conn, store_id, &affiliates).await?;
    let campaigns = if campaigns.is_empty() {
        Default::default()
    } else {
        campaign::Entity::find()
            .select_only()
            .column(campaign::Column::Id)
            .column(campaign::Column::Name)
            .filter(campaign::Column::StoreId.eq(store_id.0))
            .filter(campaign::Column::Id.is_in(campaigns))
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    let sales = if sales.is_empty() {
        Default::default()
    } else {
        sale::Entity::find()
            .select_only()
            .column(sale::Column::Id)
            .column(sale::Column::ExternalId)
            .filter(sale::Column::StoreId.eq(store_id.0))
            .filter(sale::Column::Id.is_in(sales))
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    Ok(Names {
        affiliates,
        campaigns,
        sales,
    })
}
