//! `POST /api/track/visit`: the tracking script on a store page records the
//! visit (or confirms the referral `/r/` already made) and learns which
//! referral to keep in its first-party cookie, and for how long.
//!
//! A page that arrives from `/r/` names the click (`tb_ref` + `tb_click`):
//! `attribution::arrival` says whether this browser takes it, which may
//! mean claiming the click (`visits.adopted_at`). Otherwise the page's
//! `?via=` link decides (`attribution::by_via`).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::site::{self, Site};
use super::{Caller, Tracking, rules, truncate};
use crate::domain::attribution::{self, Arrival, Click, Held, Referral, ViaVisit};
use crate::domain::ids::{ReferralId, StoreId, VisitId};
use crate::domain::states::ReferralSource;
use crate::entities::{referral, visit};
use crate::services::clicks::{ClickRecord, NewReferral};
use crate::services::link_cache::CachedLink;
use crate::services::{ServiceResult, referrals, stores};

/// The script's visit, parsed. Ids that do not parse are left out: the
/// page's address and cookies are anyone's to edit.
#[derive(Debug, Clone, Default)]
pub struct VisitInput {
    /// The store's slug (the script's `data-store`).
    pub store: String,
    /// The link token in the page's `?via=`, lower-case.
    pub via: Option<String>,
    /// The referral the page already holds (its first-party cookie).
    pub referral_id: Option<ReferralId>,
    /// `tb_ref` from the address: the referral a `/r/` click just made.
    pub redirect_referral: Option<ReferralId>,
    /// `tb_click` from the address: that click's visit.
    pub redirect_click: Option<VisitId>,
    pub landing_url: Option<String>,
    pub referrer: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VisitOutcome {
    /// The referral the page keeps, if any.
    pub referral_id: Option<ReferralId>,
    /// How long the page keeps it (0 without one).
    pub cookie_days: i64,
    /// The visit recorded, if this call recorded one.
    pub visit_id: Option<VisitId>,
    pub site: Site,
}

pub async fn record(
    t: &Tracking<'_>,
    input: &VisitInput,
    origin: Option<&str>,
    caller: &impl Caller,
) -> ServiceResult<VisitOutcome> {
    let site = site::resolve(t, &input.store, origin).await?;
    let store = site.store_id;
    if !site.script_seen && site.origin.is_some() {
        // A page of the store's own site ran the script: it is installed.
        stores::mark_script_seen(t.db, store).await?;
    }
    let now = Utc::now();
    if input.redirect_click.is_some() {
        // The click may still be in the writer's queue.
        t.clicks.flush().await;
    }
    let held = find_referral(t.db, store, input.referral_id).await?;
    let clicked = match (
        find_referral(t.db, store, input.redirect_referral).await?,
        input.redirect_click,
    ) {
        (Some(r), Some(click)) => visit::Entity::find_by_id(click.0)
            .one(t.db)
            .await?
            .map(|click| (r, click)),
        _ => None,
    };
    let candidates = match &input.via {
        Some(token) => Some(t.links.lookup(t.db, token).await?),
        None => None,
    };
    let link = candidates
        .as_deref()
        .and_then(|c| c.iter().find(|l| l.store_id == store));

    let outcome = |referral: Option<Held>, visit_id| VisitOutcome {
        referral_id: referral.map(|r| r.id),
        cookie_days: referral.map_or(0, |r| attribution::cookie_days_left(r.expires_at, now)),
        visit_id,
        site: site.clone(),
    };
    let arrived = clicked.as_ref().map(|(r, v)| (referral_of(r), click_of(v)));
    match attribution::arrival(
        held.as_ref().map(referral_of),
        arrived,
        link.map(|l| l.attribution),
        now,
    ) {
        Arrival::Take(r) => return Ok(outcome(Some(r), None)),
        Arrival::Claim { referral, click } => {
            let claimed = referrals::adopt_click(t.db, click.id, now).await?;
            if attribution::takes_click(claimed, &click, || caller.ip_hash()) {
                return Ok(outcome(Some(referral), None));
            }
        }
        Arrival::ByVia => {}
    }

    let held = held.as_ref().map(|h| referral_of(h).held());
    let via = link.map(|l| (l, rules(l)));
    match attribution::by_via(held, via, caller.user_agent(), now) {
        ViaVisit::Confirm(held) => Ok(outcome(held, None)),
        ViaVisit::Keep(held, link) => {
            let visit_id = record_visit(t, link, held.id, None, input, caller, now).await;
            Ok(outcome(Some(held), Some(visit_id)))
        }
        ViaVisit::Mint { link, expires_at } => {
            let id = ReferralId::new_v7();
            let new = NewReferral {
                id,
                affiliate_id: link.affiliate_id,
                campaign_id: link.campaign_id,
                visitor_id: Uuid::now_v7(),
                expires_at,
                source: ReferralSource::Script,
            };
            let visit_id = record_visit(t, link, id, Some(new), input, caller, now).await;
            Ok(VisitOutcome {
                referral_id: Some(id),
                cookie_days: link.cookie_days.into(),
                visit_id: Some(visit_id),
                site,
            })
        }
    }
}

async fn find_referral(
    db: &DatabaseConnection,
    store: StoreId,
    id: Option<ReferralId>,
) -> ServiceResult<Option<referral::Model>> {
    let Some(id) = id else { return Ok(None) };
    Ok(referral::Entity::find_by_id(id.0)
        .filter(referral::Column::StoreId.eq(store.0))
        .one(db)
        .await?)
}

fn referral_of(r: &referral::Model) -> Referral {
    Referral {
        id: ReferralId(r.id),
        created_at: r.created_at,
        expires_at: r.expires_at,
    }
}

fn click_of(v: &visit::Model) -> Click<'_> {
    Click {
        id: VisitId(v.id),
        referral_id: ReferralId(v.referral_id),
        at: v.created_at,
        ip_hash: v.ip_hash.as_deref(),
    }
}

async fn record_visit(
    t: &Tracking<'_>,
    link: &CachedLink,
    referral_id: ReferralId,
    new_referral: Option<NewReferral>,
    input: &VisitInput,
    caller: &impl Caller,
    now: DateTime<Utc>,
) -> VisitId {
    let visit_id = VisitId::new_v7();
    t.clicks
        .record(ClickRecord {
            visit_id,
            store_id: link.store_id,
            link_id: link.link_id,
            referral_id,
            new_referral,
            landing_url: truncate(input.landing_url.as_deref(), 2048),
            referrer: truncate(input.referrer.as_deref(), 2048),
            user_agent: truncate(Some(caller.user_agent()), 512),
            ip_hash: Some(caller.ip_hash()),
            at: now,
        })
        .await;
    visit_id
}
