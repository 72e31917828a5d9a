//! The click path: `GET /r/{token}` decides in memory (cached link, signed
//! referral cookie) and hands the rows to one writer task, which commits them
//! in batches — up to `BATCH` visits per transaction, lingering `LINGER` so
//! batches fill. One INSERT per click runs at a tenth of the speed (STACK.md).
//! `ClickWriter::shutdown` drains the queue: a graceful stop loses nothing.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::crypto;
use crate::db;
use crate::entities::{event, link, referral, visit};

const BATCH: usize = 1000;
const LINGER: Duration = Duration::from_millis(2);
const QUEUE: usize = 100_000;
/// Rows per INSERT: a few fixed statement shapes, so the driver reuses its
/// prepared statements instead of parsing a new giant one every batch.
const CHUNK: usize = 64;

/// A new referral made by a click.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub campaign_id: Uuid,
    pub visitor_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub source: &'static str,
}

/// Everything one recorded click writes.
#[derive(Debug, Clone)]
pub struct ClickRecord {
    pub store_id: Uuid,
    pub link_id: Uuid,
    pub referral_id: Uuid,
    pub new_referral: Option<NewReferral>,
    pub landing_url: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
    pub ip_hash: Option<String>,
    pub at: DateTime<Utc>,
}

enum Message {
    Click(Box<ClickRecord>),
    /// Write everything queued so far, then answer.
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct ClickWriter {
    tx: mpsc::Sender<Message>,
}

pub struct WriterHandle {
    writer: ClickWriter,
    task: tokio::task::JoinHandle<()>,
}

impl ClickWriter {
    pub fn start(db: DatabaseConnection) -> WriterHandle {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(db, rx));
        WriterHandle {
            writer: ClickWriter { tx },
            task,
        }
    }

    /// Queues a click; waits only when the queue is full (backpressure).
    pub async fn record(&self, click: ClickRecord) {
        if self.tx.send(Message::Click(Box::new(click))).await.is_err() {
            tracing::error!("the click writer has stopped; a click was not recorded");
        }
    }

    /// Returns once every click queued before the call is committed.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

impl WriterHandle {
    pub fn writer(&self) -> ClickWriter {
        self.writer.clone()
    }

    /// Flushes and stops the writer (graceful shutdown).
    pub async fn shutdown(self) {
        self.writer.flush().await;
        drop(self.writer);
        // Other clones may still exist (the app's state); the flush above is
        // what guarantees nothing queued is lost. Give the task a moment.
        let _ = tokio::time::timeout(Duration::from_secs(1), self.task).await;
    }
}

async fn run(db: DatabaseConnection, mut rx: mpsc::Receiver<Message>) {
    let mut batch: Vec<ClickRecord> = Vec::with_capacity(BATCH);
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        let Some(first) = rx.recv().await else { break };
        match first {
            Message::Click(c) => batch.push(*c),
            Message::Flush(done) => waiting.push(done),
        }
        let deadline = tokio::time::Instant::now() + LINGER;
        while batch.len() < BATCH && waiting.is_empty() {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(Message::Click(c))) => batch.push(*c),
                Ok(Some(Message::Flush(done))) => waiting.push(done),
                Ok(None) | Err(_) => break,
            }
        }
        // Take whatever else is already queued, without waiting.
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(Message::Click(c)) => batch.push(*c),
                Ok(Message::Flush(done)) => waiting.push(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            write_with_retry(&db, &batch).await;
            batch.clear();
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
    if !batch.is_empty() {
        write_with_retry(&db, &batch).await;
    }
}

async fn write_with_retry(db: &DatabaseConnection, batch: &[ClickRecord]) {
    for attempt in 1..=5 {
        match write(db, batch).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, attempt, clicks = batch.len(), "writing clicks failed; retrying");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
        }
    }
    tracing::error!(
        clicks = batch.len(),
        "writing clicks failed for good; these clicks are lost"
    );
}

