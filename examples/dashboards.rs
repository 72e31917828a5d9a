//! bench/dashboards.sh's helper, on the SQLite database of
//! `TRIBUTARY_DATA_DIR`:
//!
//! - `dashboards seed SLUG VISITS SALES FOCUS_VISITS FOCUS_SALES`: bulk
//!   inserts (one SQL statement per table, rows made by a recursive CTE,
//!   so a million visits take seconds, not the hours of going through the
//!   use cases) over the last 180 days into store SLUG, whose affiliates
//!   and links `tributary seed` made. The first affiliate (by id) is the
//!   "focus" affiliate and gets FOCUS_VISITS visits and FOCUS_SALES sales
//!   and commissions; the rest are spread over the others. One lead per
//!   ten visits; one commission per sale, its status cycling through
//!   pending, due, paid, voided. The dashboards' daily rollups are then
//!   rebuilt from a full count (the migration's backfill): the triggers
//!   counted the leads, sales and commissions as they went in, but visits
//!   are counted by the click writer, which bulk SQL bypasses.
//! - `dashboards time SLUG N`: N times each, the services the dashboards
//!   call for 90 days — the focus affiliate's (summary + balance and next
//!   payout: what the portal dashboard needs) and the store's (summary, top
//!   affiliates, staff queue) — and prints p50/p95 in milliseconds.

use std::time::Instant;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use tributary::config::{Config, Settings};
use tributary::domain::period::Period;
use tributary::domain::{AffiliateId, StoreId};
use tributary::services::stats::{self, Scope, TopBy};

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

/// `n` rows numbered 0..n, spread over the last DAYS days (`at`, RFC 3339
/// text as sqlx writes it), each with its affiliate (`aff.n`).
fn rows(n: i64, focus: i64) -> String {
    format!(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {last}),
         r AS (SELECT i,
                 CASE WHEN i < {focus} THEN 0 ELSE 1 + (i % ((SELECT COUNT(*) FROM aff) - 1)) END AS n,
                 strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) - ((i * 2654435761) % ({DAYS} * 86400)), 'unixepoch') AS at
               FROM k)",
        last = n - 1
    )
}

async fn seed(
    pool: &DatabaseConnection,
    slug: &str,
    visits: i64,
    sales: i64,
    focus_visits: i64,
    focus_sales: i64,
) -> anyhow::Result<()> {
    // One transaction: one connection (the temp tables live there) and one commit.
    let txn = pool.begin().await?;
    let db = &txn;
    exec(
        db,
        &format!("CREATE TEMP TABLE clock AS SELECT CAST(strftime('%s', 'now') AS INTEGER) AS now"),
    )
    .await?;
    exec(db, &format!(
        "CREATE TEMP TABLE aff AS SELECT row_number() OVER (ORDER BY a.id) - 1 AS n, a.store_id, a.id AS affiliate_id,
           a.campaign_id, l.id AS link_id, randomblob(16) AS referral_id
         FROM affiliates a JOIN links l ON l.affiliate_id = a.id JOIN stores s ON s.id = a.store_id WHERE s.slug = '{slug}'"
    )).await?;
    exec(db, "CREATE UNIQUE INDEX temp.aff_n ON aff (n)").await?;
    // One referral per affiliate carries its visits (a visit needs one).
    exec(db, "INSERT INTO referrals (id, store_id, affiliate_id, campaign_id, link_id, state, self_referral, source, sale_count, expires_at, created_at, updated_at)
              SELECT referral_id, store_id, affiliate_id, campaign_id, link_id, 'visitor', 0, 'link', 0,
                     strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) + 86400 * 30, 'unixepoch'),
                     strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) - 86400 * 181, 'unixepoch'),
                     strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) - 86400 * 181, 'unixepoch')
              FROM aff").await?;
    exec(db, &format!(
        "INSERT INTO visits (id, store_id, link_id, referral_id, created_at)
         {} SELECT randomblob(16), aff.store_id, aff.link_id, aff.referral_id, r.at FROM r JOIN aff ON aff.n = r.n",
        rows(visits, focus_visits)
    )).await?;
    exec(db, &format!(
        "INSERT INTO referrals (id, store_id, affiliate_id, campaign_id, link_id, state, self_referral, source, sale_count, expires_at, lead_at, created_at, updated_at)
         {} SELECT randomblob(16), aff.store_id, aff.affiliate_id, aff.campaign_id, aff.link_id, 'lead', 0, 'link', 0, r.at, r.at, r.at, r.at
         FROM r JOIN aff ON aff.n = r.n",
        rows(visits / 10, focus_visits / 10)
    )).await?;
    exec(db, &format!(
        "INSERT INTO sales (id, store_id, external_id, referral_id, affiliate_id, amount_minor, tax_minor, currency, refunded_minor, attribution, occurred_at, created_at)
         {} SELECT randomblob(16), aff.store_id, 'bench-' || r.i, aff.referral_id, aff.affiliate_id, 1000 + (r.i % 9000), (r.i % 3) * 100, 'USD', 0, 'referral', r.at, r.at
         FROM r JOIN aff ON aff.n = r.n",
        rows(sales, focus_sales)
    )).await?;
    exec(db, &format!(
        "INSERT INTO commissions (id, store_id, affiliate_id, campaign_id, referral_id, kind, sale_amount_minor, amount_minor, original_amount_minor, currency, status, due_at, created_by, created_at, updated_at)
         {} SELECT randomblob(16), aff.store_id, aff.affiliate_id, aff.campaign_id, aff.referral_id, 'manual', 1000 + (r.i % 9000), 100 + (r.i % 900), 100 + (r.i % 900), 'USD',
           CASE r.i % 4 WHEN 0 THEN 'pending' WHEN 1 THEN 'due' WHEN 2 THEN 'paid' ELSE 'voided' END,
           -- A pending commission is still in its hold period: were it due
           -- already, the server's promoter would spend its first minutes
           -- promoting 50,000 of them while the page is being timed.
           CASE r.i % 4 WHEN 0 THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', (SELECT now FROM clock) + 86400 * 30, 'unixepoch') ELSE r.at END,
           'bench', r.at, r.at
         FROM r JOIN aff ON aff.n = r.n",
        rows(sales, focus_sales)
    )).await?;
    let started = Instant::now();
    migration::rebuild_stats_rollups(db).await?;
    eprintln!(
        "  {:>6.1} s  rollups rebuilt from a full count",
        started.elapsed().as_secs_f64()
    );
    txn.commit().await?;
    exec(pool, "ANALYZE").await?;
    Ok(())
}

