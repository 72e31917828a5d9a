//! `Idempotency-Key` for API POSTs: the first request with a key is
//! answered and its response kept (≥ 24 h); the same key with the same
//! request gets that response again; with another request, a 422; while the
//! first is still running, a 409.
//!
//! The response is stored after the effect commits, so a process that dies
//! in between would leave an effect without a response. The effect itself
//! therefore names the key: the use case's audit entry, written in the
//! effect's own transaction, marks the key with what it did (`mark_effect`).
//! A retry finds that mark and is answered from the effect, never run again.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::ServiceResult;
use crate::db;
use crate::domain::StoreId;
use crate::entities::idempotency_key;

pub const KEEP: Duration = Duration::hours(48);
/// A claim with no answer after this long is taken as abandoned.
pub const ABANDONED: Duration = Duration::minutes(5);

pub enum Claim {
    /// This request owns the key: answer it, then `complete` (or `release`).
    Owned(Uuid),
    Replay {
        status: u16,
        body: String,
    },
    /// The first request's effect committed but its response was never
    /// stored (its process died in between): answer from the effect.
    Effect {
        id: Uuid,
        status: u16,
        entity_type: String,
        entity_id: String,
    },
    InProgress,
    Mismatch,
}

pub async fn claim(
    db: &DatabaseConnection,
    store_id: StoreId,
    key: &str,
    request_hash: &str,
) -> ServiceResult<Claim> {
    let txn = db::begin_write(db).await?;
    if let Some(row) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::StoreId.eq(store_id.0))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(&txn)
        .await?
    {
        if row.response_status.is_none()
            && row.request_hash == request_hash
            && let (Some(entity_type), Some(entity_id)) = (&row.effect_type, &row.effect_id)
        {
            txn.commit().await?;
            return Ok(Claim::Effect {
                id: row.id,
                status: row.effect_status.unwrap_or(200) as u16,
                entity_type: entity_type.clone(),
                entity_id: entity_id.clone(),
            });
        }
        // A first request that never finished and did nothing (its client
        // went away, the process stopped before committing): after a few
        // minutes the key can be used again.
        if row.response_status.is_none()
            && row.created_at < Utc::now() - ABANDONED
            && row.request_hash == request_hash
        {
            let id = row.id;
            let mut active: idempotency_key::ActiveModel = row.into();
            active.created_at = Set(Utc::now());
            active.update(&txn).await?;
            txn.commit().await?;
            return Ok(Claim::Owned(id));
        }
        txn.commit().await?;
        return Ok(if row.request_hash != request_hash {
            Claim::Mismatch
        } else {
            match (row.response_status, row.response_body) {
                (Some(status), Some(body)) => Claim::Replay {
                    status: status as u16,
                    body,
                },
                _ => Claim::InProgress,
            }
        });
    }
    let id = Uuid::now_v7();
    let inserted = idempotency_key::ActiveModel {
        id: Set(id),
        store_id: Set(store_id.0),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        response_status: Set(None),
        response_body: Set(None),
        effect_type: Set(None),
        effect_id: Set(None),
        effect_status: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {
            txn.commit().await?;
            Ok(Claim::Owned(id))
        }
        // PostgreSQL: a concurrent request inserted the key first.
        Err(e) if db::is_unique_violation(&e) => Ok(Claim::InProgress),
        Err(e) => Err(e.into()),
    }
}

/// Marks the key with the effect its request had, inside the effect's own
/// transaction (called by `audit::record`). The first mark of a request
/// wins: a create's own entry comes before those of what it made beside it.
pub async fn mark_effect(
    conn: &impl ConnectionTrait,
    id: Uuid,
    action: &str,
    entity_type: &str,
    entity_id: &str,
) -> ServiceResult<()> {
    let status = if action.ends_with(".created") {
        201
    } else {
        200
    };
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::EffectType,
            Expr::value(entity_type),
        )
        .col_expr(idempotency_key::Column::EffectId, Expr::value(entity_id))
        .col_expr(idempotency_key::Column::EffectStatus, Expr::value(status))
        .filter(idempotency_key::Column::Id.eq(id))
        .filter(idempotency_key::Column::EffectId.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn complete(
    db: &DatabaseConnection,
    id: Uuid,
    status: u16,
    body: String,
) -> ServiceResult<()> {
    if let Some(row) = idempotency_key::Entity::find_by_id(id).one(db).await? {
        let mut active: idempotency_key::ActiveModel = row.into();
        active.response_status = Set(Some(status as i32));
        active.response_body = Set(Some(body));
        active.update(db).await?;
    }
    Ok(())
}

/// A failure on our side: the key is freed so the client may retry.
pub async fn release(db: &DatabaseConnection, id: Uuid) -> ServiceResult<()> {
    idempotency_key::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

pub async fn purge_old(db: &DatabaseConnection) -> ServiceResult<u64> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(Utc::now() - KEEP))
        .exec(db)
        .await?
        .rows_affected)
}
