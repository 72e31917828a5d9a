//! The tracking script's calls come from the store's own sites: a
//! campaign's website, or a host allowed in Settings.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use url::Url;

use super::Tracking;
use crate::domain::StoreId;
use crate::domain::web_url::site_host;
use crate::entities::campaign;
use crate::services::{ServiceError, ServiceResult, stores};

/// The store a tracking call names, from one of its sites.
#[derive(Debug, Clone)]
pub struct Site {
    pub store_id: StoreId,
    /// The calling page's origin, to allow in the answer (CORS); `None`
    /// when the caller sent none (a server, a test).
    pub origin: Option<String>,
    /// Whether the store has seen its tracking script run (read with the
    /// store, so the visit path writes only until the first time).
    pub script_seen: bool,
}

/// The store `slug`, if the calling page (`origin`) is one of its sites.
pub async fn resolve(t: &Tracking<'_>, slug: &str, origin: Option<&str>) -> ServiceResult<Site> {
    let store = stores::find_by_slug(t.db, slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(origin) = origin else {
        // Not a browser's cross-origin call: no CORS to grant.
        return Ok(Site {
            store_id: StoreId(store.id),
            origin: None,
            script_seen: store.script_seen_at.is_some(),
        });
    };
    let refused =
        || ServiceError::Forbidden("This site is not one of the store's websites.".into());
    // Scheme, host (with or without www.) and port must all match a
    // campaign's website; a host listed in Settings must be https (or local).
    let origin_url = Url::parse(origin).map_err(|_| refused())?;
    let key = |u: &Url| {
        (
            u.scheme().to_owned(),
            site_host(u),
            u.port_or_known_default(),
        )
    };
    let origin_key = key(&origin_url);
    let campaigns = campaign::Entity::find()
        .filter(campaign::Column::StoreId.eq(store.id))
        .all(t.db)
        .await?;
    let local = matches!(origin_key.1.as_str(), "localhost" | "127.0.0.1");
    let allowed = campaigns
        .iter()
        .any(|c| Url::parse(&c.website_url).is_ok_and(|u| key(&u) == origin_key))
        || ((origin_key.0 == "https" || local)
            && store
                .link_hosts
                .lines()
                .any(|h| h.trim().trim_start_matches("www.") == origin_key.1));
    if !allowed {
        return Err(refused());
    }
    Ok(Site {
        store_id: StoreId(store.id),
        origin: Some(origin.to_owned()),
        script_seen: store.script_seen_at.is_some(),
    })
}
