//! The click path: `GET /r/{token}` decides in memory (cached link, signed
//! referral cookie) and hands the rows to one writer, which commits them in
//! batches: it lingers `LINGER` after the first click of a batch so batches
//! fill, then commits up to `MAX_BATCH` of them in one transaction. One
//! INSERT per click runs at a tenth of the speed (STACK.md).
//!
//! Bounded on both sides, so a writer that falls behind never turns into
//! seconds-long commits or a growing heap: a commit holds at most
//! `MAX_BATCH` clicks (tens of milliseconds), and the queue at most `QUEUE`;
//! past that, handlers wait for room (backpressure) and the answer is what
//! slows, not the memory that grows. A hard crash (`kill -9`, power cut) can
//! lose at most the clicks answered but not committed: `QUEUE + MAX_BATCH`.
//!
//! Handlers only push onto a shared queue; the writer is woken once per
//! batch, not once per click (a cross-thread wake-up costs more than the
//! click itself). On SQLite the batch is written through prepared
//! statements on the writer's own connection (`sqlite_sink`), elsewhere
//! through sea-orm (`orm_sink`). `WriterHandle::shutdown` drains the queue:
//! a graceful stop loses nothing.

mod orm_sink;
mod rollup;
mod sqlite_sink;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, oneshot};
use uuid::Uuid;

use crate::domain::states::{ReferralSource, ReferralState};
use crate::domain::{AffiliateId, CampaignId, LinkId, ReferralId, StoreId, VisitId};

const LINGER: Duration = Duration::from_millis(2);
/// Clicks one commit holds at most: a batch commits in tens of milliseconds.
pub const MAX_BATCH: usize = 2_048;
/// Clicks queued before handlers wait for the writer (backpressure). Twice a
/// batch: handlers fill the next batch while the writer commits one.
pub const QUEUE: usize = 2 * MAX_BATCH;

/// A new referral made by a click.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub id: ReferralId,
    pub affiliate_id: AffiliateId,
    pub campaign_id: CampaignId,
    /// The browser's visitor cookie (`domain::visitor_cookie`).
    pub visitor_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub source: ReferralSource,
}

/// Everything one recorded click writes.
#[derive(Debug, Clone)]
pub struct ClickRecord {
    /// The visit's id; a click's redirect names it (`tb_click`).
    pub visit_id: VisitId,
    pub store_id: StoreId,
    pub link_id: LinkId,
    pub referral_id: ReferralId,
    pub new_referral: Option<NewReferral>,
    pub landing_url: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
    pub ip_hash: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Default)]
struct Pending {
    clicks: Vec<ClickRecord>,
    /// Callers of `flush`, each answered once the clicks queued before it
    /// (up to that count of `queued`) are committed.
    flushes: Vec<(u64, oneshot::Sender<()>)>,
    /// Clicks ever queued, and ever committed (or given up on).
    queued: u64,
    committed: u64,
    /// The writer holds a batch it has not committed yet.
    writing: bool,
}

struct Queue {
    pending: Mutex<Pending>,
    /// Wakes the writer.
    wake: Notify,
    /// Wakes handlers waiting for room in a full queue.
    room: Notify,
}

#[derive(Clone)]
pub struct ClickWriter {
    queue: Arc<Queue>,
}

pub struct WriterHandle {
    writer: ClickWriter,
    task: tokio::task::JoinHandle<()>,
}

/// Where a batch goes.
enum Sink {
    Sqlite(sqlite_sink::SqliteSink),
    Orm(DatabaseConnection),
    /// Benchmarks only (`Config::discard_clicks`).
    Discard,
    /// Tests: notes each batch's size and takes a while to "commit".
    #[cfg(test)]
    Probe(Arc<Mutex<Vec<usize>>>),
}

impl Sink {
    async fn write(&self, batch: &Arc<Vec<ClickRecord>>) -> Result<(), String> {
        match self {
            Sink::Sqlite(sink) => sink.write(batch.clone()).await,
            Sink::Orm(db) => orm_sink::write(db, batch).await.map_err(|e| e.to_string()),
            Sink::Discard => Ok(()),
            #[cfg(test)]
            Sink::Probe(sizes) => {
                sizes.lock().unwrap().push(batch.len());
                tokio::time::sleep(Duration::from_millis(3)).await;
                Ok(())
            }
        }
    }
}

impl ClickWriter {
    /// Starts the writer for this database (`database_url` names the SQLite
    /// file the writer opens its own connection to).
    pub fn start(db: DatabaseConnection, database_url: &str) -> anyhow::Result<WriterHandle> {
        // An in-memory SQLite database cannot be opened twice: it keeps
        // to the pool's connections.
        let sink = match sqlite_sink::SqliteSink::open_if_file(&db, database_url)? {
            Some(sink) => Sink::Sqlite(sink),
            None => Sink::Orm(db),
        };
        Ok(Self::spawn(sink))
    }

    /// A writer that takes batches as usual and stores nothing: the click
    /// handler's cost without the database's (bench/clicks.sh).
    pub fn start_discarding() -> WriterHandle {
        Self::spawn(Sink::Discard)
    }

