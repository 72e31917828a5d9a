//! Referral links: `{public_url}/r/{token}`. Tokens are unique per store;
//! a destination must stay on the campaign's site or a host the store
//! allows, so a link can never be an open redirect.
//!
//! Here the reads and the shared rules; one file per write (`create`,
//! `update`, `delete`).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::constraint::{LINK_TOKEN, ResultExt};
use super::paging::{Page, PageRequest};
use super::{Actor, ServiceError, ServiceResult, affiliates, audit, campaigns, crypto, events};
use crate::db;
use crate::domain::CampaignId;
use crate::domain::destination::AllowedHosts;
use crate::domain::link_token::{parse_link_token, token_from_name};
use crate::domain::web_url::parse_web_url;
use crate::domain::{AffiliateId, LinkId};
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{affiliate, link, store};

mod create;
mod delete;
mod update;

pub use create::{create, insert_default};
pub use delete::{DeleteLinkError, delete};
pub use update::update;

pub fn share_url(public_base: &str, token: &str) -> String {
    format!("{public_base}/r/{token}")
}

/// A link as its outbox events carry it: the fields of the API's link
/// body (`web::api::v1::links::LinkBody`), `share_url` included.
pub fn snapshot(l: &link::Model, share_url: String) -> serde_json::Value {
    json!({
        "id": l.id,
        "affiliate_id": l.affiliate_id,
        "token": l.token,
        "url": l.url,
        "share_url": share_url,
        "visitors": l.visitors,
        "leads": l.leads,
        "conversions": l.conversions,
        "created_at": l.created_at,
    })
}

