//! bench/payouts.sh's helper, on the SQLite database of
//! `TRIBUTARY_DATA_DIR`:
//!
//! - `payouts seed SLUG PER_AFFILIATE EXTRA`: every affiliate of store SLUG
//!   (made by `tributary seed`) becomes approved with a payout email and
//!   gets PER_AFFILIATE due commissions, with their `commission_due` ledger
//!   entries and cached balance, so the books balance as the use cases
//!   would leave them; then EXTRA more commissions (pending, voided,
//!   refunded: none in a balance) spread over the last 180 days, for the
//!   Commissions page at scale. Bulk SQL (rows made by a recursive CTE):
//!   seconds, not the minutes of going through the use cases.
//! - `payouts count SLUG`: payouts by status and method, with their sums.
//! - `payouts profile SLUG N`: where the Due view's "pay everyone" spends
//!   its time, in process: `services::payouts::create` for N due affiliates
//!   with the app's SQLite settings (`synchronous=FULL`), for N more with
//!   `synchronous=OFF` (no fsync per commit: the difference is the disk),
//!   and the cost of one statement round trip through the pool.

use std::time::Instant;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use tributary::config::{Config, Settings};
use tributary::domain::states::{CommissionStatus, LedgerKind};

const DAYS: i64 = 180;

async fn exec(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    db.execute_unprepared(sql).await?;
    eprintln!(
        "  {:>6.1} s  {}",
        started.elapsed().as_secs_f64(),
        &sql[..sql.len().min(60)].replace('\n', " ")
    );
    Ok(())
}

async fn seed(
    pool: &DatabaseConnection,
    slug: &str,
    per_affiliate: i64,
    extra: i64,
) -> anyhow::Result<()> {
    let due = CommissionStatus::Due.as_str();
    let (pending, voided, refunded) = (
        CommissionStatus::Pending.as_str(),
        CommissionStatus::Voided.as_str(),
        CommissionStatus::Refunded.as_str(),
    );
    let credit = LedgerKind::CommissionDue.as_str();
    let approved = tributary::domain::affiliate::AffiliateStatus::Approved.as_str();
    // One transaction: one connection (the temp tables live there) and one commit.
    let txn = pool.begin().await?;
    let db = &txn;
    exec(
        db,
        "CREATE TEMP TABLE clock AS SELECT CAST(strftime('%s', 'now') AS INTEGER) AS now",
    )
    .await?;
    exec(db, &format!(
        "CREATE TEMP TABLE aff AS SELECT row_number() OVER (ORDER BY a.id) - 1 AS n, a.store_id, a.id AS affiliate_id, a.campaign_id
         FROM affiliates a JOIN stores s ON s.id = a.store_id WHERE s.slug = '{slug}'"
    )).await?;
    exec(db, "CREATE UNIQUE INDEX temp.aff_n ON aff (n)").await?;
    exec(
        db,
        &format!(
        "UPDATE affiliates SET status = '{approved}', is_enabled = 1, payout_email = 'pay-' || email
         WHERE id IN (SELECT affiliate_id FROM aff)"
    ),
    )
    .await?;
    exec(
        db,
        "UPDATE campaigns SET minimum_payout_minor = 0 WHERE id IN (SELECT campaign_id FROM aff)",
    )
    .await?;
    // PER_AFFILIATE due commissions each, due over the last days (oldest first).
    let last = per_affiliate * affiliates(db).await? - 1;
    exec(db, &format!(
        "INSERT INTO commissions (id, store_id, affiliate_id, campaign_id, kind, sale_amount_minor, amount_minor, original_amount_minor, currency, status, due_at, created_by, created_at, updated_at)
         WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {last}),
         r AS (SELECT i, i % (SELECT COUNT(*) FROM aff) AS n,
                 strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) - 86400 - i, 'unixepoch') AS at FROM k)
         SELECT randomblob(16), aff.store_id, aff.affiliate_id, aff.campaign_id, 'manual', 1000 + (r.i % 9000), 100 + (r.i % 900), 100 + (r.i % 900), 'USD',
           '{due}', r.at, 'bench', r.at, r.at
         FROM r JOIN aff ON aff.n = r.n"
    )).await?;
    exec(db, &format!(
        "INSERT INTO ledger_entries (id, store_id, affiliate_id, commission_id, payout_id, kind, amount_minor, currency, created_at)
         SELECT randomblob(16), c.store_id, c.affiliate_id, c.id, NULL, '{credit}', c.amount_minor, c.currency, c.due_at
         FROM commissions c WHERE c.status = '{due}' AND c.created_by = 'bench' AND c.affiliate_id IN (SELECT affiliate_id FROM aff)"
    )).await?;
    exec(
        db,
        &format!(
        "CREATE TEMP TABLE sums AS SELECT affiliate_id, SUM(amount_minor) AS total FROM commissions
         WHERE status = '{due}' AND created_by = 'bench' GROUP BY affiliate_id"
    ),
    )
    .await?;
    exec(
        db,
        "CREATE UNIQUE INDEX temp.sums_affiliate ON sums (affiliate_id)",
    )
    .await?;
    exec(db,
        "UPDATE affiliates SET balance_minor = balance_minor + (SELECT total FROM sums WHERE sums.affiliate_id = affiliates.id)
         WHERE id IN (SELECT affiliate_id FROM sums)",
    ).await?;
    if extra > 0 {
        exec(db, &format!(
            "INSERT INTO commissions (id, store_id, affiliate_id, campaign_id, kind, sale_amount_minor, amount_minor, original_amount_minor, currency, status, due_at, created_by, created_at, updated_at)
             WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {last}),
             r AS (SELECT i, (i * 7) % (SELECT COUNT(*) FROM aff) AS n,
                     strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) - ((i * 2654435761) % ({DAYS} * 86400)), 'unixepoch') AS at,
                     -- still in its hold period: the promoter job leaves it pending
                     strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) + 86400 + (i % (30 * 86400)), 'unixepoch') AS due FROM k)
             SELECT randomblob(16), aff.store_id, aff.affiliate_id, aff.campaign_id, 'manual', 1000 + (r.i % 9000), 100 + (r.i % 900), 100 + (r.i % 900), 'USD',
               CASE r.i % 3 WHEN 0 THEN '{pending}' WHEN 1 THEN '{voided}' ELSE '{refunded}' END,
               CASE r.i % 3 WHEN 0 THEN r.due ELSE r.at END, 'bench-extra', r.at, r.at
             FROM r JOIN aff ON aff.n = r.n",
            last = extra - 1
        )).await?;
    }
    txn.commit().await?;
    exec(pool, "ANALYZE").await?;
    Ok(())
}