    fn spawn(sink: Sink) -> WriterHandle {
        let queue = Arc::new(Queue {
            pending: Mutex::new(Pending::default()),
            wake: Notify::new(),
            room: Notify::new(),
        });
        let task = tokio::spawn(run(queue.clone(), sink));
        WriterHandle {
            writer: ClickWriter { queue },
            task,
        }
    }

    /// Queues a click; waits only when the queue is full (backpressure).
    pub async fn record(&self, click: ClickRecord) {
        let Err(mut click) = self.try_push(click) else {
            return;
        };
        loop {
            // Registered before the second look, so room made in between
            // is not missed. Only a full queue pays for this.
            let room = self.queue.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            match self.try_push(click) {
                Ok(()) => return,
                Err(back) => click = back,
            }
            self.queue.wake.notify_one();
            room.await;
        }
    }

    fn try_push(&self, click: ClickRecord) -> Result<(), ClickRecord> {
        let mut pending = self.queue.pending.lock().expect("click queue");
        if pending.clicks.len() >= QUEUE {
            return Err(click);
        }
        let first = pending.clicks.is_empty() && pending.flushes.is_empty();
        pending.clicks.push(click);
        pending.queued += 1;
        drop(pending);
        if first {
            self.queue.wake.notify_one();
        }
        Ok(())
    }

    /// Returns once every click queued before the call is committed.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        {
            let mut pending = self.queue.pending.lock().expect("click queue");
            // Nothing queued, nothing being written: every click is already
            // committed, and sales need not wait for a writer round.
            if pending.clicks.is_empty() && !pending.writing {
                return;
            }
            let upto = pending.queued;
            pending.flushes.push((upto, done));
        }
        self.queue.wake.notify_one();
        let _ = wait.await;
    }
}

impl WriterHandle {
    pub fn writer(&self) -> ClickWriter {
        self.writer.clone()
    }

    /// Flushes and stops the writer (graceful shutdown).
    pub async fn shutdown(self) {
        self.writer.flush().await;
        self.task.abort();
        let _ = self.task.await;
    }
}

async fn run(queue: Arc<Queue>, sink: Sink) {
    loop {
        queue.wake.notified().await;
        let (flushing, full) = {
            let pending = queue.pending.lock().expect("click queue");
            (
                !pending.flushes.is_empty(),
                pending.clicks.len() >= MAX_BATCH,
            )
        };
        // Linger so a batch fills, unless someone waits or it is full already.
        if !flushing && !full {
            tokio::time::sleep(LINGER).await;
        }
        let (clicks, committed_after) = {
            let mut pending = queue.pending.lock().expect("click queue");
            let n = pending.clicks.len().min(MAX_BATCH);
            pending.writing = n > 0;
            let batch: Vec<ClickRecord> = pending.clicks.drain(..n).collect();
            (batch, pending.committed + n as u64)
        };
        queue.room.notify_waiters();
        if !clicks.is_empty() {
            write_with_retry(&sink, &Arc::new(clicks)).await;
        }
        let answered: Vec<oneshot::Sender<()>> = {
            let mut pending = queue.pending.lock().expect("click queue");
            pending.writing = false;
            pending.committed = committed_after;
            let (done, waiting) = std::mem::take(&mut pending.flushes)
                .into_iter()
                .partition(|(upto, _)| *upto <= committed_after);
            pending.flushes = waiting;
            done.into_iter().map(|(_, tx)| tx).collect()
        };
        for done in answered {
            let _ = done.send(());
        }
        // Clicks that arrived while writing found the queue non-empty and
        // did not wake us: go round again at once if there are any.
        if !queue.pending.lock().expect("click queue").clicks.is_empty() {
            queue.wake.notify_one();
        }
    }
}

async fn write_with_retry(sink: &Sink, batch: &Arc<Vec<ClickRecord>>) {
    for attempt in 1..=5 {
        match sink.write(batch).await {
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

/// The `referral.created` payload of a click's new referral. Built as text:
/// this runs for every new visitor.
fn referral_created_payload(click: &ClickRecord, r: &NewReferral) -> String {
    format!(
        r#"{{"id":"{}","affiliate_id":"{}","link_id":"{}","state":"{}","expires_at":"{}","created_at":"{}"}}"#,
        r.id,
        r.affiliate_id,
        click.link_id,
        ReferralState::Visitor.as_str(),
        r.expires_at.to_rfc3339(),
        click.at.to_rfc3339()
    )
}

/// A link's visitors are the referrals its clicks started.
/// In link order, so concurrent writers (other instances, the sales writer)
/// lock link rows in the same order and never deadlock each other.
fn new_visitors_per_link(batch: &[ClickRecord]) -> Vec<(LinkId, i64)> {
    let mut per_link: HashMap<LinkId, i64> = HashMap::new();
    for c in batch.iter().filter(|c| c.new_referral.is_some()) {
        *per_link.entry(c.link_id).or_default() += 1;
    }
    let mut ordered: Vec<(LinkId, i64)> = per_link.into_iter().collect();
    ordered.sort_unstable();
    ordered
}

#[cfg(test)]
mod tests;
