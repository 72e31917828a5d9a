//! Affiliates making their own links, when their campaign allows it
//! (`campaigns.affiliates_can_create_links`). The link is made by the
//! admin's use case (`links::create`: token rules, uniqueness in the store,
//! audit entry and event `link.created`) with the affiliate as its actor; only a
//! token is asked for, and the link leads to the campaign's site (deep
//! links lead anywhere else allowed).

use sea_orm::{DatabaseConnection, EntityTrait};

use crate::domain::{AffiliateId, CampaignId, StoreId, ValidationErrors};
use crate::entities::store;
use crate::services::links::{self, Link, LinkInput};
use crate::services::{Actor, ServiceError, ServiceResult, affiliates, campaigns};

/// The most links an affiliate makes for themselves: tokens are the
/// store's namespace, and a few dozen are plenty for any one person.
pub const MAX_LINKS: usize = 25;

pub const NOT_ALLOWED: &str = "Your program does not let affiliates create their own links.";

/// Whether the affiliate's campaign lets them make links.
pub async fn allowed(
    db: &DatabaseConnection,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<bool> {
    let a = affiliates::get(db, store_id, affiliate_id).await?;
    let c = campaigns::get(db, store_id, CampaignId(a.campaign_id)).await?;
    Ok(c.affiliates_can_create_links)
}

/// A new link of the affiliate with `token` (blank: one is made from their
/// name). Refused (`Forbidden`) unless their campaign allows it.
/// `public_base`: for the share URL in its `link.created` event.
pub async fn create(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    affiliate_id: AffiliateId,
    token: &str,
    public_base: &str,
) -> ServiceResult<Link> {
    if !allowed(db, store_id, affiliate_id).await? {
        return Err(ServiceError::Forbidden(NOT_ALLOWED.into()));
    }
    if links::of_affiliate(db, store_id, affiliate_id).await?.len() >= MAX_LINKS {
        return Err(ValidationErrors::single(
            "token",
            format!("cannot be added: you have {MAX_LINKS} links, the most an affiliate may have"),
        )
        .into());
    }
    let store = store::Entity::find_by_id(store_id.0)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    links::create(
        db,
        &store,
        actor,
        affiliate_id,
        LinkInput {
            token: Some(token.to_owned()),
            url: None,
        },
        public_base,
    )
    .await
}
