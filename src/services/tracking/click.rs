//! `GET /r/{token}` (and `/r/{store}/{token}` when two stores share a
//! token): the cached link and `attribution::decide` say whether the click
//! counts and for which referral; a counted click is queued for the click
//! writer and its redirect names the referral (`tb_ref`) and the visit
//! (`tb_click`), so the tracking script on the store's page can adopt it.
//!
//! A deep link (`?to=<address or /path>`) leads to that page instead of the
//! link's destination when `domain::destination::resolve` allows it, from
//! the hosts the cached link carries (no query); anything else quietly
//! goes to the link's own destination.

use chrono::{DateTime, Utc};
use url::Url;
use uuid::Uuid;

use super::{Caller, Tracking, rules, truncate};
use crate::domain::attribution::{self, Decision};
use crate::domain::destination::resolve;
use crate::domain::ids::{ReferralId, VisitId};
use crate::domain::states::ReferralSource;
use crate::domain::visitor_cookie::{
    VISITOR_COOKIE, open_referral_cookie, referral_cookie_name, seal_referral_cookie,
};
use crate::services::ServiceResult;
use crate::services::clicks::{ClickRecord, NewReferral};
use crate::services::link_cache::CachedLink;

#[derive(Debug)]
pub enum ClickOutcome {
    /// No such link (in this store).
    NotFound,
    /// Not counted (a crawler, a link that does not earn): redirect only.
    Redirect(String),
    /// Counted and queued for the click writer.
    Recorded(RecordedClick),
}

#[derive(Debug)]
pub struct RecordedClick {
    /// The destination with `via`, `tb_ref` and `tb_click`.
    pub location: String,
    pub visit_id: VisitId,
    pub referral_id: ReferralId,
    /// For the visitor cookie (`domain::visitor_cookie::VISITOR_COOKIE`).
    pub visitor_id: Uuid,
    /// A new referral's cookie; `None` when the visitor's own was kept.
    pub referral_cookie: Option<ReferralCookie>,
}

#[derive(Debug)]
pub struct ReferralCookie {
    pub name: String,
    /// Sealed (`domain::visitor_cookie::seal_referral_cookie`).
    pub value: String,
    pub days: i64,
}

/// A click on `token` (lower-case), with the deep link's `to` if it has
/// one. Two stores may use one token: without `store_slug` the oldest link
/// owns it.
pub async fn follow(
    t: &Tracking<'_>,
    store_slug: Option<&str>,
    token: &str,
    to: Option<&str>,
    caller: &impl Caller,
) -> ServiceResult<ClickOutcome> {
    let candidates = t.links.lookup(t.db, token).await?;
    let link = match store_slug {
        None => candidates.first(),
        Some(slug) => candidates.iter().find(|l| l.store_slug == slug),
    };
    Ok(match link {
        Some(link) => {
            let deep = to.and_then(|to| resolve(to, &link.destination, &link.allowed).ok());
            let destination = deep.as_ref().map_or(link.destination.as_str(), Url::as_str);
            record(t, link, destination, token, caller, Utc::now()).await
        }
        None => ClickOutcome::NotFound,
    })
}

async fn record(
    t: &Tracking<'_>,
    link: &CachedLink,
    destination: &str,
    token: &str,
    caller: &impl Caller,
    now: DateTime<Utc>,
) -> ClickOutcome {
    let user_agent = caller.user_agent();
    let store = link.store_id;
    // Named once: read for first click, set for a new referral.
    let mut cookie_name = None;
    let decision = attribution::decide(
        rules(link),
        user_agent,
        || {
            let name = cookie_name.insert(referral_cookie_name(store));
            caller.cookie(name, |v| open_referral_cookie(t.cookie_key, v, store, now))
        },
        now,
    );
    let (referral_id, expires_at) = match decision {
        Decision::Untracked => {
            return ClickOutcome::Redirect(destination_with(destination, token, None));
        }
        Decision::Keep(held) => (held.id, None),
        Decision::Mint { expires_at } => (ReferralId::new_v7(), Some(expires_at)),
    };
    let visitor_id = caller
        .cookie(VISITOR_COOKIE, |v| Uuid::parse_str(v).ok())
        .unwrap_or_else(Uuid::now_v7);
    let new_referral = expires_at.map(|expires_at| NewReferral {
        id: referral_id,
        affiliate_id: link.affiliate_id,
        campaign_id: link.campaign_id,
        visitor_id,
        expires_at,
        source: ReferralSource::Link,
    });
    let visit_id = VisitId::new_v7();
    let location = destination_with(destination, token, Some((referral_id, visit_id)));
    let referral_cookie = new_referral.as_ref().map(|r| ReferralCookie {
        name: cookie_name.unwrap_or_else(|| referral_cookie_name(store)),
        value: seal_referral_cookie(t.cookie_key, referral_id, store, r.expires_at),
        days: link.cookie_days.into(),
    });
    t.clicks
        .record(ClickRecord {
            visit_id,
            store_id: link.store_id,
            link_id: link.link_id,
            referral_id,
            new_referral,
            landing_url: truncate(Some(&location), 2048),
            referrer: truncate(caller.referrer(), 2048),
            user_agent: truncate(Some(user_agent), 512),
            ip_hash: Some(caller.ip_hash()),
            at: now,
        })
        .await;
    ClickOutcome::Recorded(RecordedClick {
        location,
        visit_id,
        referral_id,
        visitor_id,
        referral_cookie,
    })
}

/// `via`, and for a recorded click `tb_ref` (its referral) and `tb_click`
/// (its visit), added to the destination, its own query kept. The
/// destination was parsed when it was saved and tokens are `[a-z0-9_-]`,
/// so plain string building is exact here (and cheap on the hot path).
fn destination_with(dest: &str, token: &str, click: Option<(ReferralId, VisitId)>) -> String {
    let (base, fragment) = match dest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (dest, None),
    };
    let joiner = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = String::with_capacity(base.len() + token.len() + 112);
    out.push_str(base);
    out.push_str(joiner);
    out.push_str("via=");
    out.push_str(token);
    if let Some((referral, visit)) = click {
        let mut text = Uuid::encode_buffer();
        out.push_str("&tb_ref=");
        out.push_str(referral.0.hyphenated().encode_lower(&mut text));
        out.push_str("&tb_click=");
        out.push_str(visit.0.hyphenated().encode_lower(&mut text));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::destination_with;
    use crate::domain::ids::{ReferralId, VisitId};
    use uuid::Uuid;

    #[test]
    fn the_destination_keeps_its_query_and_fragment() {
        let (r, v) = (ReferralId(Uuid::nil()), VisitId(Uuid::max()));
        assert_eq!(
            destination_with("https://a.com/", "ann", None),
            "https://a.com/?via=ann"
        );
        assert_eq!(
            destination_with("https://a.com/p?x=1#top", "ann", Some((r, v))),
            format!("https://a.com/p?x=1&via=ann&tb_ref={r}&tb_click={v}#top")
        );
        assert_eq!(
            destination_with("https://a.com/p?", "ann", None),
            "https://a.com/p?via=ann"
        );
    }
}
