//! The Emails page's reads and its one verb: a store's messages newest
//! first (keyset-paged by id, optionally by status), one message, and
//! "retry now" for a message that was given up; and, for other use cases,
//! withdrawing queued messages that are no longer wanted (`cancel_queued`).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::db;
use crate::domain::StoreId;
use crate::domain::mail::{EmailKind, EmailStatus};
use crate::entities::email;
use crate::services::{Actor, ServiceError, ServiceResult, UseCaseError, UseCaseResult, audit};

/// What the page reads of a message.
pub use crate::entities::email::Model as Email;

pub struct EmailPage {
    pub emails: Vec<Email>,
    /// The id to page on from, when there are older messages.
    pub next_before: Option<Uuid>,
}

pub async fn list(
    db: &DatabaseConnection,
    store_id: StoreId,
    status: Option<EmailStatus>,
    before: Option<Uuid>,
    limit: u64,
) -> ServiceResult<EmailPage> {
    let mut query = email::Entity::find()
        .filter(email::Column::StoreId.eq(store_id.0))
        .order_by_desc(email::Column::Id)
        .limit(limit + 1);
    if let Some(status) = status {
        query = query.filter(email::Column::Status.eq(status));
    }
    if let Some(before) = before {
        query = query.filter(email::Column::Id.lt(before));
    }
    let mut emails = query.all(db).await?;
    let next_before = if emails.len() as u64 > limit {
        emails.truncate(limit as usize);
        emails.last().map(|e| e.id)
    } else {
        None
    };
    Ok(EmailPage {
        emails,
        next_before,
    })
}

/// One message of the store; another store's id is not found.
pub async fn get(db: &DatabaseConnection, store_id: StoreId, id: Uuid) -> ServiceResult<Email> {
    email::Entity::find_by_id(id)
        .filter(email::Column::StoreId.eq(store_id.0))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Why a retry was refused.
#[derive(Debug, thiserror::Error)]
pub enum RetryEmailError {
    /// The message is not failed (the rule's own words).
    #[error("{0}")]
    NotFailed(String),
}

/// Queues a failed message again, due now, with a fresh count of attempts.
pub async fn retry(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: Uuid,
) -> UseCaseResult<Email, RetryEmailError> {
    let txn = db::begin_write(db).await?;
    let current = db::for_update(
        &txn,
        email::Entity::find_by_id(id).filter(email::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound)?;
    let status = current
        .status
        .retry()
        .map_err(|e| UseCaseError::Refused(RetryEmailError::NotFailed(e.0)))?;
    email::Entity::update_many()
        .col_expr(email::Column::Status, Expr::value(status))
        .col_expr(email::Column::Attempts, Expr::value(0))
        .col_expr(email::Column::NextAttemptAt, Expr::value(db::stored_now()))
        .filter(email::Column::Id.eq(id))
        .filter(email::Column::Status.eq(current.status))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "email.retried",
        "email",
        Some(id.to_string()),
        json!({"recipient": current.recipient, "kind": current.kind.as_str(),
            "attempts": current.attempts, "last_error": current.last_error}),
    )
    .await?;
    txn.commit().await?;
    Ok(Email {
        status,
        attempts: 0,
        ..current
    })
}

/// Withdraws the store's messages of `kind` to `recipient` that are still
/// waiting (queued), inside the caller's transaction: they keep their row,
/// shown as cancelled, and are never sent. A message a worker is sending at
/// this moment is not stopped (it ends up sent). Returns how many.
pub(crate) async fn cancel_queued(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    recipient: &str,
    kind: EmailKind,
) -> ServiceResult<u64> {
    let cancelled = EmailStatus::Queued
        .cancel()
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e.0)))?;
    let done = email::Entity::update_many()
        .col_expr(email::Column::Status, Expr::value(cancelled))
        .filter(email::Column::StoreId.eq(store_id.0))
        .filter(email::Column::Recipient.eq(recipient))
        .filter(email::Column::Kind.eq(kind))
        .filter(email::Column::Status.eq(EmailStatus::Queued))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// Erasing an affiliate forgets the store's mail about them too: what was
/// sent to their address, and the team's "new application" messages that
/// name it.
pub(crate) async fn forget_affiliate(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    address: &str,
) -> ServiceResult<u64> {
    let gone = email::Entity::delete_many()
        .filter(email::Column::StoreId.eq(store_id.0))
        .filter(
            Condition::any()
                .add(email::Column::Recipient.eq(address))
                .add(
                    Condition::all()
                        .add(email::Column::Kind.eq(EmailKind::NewApplication))
                        .add(email::Column::TextBody.contains(format!("<{address}>"))),
                ),
        )
        .exec(conn)
        .await?;
    Ok(gone.rows_affected)
}
