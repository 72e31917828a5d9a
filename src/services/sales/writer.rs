//! Group commit for sales: one writer task records many sales per
//! transaction and answers each caller only after the shared commit. One
//! fsync per transaction caps one-sale commits near 500/s here; batches lift
//! it. A batch shares its reads and stages its writes (`work`), so it costs
//! about a dozen statements however many sales it holds; one refused sale is
//! rolled back in memory and never undoes another.

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::work::Work;
use super::{Parsed, Recorded, SaleInput, parse, record_in, record_parsed};
use crate::db;
use crate::entities::store;
use crate::services::{Actor, ServiceError, ServiceResult, campaigns, instance};

#[derive(Clone)]
pub struct SalesWriter {
    tx: tokio::sync::mpsc::Sender<Job>,
}

struct Job {
    store: store::Model,
    actor: Actor,
    parsed: Parsed,
    /// The public URL of the request that sent the sale, for the portal
    /// link in its commission mail (`services::instance`): the writer's
    /// task runs outside that request.
    public_base: Option<String>,
    reply: tokio::sync::oneshot::Sender<ServiceResult<Recorded>>,
}

const SALES_BATCH: usize = 256;

impl SalesWriter {
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        tokio::spawn(run_sales_writer(db, rx));
        Self { tx }
    }

    /// Validates, then queues the sale; returns once it is committed.
    pub async fn record(
        &self,
        store: &store::Model,
        actor: &Actor,
        input: SaleInput,
    ) -> ServiceResult<Recorded> {
        let currency = campaigns::currency_of(store);
        let parsed = parse(&input, currency, db::stored_now())?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            store: store.clone(),
            actor: actor.clone(),
            parsed,
            public_base: instance::request_base(),
            reply,
        };
        self.tx
            .send(job)
            .await
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("the sales writer has stopped")))?;
        answer.await.map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("the sales writer dropped a sale"))
        })?
    }
}

async fn run_sales_writer(db: DatabaseConnection, mut rx: tokio::sync::mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        // What queued while the last batch committed goes in this one;
        // waiting for more would only add latency (the commit is the
        // natural linger under load).
        while jobs.len() < SALES_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&db, jobs).await;
    }
}

async fn commit_batch(db: &DatabaseConnection, jobs: Vec<Job>) {
    match commit_together(db, &jobs).await {
        Ok(answers) => {
            for (job, answer) in jobs.into_iter().zip(answers) {
                let _ = job.reply.send(answer);
            }
        }
        Err(e) => {
            // The database refused the batch (most likely another instance
            // booked one of these payments first) and it was undone. Each
            // sale is recorded alone instead, which answers a duplicate with
            // the original.
            tracing::warn!(error = %e, sales = jobs.len(), "a batch of sales failed; recording them one by one");
            for job in jobs {
                let answer = instance::serving_under(
                    job.public_base.clone(),
                    record_parsed(db, &job.store, &job.actor, &job.parsed),
                )
                .await;
                let _ = job.reply.send(answer);
            }
        }
    }
}

/// The batch in one transaction: read together, staged sale by sale (one
/// refused sale never undoes another), written together, committed once.
async fn commit_together(
    db: &DatabaseConnection,
    jobs: &[Job],
) -> ServiceResult<Vec<ServiceResult<Recorded>>> {
    let txn = db::begin_write(db).await?;
    let mut work = Work::default();
    let payments: Vec<(Uuid, String)> = jobs
        .iter()
        .map(|j| (j.store.id, j.parsed.external_id.clone()))
        .collect();
    let referrals: Vec<(Uuid, Uuid)> = jobs
        .iter()
        .filter_map(|j| Some((j.store.id, j.parsed.referral_id?)))
        .collect();
    work.prefetch(&txn, &payments, &referrals).await?;
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let recorded = instance::serving_under(
            job.public_base.clone(),
            record_in(&mut work, &txn, &job.store, &job.actor, &job.parsed),
        );
        match recorded.await {
            // A failed statement can leave the transaction unusable
            // (PostgreSQL): give up the batch.
            Err(ServiceError::Db(e)) => return Err(ServiceError::Db(e)),
            answer => answers.push(answer),
        }
    }
    work.flush(&txn).await?;
    txn.commit().await?;
    Ok(answers)
}
