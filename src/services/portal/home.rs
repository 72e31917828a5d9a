//! What the portal's home page shows the signed-in affiliate: their links
//! (with the address to share), what the link builder offers (the allowed
//! hosts, whether they may make links), coupon codes and current balance.
//! Scoped by store and affiliate.

use sea_orm::DatabaseConnection;

use super::principal::PortalStore;
use crate::domain::destination::AllowedHosts;
use crate::domain::money::format_minor;
use crate::domain::{AffiliateId, CampaignId, Currency, LinkId};
use crate::services::{ServiceResult, affiliates, campaigns, coupons, links};

pub struct HomeLink {
    pub id: LinkId,
    pub token: String,
    pub share_url: String,
    /// Empty: the campaign's website.
    pub destination: Option<String>,
}

pub struct Home {
    pub links: Vec<HomeLink>,
    /// Where their links and deep links may lead.
    pub allowed_hosts: AllowedHosts,
    /// Their campaign lets them make links (`affiliates_can_create_links`).
    pub can_create_links: bool,
    pub coupons: Vec<String>,
    /// Formatted in the store's currency, e.g. "12.50".
    pub balance: String,
    pub currency: String,
}

pub async fn load(
    db: &DatabaseConnection,
    public_base: &str,
    store: &PortalStore,
    affiliate_id: AffiliateId,
) -> ServiceResult<Home> {
    let affiliate = affiliates::get(db, store.id, affiliate_id).await?;
    let campaign = campaigns::get(db, store.id, CampaignId(affiliate.campaign_id)).await?;
    let own_links = links::of_affiliate(db, store.id, affiliate_id).await?;
    let urls = links::share_urls(db, public_base, &store.slug, &own_links).await?;
    let currency = Currency::parse(&store.currency).unwrap_or(Currency::USD);
    Ok(Home {
        links: own_links
            .into_iter()
            .zip(urls)
            .map(|(l, share_url)| HomeLink {
                id: LinkId(l.id),
                token: l.token,
                share_url,
                destination: l.url,
            })
            .collect(),
        allowed_hosts: AllowedHosts::new(&campaign.website_url, &store.link_hosts),
        can_create_links: campaign.affiliates_can_create_links,
        coupons: coupons::of_affiliate(db, store.id, affiliate_id)
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect(),
        balance: format_minor(affiliate.balance_minor, currency),
        currency: currency.code().to_owned(),
    })
}