async fn affiliates(db: &impl ConnectionTrait) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM aff",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no count"))?;
    Ok(row.try_get("", "n")?)
}

async fn count(db: &DatabaseConnection, slug: &str) -> anyhow::Result<()> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT p.status, p.method, COUNT(*) AS n, CAST(SUM(p.amount_minor) AS BIGINT) AS total, CAST(SUM(p.commission_count) AS BIGINT) AS commissions
                 FROM payouts p JOIN stores s ON s.id = p.store_id WHERE s.slug = '{slug}' GROUP BY p.status, p.method"
            ),
        ))
        .await?;
    if rows.is_empty() {
        println!("  no payouts");
    }
    for r in rows {
        println!(
            "  {} {}: {} payouts, {} commissions, {} minor units",
            r.try_get::<String>("", "status")?,
            r.try_get::<String>("", "method")?,
            r.try_get::<i64>("", "n")?,
            r.try_get::<i64>("", "commissions")?,
            r.try_get::<i64>("", "total")?,
        );
    }
    Ok(())
}

async fn pay(db: &DatabaseConnection, slug: &str, n: usize) -> anyhow::Result<(usize, f64)> {
    use tributary::domain::payout::PayoutMethod;
    use tributary::services::payouts::{self, CreateInput};
    let store = tributary::services::stores::find_by_slug(db, slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no store {slug}"))?;
    let view = payouts::due(
        db,
        tributary::domain::StoreId(store.id),
        &store.currency,
        PayoutMethod::External,
    )
    .await?;
    let ids: Vec<_> = view
        .rows
        .iter()
        .take(n)
        .map(|r| tributary::domain::AffiliateId(r.affiliate_id))
        .collect();
    let started = Instant::now();
    let created = payouts::create(
        db,
        &store,
        &tributary::services::Actor::cli(),
        CreateInput {
            affiliate_ids: Some(ids),
            method: PayoutMethod::External,
            comment: None,
        },
    )
    .await?;
    Ok((
        created.payouts.len(),
        started.elapsed().as_secs_f64() * 1000.0,
    ))
}

async fn profile(url: &str, slug: &str, n: usize) -> anyhow::Result<()> {
    let full = tributary::db::connect(url).await?;
    let mut options = sea_orm::ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(8)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Off)
                .busy_timeout(std::time::Duration::from_secs(10))
                .foreign_keys(true)
        });
    let off = sea_orm::Database::connect(options).await?;
    let started = Instant::now();
    for _ in 0..1000 {
        full.execute_unprepared("SELECT 1").await?;
    }
    let trip = started.elapsed().as_secs_f64();
    println!("  one statement round trip: {:.3} ms", trip);
    for (label, db) in [
        ("synchronous=FULL (the app's)", &full),
        ("synchronous=OFF", &off),
    ] {
        let (made, ms) = pay(db, slug, n).await?;
        println!(
            "  {label:<30} {made} payouts in {ms:>8.1} ms: {:.2} ms each",
            ms / made.max(1) as f64
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = Settings {
        data_dir: std::env::var("TRIBUTARY_DATA_DIR").ok(),
        ..Settings::default()
    };
    let config = Config::from_settings(&settings)?;
    let db = tributary::db::connect(&config.database_url).await?;
    let num = |i: usize| -> anyhow::Result<i64> {
        Ok(args
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("missing argument {i}"))?
            .parse()?)
    };
    match args.first().map(String::as_str) {
        Some("seed") => seed(&db, &args[1], num(2)?, num(3)?).await,
        Some("count") => count(&db, &args[1]).await,
        Some("profile") => profile(&config.database_url, &args[1], num(2)? as usize).await,
        _ => anyhow::bail!(
            "usage: payouts seed SLUG PER_AFFILIATE EXTRA | count SLUG | profile SLUG N"
        ),
    }
}
