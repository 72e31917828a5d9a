//! The portal's link builder: a deep link (`{share url}?to=…`) to a page of
//! the store, on one of the affiliate's own links. The page is checked as a
//! click checks it (`domain::destination::resolve`, against the same
//! destination and hosts the link cache holds), so a link the builder
//! makes is one a click follows. Nothing is written.

use sea_orm::DatabaseConnection;
use url::Position;
use uuid::Uuid;

use super::principal::PortalStore;
use crate::domain::destination::{AllowedHosts, resolve};
use crate::domain::{AffiliateId, CampaignId, LinkId, ValidationErrors};
use crate::services::{ServiceError, ServiceResult, affiliates, campaigns, links};

/// The builder's form, as typed.
#[derive(Debug, Clone, Default)]
pub struct DeepLinkInput {
    /// One of the affiliate's links.
    pub link_id: String,
    /// A full address on an allowed host, or a path on the link's site.
    pub page_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeepLink {
    /// What to share.
    pub url: String,
    /// Where a click on it leads (before the tracking parameters).
    pub leads_to: String,
}

/// The deep link for `input`. A link id of another affiliate or store is
/// `NotFound`; a page elsewhere is a `page_url` message naming the hosts.
pub async fn build(
    db: &DatabaseConnection,
    public_base: &str,
    store: &PortalStore,
    affiliate_id: AffiliateId,
    input: &DeepLinkInput,
) -> ServiceResult<DeepLink> {
    let mut errors = ValidationErrors::new();
    let link_id = errors.check(
        "link_id",
        Uuid::parse_str(input.link_id.trim()).map_err(|_| "must be one of your links".to_owned()),
    );
    let page = input.page_url.trim();
    if page.is_empty() {
        errors.add("page_url", "is required");
    }
    errors.into_result()?;
    let link = links::get(db, store.id, LinkId(link_id.expect("checked"))).await?;
    if link.affiliate_id != affiliate_id.0 {
        return Err(ServiceError::NotFound);
    }
    let a = affiliates::get(db, store.id, affiliate_id).await?;
    let c = campaigns::get(db, store.id, CampaignId(a.campaign_id)).await?;
    let allowed = AllowedHosts::new(&c.website_url, &store.link_hosts);
    // The click joins a path to the link's own destination: so does this.
    let destination = link.url.clone().unwrap_or_else(|| c.website_url.clone());
    let target = resolve(page, &destination, &allowed)
        .map_err(|r| ValidationErrors::single("page_url", r.message()))?;
    let share = links::share_url_of(db, public_base, &store.slug, &link).await?;
    // A path stays a path (shorter, and it follows the link's site).
    let to = if page.starts_with('/') {
        &target[Position::BeforePath..]
    } else {
        target.as_str()
    };
    let to: String = url::form_urlencoded::byte_serialize(to.as_bytes()).collect();
    Ok(DeepLink {
        url: format!("{share}?to={to}"),
        leads_to: target.to_string(),
    })
}
