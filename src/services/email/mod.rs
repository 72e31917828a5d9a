//! Outgoing email through a database outbox.
//!
//! A change that sends mail renders its message (`messages`) and writes it
//! into the `emails` table in the change's own transaction (`enqueue`): a
//! rolled-back change sends nothing, and a failing mail server loses
//! nothing. The delivery worker (`deliver`) claims due rows, sends them over
//! SMTP when it is configured and retries failures with backoff
//! (`domain::mail`). Without SMTP the outbox is still written and staff read
//! the messages on the Emails page (`outbox`).
//!
//! `notify` holds the messages that follow from changes elsewhere (an
//! affiliate approved, a commission earned, a payout paid, an application),
//! each respecting the affiliate's preferences.

pub mod deliver;
pub mod messages;
pub mod notify;
pub mod outbox;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

pub use deliver::{DeliveryPass, Mailer, deliver_due};
pub use messages::{Message, Sender};

use super::ServiceResult;
use crate::domain::StoreId;
use crate::domain::mail::EmailStatus;
use crate::entities::email;

/// Queues `message` for the store, inside the caller's transaction.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    message: Message,
) -> ServiceResult<Uuid> {
    let row = row(Some(store_id), message);
    let id = row.id.clone().unwrap();
    row.insert(conn).await?;
    Ok(id)
}

/// Queues a message that belongs to no store (a staff password reset): it
/// shows on no store's Emails page.
pub(crate) async fn enqueue_unscoped(
    conn: &impl ConnectionTrait,
    message: Message,
) -> ServiceResult<Uuid> {
    let row = row(None, message);
    let id = row.id.clone().unwrap();
    row.insert(conn).await?;
    Ok(id)
}

/// The outbox row `enqueue` writes, for callers that insert many at once
/// (the sales writer's batches).
pub fn row(store_id: Option<StoreId>, message: Message) -> email::ActiveModel {
    let now = Utc::now();
    email::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.map(|s| s.0)),
        recipient: Set(message.to().as_str().to_owned()),
        subject: Set(message.subject().chars().take(300).collect()),
        text_body: Set(message.text().to_owned()),
        html_body: Set(message.html().to_owned()),
        kind: Set(message.kind()),
        status: Set(EmailStatus::Queued),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
    }
}