fn report(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() as f64 * q) as usize).min(ms.len() - 1)];
    println!(
        "  {label:<44} p50 {:>7.1} ms   p95 {:>7.1} ms",
        at(0.5),
        at(0.95)
    );
}

async fn time(db: &DatabaseConnection, slug: &str, n: usize) -> anyhow::Result<()> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT s.id AS store, (SELECT MIN(a.id) FROM affiliates a WHERE a.store_id = s.id) AS focus FROM stores s WHERE s.slug = '{slug}'"),
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no store {slug}"))?;
    let store = StoreId(row.try_get("", "store")?);
    let focus = AffiliateId(row.try_get("", "focus")?);
    let period = Period::last_days(90, Utc::now().date_naive());
    let (mut portal, mut admin) = (Vec::new(), Vec::new());
    // The store's three parts apart: summary, top affiliates, queue.
    let mut parts = [Vec::new(), Vec::new(), Vec::new()];
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..n {
        let t = Instant::now();
        let s = stats::summary(db, Scope::affiliate(store, focus), &period).await?;
        stats::affiliate_money(db, store, focus).await?;
        portal.push(ms(t));
        std::hint::black_box(s);
        let t = Instant::now();
        let s = stats::summary(db, Scope::store(store), &period).await?;
        parts[0].push(ms(t));
        let p = Instant::now();
        stats::top_affiliates(db, store, &period, TopBy::Revenue, 5).await?;
        parts[1].push(ms(p));
        let p = Instant::now();
        stats::store_queue(db, store, "USD").await?;
        parts[2].push(ms(p));
        admin.push(ms(t));
        std::hint::black_box(s);
    }
    let s = stats::summary(db, Scope::affiliate(store, focus), &period).await?;
    println!(
        "Services, 90 days, {n} runs each (focus affiliate: {} visits, {} conversions in the period):",
        s.totals.visitors, s.totals.conversions
    );
    report("portal: affiliate summary + balance/next payout", portal);
    report("store: summary + top affiliates + queue", admin);
    let [summary, top, queue] = parts;
    report("  of which summary", summary);
    report("  of which top affiliates", top);
    report("  of which queue (pending, Due view)", queue);
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
        Some("seed") => seed(&db, &args[1], num(2)?, num(3)?, num(4)?, num(5)?).await,
        Some("time") => time(&db, &args[1], num(2)? as usize).await,
        _ => anyhow::bail!(
            "usage: dashboards seed SLUG VISITS SALES FOCUS_VISITS FOCUS_SALES | time SLUG N"
        ),
    }
}
