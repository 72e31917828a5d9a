//! What a click needs to know about a link, cached in memory for a few
//! seconds: the click path must not wait for the database. The short TTL is
//! what lets several instances share one database (a suspension reaches
//! every instance within `TTL`); changes made here invalidate at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ServiceResult;
use crate::domain::campaign::Attribution;
use crate::entities::{affiliate, campaign, link, store};

const TTL: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct CachedLink {
    pub link_id: Uuid,
    pub store_id: Uuid,
    pub store_slug: String,
    pub affiliate_id: Uuid,
    pub campaign_id: Uuid,
    /// Approved and enabled: only then are clicks recorded.
    pub earning: bool,
    pub destination: String,
    pub cookie_days: i32,
    pub attribution: Attribution,
}

#[derive(Clone, Default)]
pub struct LinkCache {
    entries: Arc<RwLock<HashMap<String, (Instant, Arc<Vec<CachedLink>>)>>>,
}

impl LinkCache {
    /// Every store's link with this token, oldest first.
    pub async fn lookup(
        &self,
        db: &DatabaseConnection,
        token: &str,
    ) -> ServiceResult<Arc<Vec<CachedLink>>> {
        if let Some((at, hit)) = self.entries.read().expect("cache lock").get(token)
            && at.elapsed() < TTL
        {
            return Ok(hit.clone());
        }
        let loaded = Arc::new(load(db, token).await?);
        let mut entries = self.entries.write().expect("cache lock");
        if entries.len() > 100_000 {
            entries.clear();
        }
        entries.insert(token.to_owned(), (Instant::now(), loaded.clone()));
        Ok(loaded)
    }

    pub fn invalidate_all(&self) {
        self.entries.write().expect("cache lock").clear();
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
            link_id: l.id,
            store_id: l.store_id,
            store_slug: s.slug,
            affiliate_id: a.id,
            campaign_id: c.id,
            earning: super::affiliates::not_earning(&a).is_none(),
            destination: l.url.unwrap_or(c.website_url),
            cookie_days: c.cookie_days,
            attribution: Attribution::parse(&c.attribution).unwrap_or(Attribution::FirstClick),
        });
    }
    Ok(out)
}
