//! What a click needs to know about a link, cached in memory: the click
//! path must not wait for the database.
//!
//! Every change to what the cache holds (a link, an affiliate, a campaign,
//! a store's slug) commits through [`commit`], which bumps the `links` row
//! of `cache_versions` in the change's own transaction and then empties
//! this instance's cache. Every instance also polls that row each
//! [`POLL`] (a background task, never the click path) and empties its cache
//! when it moved: a suspension made through one instance reaches every
//! other on the same database within a poll. The TTL is only a backstop
//! for a poll that fails.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use super::ServiceResult;
use crate::domain::campaign::Attribution;
use crate::domain::destination::AllowedHosts;
use crate::domain::{AffiliateId, CampaignId, LinkId, StoreId};
use crate::entities::{affiliate, campaign, link, store};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseConnectionType, DatabaseTransaction,
    DbErr, EntityTrait, QueryFilter, QueryOrder, Statement,
};

const TTL: Duration = Duration::from_secs(10);
/// How often each instance reads the version row.
pub const POLL: Duration = Duration::from_millis(500);
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone)]
pub struct CachedLink {
    pub link_id: LinkId,
    pub store_id: StoreId,
    pub store_slug: String,
    pub affiliate_id: AffiliateId,
    pub campaign_id: CampaignId,
    /// Approved and enabled: only then are clicks recorded.
    pub earning: bool,
    pub destination: String,
    /// Where a deep link (`?to=`) may lead: the campaign's site and the
    /// store's hosts, so a click checks it without the database.
    pub allowed: AllowedHosts,
    pub cookie_days: i32,
    pub attribution: Attribution,
}

/// One instance's cache; clones share it.
#[derive(Clone, Default)]
pub struct LinkCache {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    entries: RwLock<Entries>,
    /// The version row as last polled.
    seen: Mutex<Option<i64>>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, (Instant, Arc<Vec<CachedLink>>)>,
    /// Moves on every invalidation: a load that began before one must not
    /// store what it read.
    generation: u64,
}

impl LinkCache {
    /// The cache of the instance that serves `db`: changes committed
    /// through [`commit`] with a clone of `db` empty it at once.
    pub fn for_database(db: &DatabaseConnection) -> Self {
        let cache = Self::default();
        if let Some(pool) = pool_identity(db) {
            let mut instances = INSTANCES.lock().expect("registry lock");
            instances.retain(|(_, weak)| weak.strong_count() > 0);
            instances.push((pool, Arc::downgrade(&cache.shared)));
        }
        cache
    }

    /// Every store's link with this token, oldest first.
    pub async fn lookup(
        &self,
        db: &DatabaseConnection,
        token: &str,
    ) -> ServiceResult<Arc<Vec<CachedLink>>> {
        let generation = {
            let entries = self.shared.entries.read().expect("cache lock");
            if let Some((at, hit)) = entries.map.get(token)
                && at.elapsed() < TTL
            {
                return Ok(hit.clone());
            }
            entries.generation
        };
        let loaded = Arc::new(load(db, token).await?);
        let mut entries = self.shared.entries.write().expect("cache lock");
        if entries.generation == generation {
            if entries.map.len() > MAX_ENTRIES {
                entries.map.clear();
            }
            entries
                .map
                .insert(token.to_owned(), (Instant::now(), loaded.clone()));
        }
        Ok(loaded)
    }

    pub fn invalidate_all(&self) {
        self.shared.invalidate_all();
    }

    /// Reads the version row and empties the cache if it moved since the
    /// last poll (or this is the first).
    pub async fn poll(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM cache_versions WHERE name = 'links'",
            ))
            .await?;
        let version = match row {
            Some(row) => Some(row.try_get::<i64>("", "version")?),
            None => None,
        };
        let mut seen = self.shared.seen.lock().expect("version lock");
        if *seen != version {
            self.shared.invalidate_all();
        }
        *seen = version;
        Ok(())
    }

    /// Polls every [`POLL`] until the task is aborted.
    pub fn spawn_poller(&self, db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = cache.poll(&db).await {
                    tracing::warn!(error = %e, "polling the link cache version failed");
                }
            }
        })
    }
}

impl Shared {
    fn invalidate_all(&self) {
        let mut entries = self.entries.write().expect("cache lock");
        entries.map.clear();
        entries.generation += 1;
    }
}

