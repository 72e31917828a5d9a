//! `Idempotency-Key` for API POSTs: the first request with a key is
//! answered and its response kept (`KEEP`, swept by every instance's
//! janitor with `purge_old`); the same key with the same
//! request gets that response again; with another request, a 422; while the
//! first is still running, a 409.
//!
//! The response is stored after the effect commits, so a process that dies
//! in between would leave an effect without a response. The effect itself
//! therefore names the key: every audit entry a keyed request writes, in
//! the effect's own transaction, carries the key's claim
//! (`audit_entries.idempotency_key_id`, set by `audit::row`). A retry that
//! finds no stored answer but such entries is answered from them
//! (`Claim::Effect`), never run again as a new request. How, depends on
//! what the route answers (`web::api::idempotency::Retry`):
//!
//! - one record (every create, a state change): read back through its GET
//!   route, with the status the first answer had;
//! - a batch of payouts (one transaction per chunk of affiliates, so a
//!   process can die part-way), an adjustment (its answer names the commission its
//!   entry carries) and a recorded payout (its answer names the commission
//!   it split): the use case is idempotent under its key and runs again,
//!   doing only what its key has not done (`payouts::create_keyed`,
//!   `payouts::adjust`, `payouts::record_split`);
//! - an SSO URL, whose secret is never stored: the use case stores its
//!   answer in its own transaction (`answer_in`), so there is never an
//!   effect without an answer.
//!
//! A request that changed nothing (a refusal, a sale already recorded) has
//! no effect to find: its retry waits as for a running request, until the
//! claim is taken as abandoned (`ABANDONED`), and then runs again.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::ServiceResult;
use crate::db;
use crate::domain::StoreId;
use crate::entities::{audit_entry, idempotency_key};

pub const KEEP: Duration = Duration::hours(48);
/// A claim with no answer and no effect after this long is taken as
/// abandoned.
pub const ABANDONED: Duration = Duration::minutes(5);

pub enum Claim {
    /// This request owns the key: answer it, then `complete` (or `release`).
    Owned(Uuid),
    Replay {
        status: u16,
        body: String,
    },
    /// The first request took effect but its response was never stored
    /// (its process died in between): answer from the effects, oldest
    /// first (never empty).
    Effect {
        id: Uuid,
        effects: Vec<Effect>,
    },
    InProgress,
    Mismatch,
}

/// One change a keyed request made: an audit entry it wrote.
#[derive(Debug, Clone)]
pub struct Effect {
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub details: serde_json::Value,
}

impl Effect {
    /// The status the request answered with: 201 for a create, else 200.
    pub fn status(&self) -> u16 {
        if self.action.ends_with(".created") {
            201
        } else {
            200
        }
    }
}

/// What the request under this claim did, oldest first.
pub async fn effects(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    claim: Uuid,
) -> ServiceResult<Vec<Effect>> {
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::IdempotencyKeyId.eq(claim))
        .filter(audit_entry::Column::StoreId.eq(store_id.0))
        .order_by_asc(audit_entry::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| Effect {
            details: serde_json::from_str(&e.details).unwrap_or_default(),
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
        })
        .collect())
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
        if row.request_hash != request_hash {
            txn.commit().await?;
            return Ok(Claim::Mismatch);
        }
        if let (Some(status), Some(body)) = (row.response_status, row.response_body.clone()) {
            txn.commit().await?;
            return Ok(Claim::Replay {
                status: status as u16,
                body,
            });
        }
        let effects = effects(&txn, store_id, row.id).await?;
        if !effects.is_empty() {
            txn.commit().await?;
            return Ok(Claim::Effect {
                id: row.id,
                effects,
            });
        }
        // A first request that never finished and did nothing (its client
        // went away, the process stopped before committing): after a few
        // minutes the key can be used again.
        if row.created_at < Utc::now() - ABANDONED {
            let id = row.id;
            let mut active: idempotency_key::ActiveModel = row.into();
            active.created_at = Set(Utc::now());
            active.update(&txn).await?;
            txn.commit().await?;
            return Ok(Claim::Owned(id));
        }
        txn.commit().await?;
        return Ok(Claim::InProgress);
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

/// Stores the answer inside the effect's own transaction, for a use case
/// whose answer cannot be read back afterwards (an SSO URL: only the
/// token's hash is kept). `complete` then writes the same answer again.
pub async fn answer_in(
    conn: &impl ConnectionTrait,
    claim: Uuid,
    status: u16,
    body: String,
) -> ServiceResult<()> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(i32::from(status)),
        )
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
        .filter(idempotency_key::Column::Id.eq(claim))
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
    answer_in(db, id, status, body).await
}

/// Stores the answer of a request that ran again under a claim it does not
/// own (a retry of a batch cut short), unless the key has one by now. The
/// first request may still be running; its answer, written when it ends,
/// lists everything the key made, while a retry's may predate the first's
/// last payouts, so it must never replace the first's.
pub async fn complete_unless_answered(
    db: &DatabaseConnection,
    id: Uuid,
    status: u16,
    body: String,
) -> ServiceResult<()> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(i32::from(status)),
        )
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
        .filter(idempotency_key::Column::Id.eq(id))
        .filter(idempotency_key::Column::ResponseStatus.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// A failure on our side: the key is freed so the client may retry, unless
/// the request already took effect (it failed after its commit, reading
/// its answer): then the claim stays, and the retry is answered from the
/// effect rather than run twice.
pub async fn release(db: &DatabaseConnection, store_id: StoreId, id: Uuid) -> ServiceResult<()> {
    let txn = db::begin_write(db).await?;
    if effects(&txn, store_id, id).await?.is_empty() {
        idempotency_key::Entity::delete_by_id(id).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn purge_old(db: &DatabaseConnection) -> ServiceResult<u64> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(Utc::now() - KEEP))
        .exec(db)
        .await?
        .rows_affected)
}