/// The address to share for this link: `/r/{token}`, unless an older link of
/// another store owns that token there, then `/r/{store}/{token}`.
pub async fn share_url_of(
    conn: &impl ConnectionTrait,
    public_base: &str,
    store_slug: &str,
    l: &link::Model,
) -> ServiceResult<String> {
    let mut urls = share_urls(conn, public_base, store_slug, std::slice::from_ref(l)).await?;
    Ok(urls.pop().expect("one url per link"))
}

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: LinkId,
) -> ServiceResult<link::Model> {
    link::Entity::find_by_id(id)
        .filter(link::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn of_affiliate(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<Vec<link::Model>> {
    Ok(link::Entity::find()
        .filter(link::Column::StoreId.eq(store_id.0))
        .filter(link::Column::AffiliateId.eq(affiliate_id))
        .order_by_asc(link::Column::Id)
        .limit(500)
        .all(conn)
        .await?)
}

pub async fn list_page(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: Option<AffiliateId>,
    page: PageRequest,
) -> ServiceResult<Page<link::Model>> {
    let mut query = link::Entity::find()
        .filter(link::Column::StoreId.eq(store_id.0))
        .order_by_desc(link::Column::Id)
        .limit(page.limit + 1);
    if let Some(a) = affiliate_id {
        query = query.filter(link::Column::AffiliateId.eq(a));
    }
    if let Some(after) = page.starting_after {
        query = query.filter(link::Column::Id.lt(after));
    }
    Ok(Page::from_overfetch(query.all(conn).await?, page.limit))
}

/// The first (default) link token of each affiliate, for list rows.
pub async fn first_tokens(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_ids: &[AffiliateId],
) -> ServiceResult<std::collections::HashMap<Uuid, String>> {
    let mut tokens = std::collections::HashMap::new();
    if affiliate_ids.is_empty() {
        return Ok(tokens);
    }
    let rows = link::Entity::find()
        .filter(link::Column::StoreId.eq(store_id.0))
        .filter(link::Column::AffiliateId.is_in(affiliate_ids.to_vec()))
        .all(conn)
        .await?;
    // Sorted here: an ORDER BY lets the planner prefer walking the whole
    // store's links in id order over the (store, affiliate) index.
    let mut rows = rows;
    rows.sort_by_key(|l| l.id);
    for l in rows {
        tokens.entry(l.affiliate_id).or_insert(l.token);
    }
    Ok(tokens)
}

pub(super) async fn token_taken(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    token: &str,
    except: Option<Uuid>,
) -> ServiceResult<bool> {
    let mut q = link::Entity::find()
        .filter(link::Column::StoreId.eq(store_id.0))
        .filter(link::Column::Token.eq(token));
    if let Some(id) = except {
        q = q.filter(link::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// A link's destination: a full address (≤ 256 characters) on the
/// campaign's site or a host the store allows (`domain::destination`); the
/// message names the allowed hosts.
pub fn check_destination(
    url: &str,
    campaign_website: &str,
    store_hosts: &str,
) -> Result<String, String> {
    let parsed = parse_web_url(url, 256)?;
    let allowed = AllowedHosts::new(campaign_website, store_hosts);
    if !allowed.allows(&parsed) {
        return Err(allowed.refusal());
    }
    Ok(parsed.to_string())
}

pub struct LinkInput {
    pub token: Option<String>,
    /// `Some("")` clears the destination (back to the campaign's site).
    pub url: Option<String>,
}

/// Changes to a link: `None` keeps what the row holds when the write
/// transaction reads it (locked); `url: Some("")` goes back to the
/// campaign's site.
#[derive(Debug, Clone, Default)]
pub struct LinkForUpdate {
    pub token: Option<String>,
    pub url: Option<String>,
}

pub(super) async fn destination(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    a: &affiliate::Model,
    url: &str,
) -> ServiceResult<Option<String>> {
    if url.trim().is_empty() {
        return Ok(None);
    }
    let campaign = campaigns::get(conn, StoreId(store.id), CampaignId(a.campaign_id)).await?;
    check_destination(url, &campaign.website_url, &store.link_hosts)
        .map(Some)
        .map_err(|m| ValidationErrors::single("url", m).into())
}

/// What pages and the API read of a link.
pub use crate::entities::link::Model as Link;

/// `share_url_of` for several links of one store, in one query.
pub async fn share_urls(
    conn: &impl ConnectionTrait,
    public_base: &str,
    store_slug: &str,
    links: &[Link],
) -> ServiceResult<Vec<String>> {
    let Some(first) = links.first() else {
        return Ok(vec![]);
    };
    debug_assert!(links.iter().all(|l| l.store_id == first.store_id));
    let tokens: Vec<String> = links.iter().map(|l| l.token.clone()).collect();
    // The oldest link of another store holding each token (min in Rust:
    // PostgreSQL has no min(uuid)). A token is unique per store, so this is
    // a few rows at most per token.
    let mut oldest_elsewhere = std::collections::HashMap::<String, Uuid>::new();
    let rows: Vec<(String, Uuid)> = link::Entity::find()
        .select_only()
        .column(link::Column::Token)
        .column(link::Column::Id)
        .filter(link::Column::Token.is_in(tokens))
        .filter(link::Column::StoreId.ne(first.store_id))
        .into_tuple()
        .all(conn)
        .await?;
    for (token, id) in rows {
        let oldest = oldest_elsewhere.entry(token).or_insert(id);
        *oldest = (*oldest).min(id);
    }
    Ok(links
        .iter()
        .map(|l| match oldest_elsewhere.get(&l.token) {
            Some(oldest) if *oldest < l.id => format!("{public_base}/r/{store_slug}/{}", l.token),
            _ => share_url(public_base, &l.token),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_stay_on_the_campaign_site_or_allowed_hosts() {
        let site = "https://shop.example.com";
        assert!(check_destination("https://shop.example.com/pricing", site, "").is_ok());
        assert!(check_destination("https://www.shop.example.com/", site, "").is_ok());
        assert!(check_destination("https://evil.example.net/", site, "").is_err());
        assert!(
            check_destination(
                "https://blog.example.org/post",
                site,
                "blog.example.org\nother.com"
            )
            .is_ok()
        );
        assert!(check_destination("javascript:alert(1)", site, "").is_err());
        assert!(check_destination("https://shop.example.com.evil.net/", site, "").is_err());
    }
}
