//! Delivering the outbox over SMTP (lettre, TLS through rustls and ring).
//!
//! A pass claims up to `BATCH` due messages one by one with a conditional
//! UPDATE (still queued and due → its next attempt pushed a lease ahead),
//! so two instances on one database never send the same message twice, and
//! a message claimed by an instance that died is due again once the lease
//! ends. Each claimed message is sent, then marked sent, or its error is
//! kept and its next attempt scheduled (`domain::mail::retry_after`); after
//! the last attempt it is `failed` until staff retry it. A message
//! cancelled while its attempt failed stays cancelled.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db;
use crate::domain::mail::{AfterFailure, EmailStatus};
use crate::entities::{email, store};
use crate::services::ServiceResult;

/// Messages per pass.
const BATCH: u64 = 50;
/// How long a claimed message is left to its sender before it is due again.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// An SMTP conversation longer than this fails the attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// An SMTP server and the address mail comes from.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
}

impl Mailer {
    /// `smtp_url` as `TRIBUTARY_SMTP_URL` takes it (`smtp://user:pass@host:25`,
    /// `smtps://host`, `smtp://host:587?tls=required`); `hello` names this
    /// machine in EHLO.
    pub fn new(smtp_url: &str, from: &str, hello: &str) -> Result<Self, String> {
        let from: Address = from
            .parse()
            .map_err(|e| format!("{from:?} is not an email address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| e.to_string())?
            .hello_name(lettre::transport::smtp::extension::ClientId::Domain(
                hello.to_owned(),
            ))
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }

    async fn send(&self, sender_name: &str, m: &email::Model) -> Result<(), String> {
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient {:?}: {e}", m.recipient))?;
        let message = lettre::Message::builder()
            .from(Mailbox::new(
                Some(sender_name.to_owned()),
                self.from.clone(),
            ))
            .to(to)
            .subject(m.subject.clone())
            .date_now()
            .multipart(MultiPart::alternative_plain_html(
                m.text_body.clone(),
                m.html_body.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryPass {
    pub sent: usize,
    /// Failed and scheduled again.
    pub retrying: usize,
    /// Failed for the last time.
    pub given_up: usize,
}

/// Sends what is due at `now`.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> ServiceResult<DeliveryPass> {
    let now = db::stored_time(now);
    let due = email::Entity::find()
        .filter(email::Column::Status.eq(EmailStatus::Queued))
        .filter(email::Column::NextAttemptAt.lte(now))
        .order_by_asc(email::Column::NextAttemptAt)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut pass = DeliveryPass::default();
    if due.is_empty() {
        return Ok(pass);
    }
    let names = sender_names(db, &due).await?;
    for m in due {
        if !claim(db, m.id, now).await? {
            continue; // another instance has it
        }
        let name = m
            .store_id
            .and_then(|s| names.get(&s).cloned())
            .unwrap_or_else(|| "Tributary".to_owned());
        let attempts = m.attempts.saturating_add(1);
        match mailer.send(&name, &m).await {
            Ok(()) => {
                let status = m.status.deliver().unwrap_or(EmailStatus::Sent);
                email::Entity::update_many()
                    .col_expr(email::Column::Status, Expr::value(status))
                    .col_expr(email::Column::Attempts, Expr::value(attempts))
                    .col_expr(email::Column::SentAt, Expr::value(Some(db::stored_now())))
                    .col_expr(
                        email::Column::LastError,
                        Expr::value(Option::<String>::None),
                    )
                    .filter(email::Column::Id.eq(m.id))
                    .exec(db)
                    .await?;
                pass.sent += 1;
            }
            Err(error) => {
                tracing::warn!(email_id = %m.id, attempts, %error, "sending an email failed");
                let (status, after) = m
                    .status
                    .fail(attempts, now)
                    .unwrap_or((EmailStatus::Failed, AfterFailure::GiveUp));
                let next = match after {
                    AfterFailure::RetryAt(at) => {
                        pass.retrying += 1;
                        db::stored_time(at)
                    }
                    AfterFailure::GiveUp => {
                        pass.given_up += 1;
                        now
                    }
                };
                email::Entity::update_many()
                    .col_expr(email::Column::Status, Expr::value(status))
                    .col_expr(email::Column::Attempts, Expr::value(attempts))
                    .col_expr(email::Column::NextAttemptAt, Expr::value(next))
                    .col_expr(
                        email::Column::LastError,
                        Expr::value(Some(error.chars().take(2000).collect::<String>())),
                    )
                    .filter(email::Column::Id.eq(m.id))
                    .filter(email::Column::Status.eq(EmailStatus::Queued))
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(pass)
}

/// Takes the message for this instance: true when this UPDATE was the one
/// that moved it (still queued and due).
async fn claim(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> ServiceResult<bool> {
    let claimed = email::Entity::update_many()
        .col_expr(email::Column::NextAttemptAt, Expr::value(now + LEASE))
        .filter(email::Column::Id.eq(id))
        .filter(email::Column::Status.eq(EmailStatus::Queued))
        .filter(Expr::col(email::Column::NextAttemptAt).lte(now))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// The stores' names, which messages go out in.
async fn sender_names(
    db: &DatabaseConnection,
    due: &[email::Model],
) -> ServiceResult<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = due.iter().filter_map(|m| m.store_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(Uuid, String)> = store::Entity::find()
        .select_only()
        .column(store::Column::Id)
        .column(store::Column::Name)
        .filter(store::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The background worker: a pass every few seconds until aborted.
pub fn spawn_worker(db: DatabaseConnection, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&db, &mailer, Utc::now()).await {
                tracing::warn!(error = %e, "delivering emails failed");
            }
        }
    })
}
