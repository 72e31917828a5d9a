//! `Idempotency-Key` for API POSTs: the first request with a key is
//! answered and its response kept (≥ 24 h); the same key with the same
//! request gets that response again; with another request, a 422; while the
//! first is still running, a 409.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
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
        // A first request that never finished (its client went away, the
        // process stopped): after a few minutes the key can be used again.
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