/// Commits a transaction that changed a link, an affiliate, a campaign or a
/// store: the version row moves in it (other instances see that at their
/// next poll), and once it is committed this instance's cache is emptied.
pub async fn commit(db: &DatabaseConnection, txn: DatabaseTransaction) -> Result<(), DbErr> {
    txn.execute_raw(Statement::from_string(
        txn.get_database_backend(),
        "UPDATE cache_versions SET version = version + 1 WHERE name = 'links'",
    ))
    .await?;
    txn.commit().await?;
    if let Some(pool) = pool_identity(db) {
        let instances: Vec<Arc<Shared>> = INSTANCES
            .lock()
            .expect("registry lock")
            .iter()
            .filter(|(p, _)| *p == pool)
            .filter_map(|(_, weak)| weak.upgrade())
            .collect();
        for shared in instances {
            shared.invalidate_all();
        }
    }
    Ok(())
}

/// The caches of this process, by the connection pool of their instance.
static INSTANCES: Mutex<Vec<(usize, Weak<Shared>)>> = Mutex::new(Vec::new());

/// Which connection pool a handle belongs to: clones of a handle share
/// their pool, and each app instance opens its own (tests run several in
/// one process, which must learn of each other's changes as separate
/// servers would, through the database).
fn pool_identity(db: &DatabaseConnection) -> Option<usize> {
    match &db.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            Some(std::ptr::from_ref(db.get_sqlite_connection_pool().options()).addr())
        }
        DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            Some(std::ptr::from_ref(db.get_postgres_connection_pool().options()).addr())
        }
        _ => None,
    }
}

async fn load(db: &DatabaseConnection, token: &str) -> ServiceResult<Vec<CachedLink>> {
    let links = link::Entity::find()
        .filter(link::Column::Token.eq(token))
        .order_by_asc(link::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(links.len());
    for l in links {
        let Some(a) = affiliate::Entity::find_by_id(l.affiliate_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let Some(c) = campaign::Entity::find_by_id(a.campaign_id).one(db).await? else {
            continue;
        };
        let Some(s) = store::Entity::find_by_id(l.store_id).one(db).await? else {
            continue;
        };
        out.push(CachedLink {
            link_id: LinkId(l.id),
            store_id: StoreId(l.store_id),
            store_slug: s.slug,
            affiliate_id: AffiliateId(a.id),
            campaign_id: CampaignId(c.id),
            earning: super::affiliates::not_earning(&a).is_none(),
            allowed: AllowedHosts::new(&c.website_url, &s.link_hosts),
            destination: l.url.unwrap_or(c.website_url),
            cookie_days: c.cookie_days,
            attribution: Attribution::parse(&c.attribution).unwrap_or(Attribution::FirstClick),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use migration::{Migrator, MigratorTrait};

    use super::*;

    fn cached(cache: &LinkCache) -> usize {
        cache.shared.entries.read().unwrap().map.len()
    }

    fn fill(cache: &LinkCache) {
        let mut entries = cache.shared.entries.write().unwrap();
        entries
            .map
            .insert("ann".into(), (Instant::now(), Arc::new(Vec::new())));
    }

    #[tokio::test]
    async fn clones_of_a_handle_share_their_pool_and_each_connection_has_its_own() {
        let a = crate::db::connect("sqlite::memory:").await.unwrap();
        let b = crate::db::connect("sqlite::memory:").await.unwrap();

        assert!(pool_identity(&a).is_some());
        assert_eq!(pool_identity(&a), pool_identity(&a.clone()));
        assert_ne!(pool_identity(&a), pool_identity(&b));
    }

    #[tokio::test]
    async fn a_commit_empties_its_instances_cache_at_once_and_anothers_at_its_next_poll() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let a = crate::db::connect(&url).await.unwrap();
        Migrator::up(&a, None).await.unwrap();
        let b = crate::db::connect(&url).await.unwrap();
        let (cache_a, cache_b) = (LinkCache::for_database(&a), LinkCache::for_database(&b));
        cache_b.poll(&b).await.unwrap();
        fill(&cache_a);
        fill(&cache_b);

        let txn = crate::db::begin_write(&a).await.unwrap();
        commit(&a, txn).await.unwrap();

        assert_eq!(cached(&cache_a), 0, "this instance: at once");
        assert_eq!(cached(&cache_b), 1, "another instance: not before it polls");
        cache_b.poll(&b).await.unwrap();
        assert_eq!(cached(&cache_b), 0, "another instance: at its poll");
        fill(&cache_b);
        cache_b.poll(&b).await.unwrap();
        assert_eq!(cached(&cache_b), 1, "a poll with no change keeps the cache");
    }
}
