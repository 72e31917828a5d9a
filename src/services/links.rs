//! Referral links: `{public_url}/r/{token}`. Tokens are unique per store;
//! a destination must stay on the campaign's site or a host the store
//! allows, so a link can never be an open redirect.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::constraint::{LINK_TOKEN, ResultExt};
use super::paging::{Page, PageRequest};
use super::{Actor, ServiceError, ServiceResult, affiliates, audit, campaigns, crypto};
use crate::db;
use crate::domain::CampaignId;
use crate::domain::link_token::{parse_link_token, token_from_name};
use crate::domain::web_url::{parse_web_url, site_host};
use crate::domain::{AffiliateId, LinkId};
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{affiliate, link, store};

pub fn share_url(public_base: &str, token: &str) -> String {
    format!("{public_base}/r/{token}")
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

async fn token_taken(
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

/// The default link made with a new affiliate: the token asked for, or one
/// made from the name ("ann-smith", then "ann-smith-2", …), or random. A
/// token asked for that another link holds is refused by the index, as
/// `link_token`; a made one is picked among the free ones (and if another
/// write takes it meanwhile, the index still refuses it).
pub async fn insert_default(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    a: &affiliate::Model,
    wanted: Option<String>,
) -> ServiceResult<link::Model> {
    let token = match wanted {
        Some(t) => t,
        None => unique_token_from_name(conn, store_id, &a.first_name, &a.last_name).await?,
    };
    link::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(a.id),
        token: Set(token),
        url: Set(None),
        visitors: Set(0),
        leads: Set(0),
        conversions: Set(0),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .on_constraint(&LINK_TOKEN.as_field("link_token"))
}

async fn unique_token_from_name(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    first: &str,
    last: &str,
) -> ServiceResult<String> {
    let base = token_from_name(first, last);
    if base.len() >= 2 {
        for n in 1..=20 {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if !token_taken(conn, store_id, &candidate, None).await? {
                return Ok(candidate);
            }
        }
    }
    loop {
        let candidate = crypto::random_token(6)
            .to_ascii_lowercase()
            .replace('-', "_");
        if parse_link_token(&candidate).is_ok()
            && !token_taken(conn, store_id, &candidate, None).await?
        {
            return Ok(candidate);
        }
    }
}

/// Checks a destination against the campaign's site and the store's list.
pub fn check_destination(
    url: &str,
    campaign_website: &str,
    store_hosts: &str,
) -> Result<String, String> {
    let parsed = parse_web_url(url, 256)?;
    let host = site_host(&parsed);
    let campaign_host = url::Url::parse(campaign_website)
        .map(|u| site_host(&u))
        .unwrap_or_default();
    let allowed = host == campaign_host
        || store_hosts
            .split(['\n', ',', ' '])
            .map(|h| h.trim().trim_start_matches("www.").to_ascii_lowercase())
            .any(|h| !h.is_empty() && h == host);
    if !allowed {
        return Err(format!(
            "must be on {campaign_host} (the campaign's website) or a host listed in the store's settings"
        ));
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

async fn destination(
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

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: LinkInput,
) -> ServiceResult<link::Model> {
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    let a = affiliates::get(&txn, store_id, affiliate_id)
        .await
        .map_err(|_| {
            ServiceError::from(ValidationErrors::single(
                "affiliate_id",
                "is not an affiliate of this store",
            ))
        })?;
    let mut errors = ValidationErrors::new();
    let token = match input
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => errors.check("token", parse_link_token(t)),
        None => Some(unique_token_from_name(&txn, store_id, &a.first_name, &a.last_name).await?),
    };
    let url = match destination(&txn, store, &a, input.url.as_deref().unwrap_or("")).await {
        Ok(u) => u,
        Err(ServiceError::Validation(e)) => {
            errors.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    // The one pre-check kept: the form shows a taken token beside the other
    // field messages at once. The index still decides (`on_constraint` below).
    if let Some(t) = &token
        && token_taken(&txn, store_id, t, None).await?
    {
        errors.add(LINK_TOKEN.field, LINK_TOKEN.message);
    }
    errors.into_result()?;
    let token = token.expect("checked");
    let created = link::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store.id),
        affiliate_id: Set(a.id),
        token: Set(token),
        url: Set(url),
        visitors: Set(0),
        leads: Set(0),
        conversions: Set(0),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .on_constraint(&LINK_TOKEN)?;
    audit::record(
        &txn,
        store_id,
        actor,
        "link.created",
        "link",
        Some(created.id.to_string()),
        json!({"affiliate_id": a.id, "token": created.token, "url": created.url}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    id: LinkId,
    input: LinkForUpdate,
) -> ServiceResult<link::Model> {
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    let current = db::for_update(
        &txn,
        link::Entity::find_by_id(id).filter(link::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound)?;
    let a = affiliates::get(&txn, store_id, AffiliateId(current.affiliate_id)).await?;
    let mut errors = ValidationErrors::new();
    let token = match input.token.as_deref() {
        Some(t) => errors.check("token", parse_link_token(t)),
        None => Some(current.token.clone()),
    };
    let url = match &input.url {
        None => current.url.clone(),
        Some(u) => match destination(&txn, store, &a, u).await {
            Ok(u) => u,
            Err(ServiceError::Validation(e)) => {
                errors.0.extend(e.0);
                None
            }
            Err(other) => return Err(other),
        },
    };
    errors.into_result()?;
    let token = token.expect("checked");
    let before = json!({"token": current.token, "url": current.url});
    let mut active: link::ActiveModel = current.into();
    active.token = Set(token);
    active.url = Set(url);
    let updated = active.update(&txn).await.on_constraint(&LINK_TOKEN)?;
    let after = json!({"token": updated.token, "url": updated.url});
    if before != after {
        audit::record(
            &txn,
            store_id,
            actor,
            "link.updated",
            "link",
            Some(id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    super::link_cache::commit(db, txn).await?;
    Ok(updated)
}

pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: LinkId,
) -> ServiceResult<()> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    link::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "link.deleted",
        "link",
        Some(id.to_string()),
        json!({"token": current.token, "affiliate_id": current.affiliate_id}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(())
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