async fn write(db: &DatabaseConnection, batch: &[ClickRecord]) -> Result<(), sea_orm::DbErr> {
    let txn = db::begin_write(db).await?;
    let referrals: Vec<referral::ActiveModel> = batch
        .iter()
        .filter_map(|c| {
            let r = c.new_referral.as_ref()?;
            Some(referral::ActiveModel {
                id: Set(r.id),
                store_id: Set(c.store_id),
                affiliate_id: Set(r.affiliate_id),
                campaign_id: Set(r.campaign_id),
                link_id: Set(Some(c.link_id)),
                coupon_id: Set(None),
                visitor_id: Set(Some(r.visitor_id)),
                state: Set("visitor".into()),
                email: Set(None),
                external_customer_id: Set(None),
                self_referral: Set(false),
                ip_hash: Set(c.ip_hash.clone()),
                user_agent: Set(c.user_agent.clone()),
                source: Set(r.source.into()),
                sale_count: Set(0),
                first_sale_at: Set(None),
                expires_at: Set(r.expires_at),
                lead_at: Set(None),
                converted_at: Set(None),
                erased_at: Set(None),
                created_at: Set(c.at),
                updated_at: Set(c.at),
            })
        })
        .collect();
    let events: Vec<event::ActiveModel> = batch
        .iter()
        .filter_map(|c| {
            let r = c.new_referral.as_ref()?;
            // Built as text: this runs for every new visitor.
            let payload = format!(
                r#"{{"id":"{}","affiliate_id":"{}","link_id":"{}","state":"visitor","expires_at":"{}","created_at":"{}"}}"#,
                r.id, r.affiliate_id, c.link_id, r.expires_at.to_rfc3339(), c.at.to_rfc3339()
            );
            Some(event::ActiveModel {
                id: Set(Uuid::now_v7()),
                store_id: Set(c.store_id),
                event_type: Set("referral.created".into()),
                payload: Set(payload),
                created_at: Set(c.at),
                delivered_at: Set(None),
            })
        })
        .collect();
    let visits: Vec<visit::ActiveModel> = batch
        .iter()
        .map(|c| visit::ActiveModel {
            id: Set(Uuid::now_v7()),
            store_id: Set(c.store_id),
            link_id: Set(c.link_id),
            referral_id: Set(c.referral_id),
            landing_url: Set(c.landing_url.clone()),
            referrer: Set(c.referrer.clone()),
            user_agent: Set(c.user_agent.clone()),
            ip_hash: Set(c.ip_hash.clone()),
            created_at: Set(c.at),
        })
        .collect();
    // Bounded statements: SQLite allows 32766 bound parameters.
    for chunk in referrals.chunks(CHUNK) {
        referral::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in events.chunks(CHUNK) {
        event::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in visits.chunks(CHUNK) {
        visit::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    // A link's visitors are the referrals its clicks started.
    let mut per_link: HashMap<Uuid, i64> = HashMap::new();
    for c in batch.iter().filter(|c| c.new_referral.is_some()) {
        *per_link.entry(c.link_id).or_default() += 1;
    }
    for (link_id, n) in per_link {
        link::Entity::update_many()
            .col_expr(
                link::Column::Visitors,
                Expr::col(link::Column::Visitors).add(n),
            )
            .filter(link::Column::Id.eq(link_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// The referral cookie a click leaves on Tributary's host:
/// `{referral}.{store}.{expires unix}.{hmac}` — signed, so a visitor cannot
/// point visits at someone else's referral.
pub fn seal_referral_cookie(
    secret: &[u8],
    referral: Uuid,
    store: Uuid,
    expires: DateTime<Utc>,
) -> String {
    let body = format!(
        "{}.{}.{}",
        referral.simple(),
        store.simple(),
        expires.timestamp()
    );
    let mac = crypto::hmac_hex(
        &crypto::derive_key(secret, "referral-cookie"),
        body.as_bytes(),
    );
    format!("{body}.{}", &mac[..32])
}

/// The referral a valid, unexpired cookie of this store names.
pub fn open_referral_cookie(
    secret: &[u8],
    value: &str,
    store: Uuid,
    now: DateTime<Utc>,
) -> Option<Uuid> {
    let (body, mac) = value.rsplit_once('.')?;
    let expected = crypto::hmac_hex(
        &crypto::derive_key(secret, "referral-cookie"),
        body.as_bytes(),
    );
    if !crypto::constant_time_eq(mac.as_bytes(), &expected.as_bytes()[..32]) {
        return None;
    }
    let mut parts = body.split('.');
    let referral = Uuid::parse_str(parts.next()?).ok()?;
    let cookie_store = Uuid::parse_str(parts.next()?).ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    (cookie_store == store && expires > now.timestamp()).then_some(referral)
}

/// Crawlers and link previewers: redirected, never counted.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.is_empty()
        || [
            "bot",
            "crawl",
            "spider",
            "slurp",
            "facebookexternalhit",
            "embedly",
            "preview",
            "whatsapp",
            "validator",
            "lighthouse",
        ]
        .iter()
        .any(|needle| ua.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_cookie_opens_only_unaltered_unexpired_and_for_its_store() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let (r, s) = (Uuid::now_v7(), Uuid::now_v7());
        let now = Utc::now();
        let cookie = seal_referral_cookie(secret, r, s, now + chrono::Duration::days(1));
        assert_eq!(open_referral_cookie(secret, &cookie, s, now), Some(r));
        assert_eq!(
            open_referral_cookie(secret, &cookie, Uuid::now_v7(), now),
            None,
            "another store"
        );
        assert_eq!(
            open_referral_cookie(secret, &cookie, s, now + chrono::Duration::days(2)),
            None,
            "expired"
        );
        let forged = cookie.replacen(
            &r.simple().to_string(),
            &Uuid::now_v7().simple().to_string(),
            1,
        );
        assert_eq!(
            open_referral_cookie(secret, &forged, s, now),
            None,
            "altered"
        );
        assert_eq!(
            open_referral_cookie(b"another secret.................", &cookie, s, now),
            None
        );
    }

    #[test]
    fn crawlers_are_recognised_and_browsers_are_not() {
        assert!(is_bot("Googlebot/2.1 (+http://www.google.com/bot.html)"));
        assert!(is_bot("facebookexternalhit/1.1"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36"
        ));
        assert!(!is_bot(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
        ));
    }
}
