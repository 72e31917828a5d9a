//! Attribution: which referral a visit counts for. Pure: the tracking
//! services load what the visitor holds and what they clicked, pass the
//! clock, and carry the decision out (record, claim, set cookies).
//!
//! - A click on `/r/` or a `?via=` visit counts when its link earns and the
//!   caller is a browser, not a crawler. First click (the default) keeps a
//!   live referral the visitor already holds, whoever sent it; last click
//!   always starts a new referral for the clicked link. An expired referral
//!   is never kept.
//! - A store page that arrives from `/r/` names the click in its address
//!   (`tb_ref`, the referral, and `tb_click`, the visit). That referral is
//!   taken only fresh (`CLICK_WINDOW`) and only by the browser that
//!   clicked: the page already holding it, the first page to claim the
//!   click, or a page from the clicking address. Anyone else arrives by
//!   `via` alone, so a fresh address copied and published hands nobody the
//!   clicker's referral.

use chrono::{DateTime, Duration, Utc};

use super::bots::is_bot;
use super::campaign::Attribution;
use super::ids::{ReferralId, VisitId};

/// How long after its click a page may take the click's referral.
pub const CLICK_WINDOW: Duration = Duration::minutes(10);

/// What a link asks of its visits: its affiliate's standing and its
/// campaign's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRules {
    /// Approved and enabled: only then are visits counted.
    pub earning: bool,
    pub attribution: Attribution,
    pub cookie_days: i32,
}

/// A referral the visitor holds, as far as attribution needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub id: ReferralId,
    pub expires_at: DateTime<Utc>,
}

impl Held {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now
    }
}

/// A click on `/r/`, or a `?via=` visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Not counted: a crawler, or a link that does not earn.
    Untracked,
    /// Counted for the referral the visitor holds.
    Keep(Held),
    /// Counted for a new referral of the clicked link, lasting until
    /// `expires_at`.
    Mint { expires_at: DateTime<Utc> },
}

/// The visit of `link` by `user_agent`. `held` is asked for only when the
/// rule reads it (first click, a counted visit): on the click path it
/// opens a signed cookie, which last click never needs.
pub fn decide(
    link: LinkRules,
    user_agent: &str,
    held: impl FnOnce() -> Option<Held>,
    now: DateTime<Utc>,
) -> Decision {
    if !link.earning || is_bot(user_agent) {
        return Decision::Untracked;
    }
    let kept = match link.attribution {
        Attribution::FirstClick => held().filter(|h| h.is_live(now)),
        Attribution::LastClick => None,
    };
    match kept {
        Some(h) => Decision::Keep(h),
        None => Decision::Mint {
            expires_at: now + Duration::days(link.cookie_days.into()),
        },
    }
}

/// A referral as loaded for the script's visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Referral {
    pub id: ReferralId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Referral {
    pub fn held(&self) -> Held {
        Held {
            id: self.id,
            expires_at: self.expires_at,
        }
    }
}

/// The click a page's `tb_click` names, as `/r/` recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Click<'a> {
    pub id: VisitId,
    pub referral_id: ReferralId,
    pub at: DateTime<Utc>,
    /// The clicking address, hashed.
    pub ip_hash: Option<&'a str>,
}

/// The first step of the script's visit: the click its address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival<'a> {
    /// The page keeps this referral (its own, or under first click its
    /// older one); nothing new to record.
    Take(Held),
    /// The click's referral, if this browser claims the click
    /// (`takes_click`).
    Claim { referral: Held, click: Click<'a> },
    /// No fresh click to take: the `via` link decides (`by_via`).
    ByVia,
}

/// `held` is the referral the page keeps (its cookie), `clicked` the one
/// its address names (`tb_ref`) with the click (`tb_click`), `via` the rule
/// of the page's `?via=` link, if it has a known one.
pub fn arrival<'a>(
    held: Option<Referral>,
    clicked: Option<(Referral, Click<'a>)>,
    via: Option<Attribution>,
    now: DateTime<Utc>,
) -> Arrival<'a> {
    let held = held.filter(|h| h.held().is_live(now));
    let Some((r, click)) = clicked.filter(|(r, click)| {
        r.held().is_live(now) && click.referral_id == r.id && click.at > now - CLICK_WINDOW
    }) else {
        return Arrival::ByVia;
    };
    // First click: the page's own, older referral stays; last click: the
    // click's wins.
    let first_click = via.is_none_or(|a| a == Attribution::FirstClick);
    match held {
        Some(h) if first_click && h.created_at < r.created_at => Arrival::Take(h.held()),
        Some(h) if h.id == r.id => Arrival::Take(r.held()),
        _ => Arrival::Claim {
            referral: r.held(),
            click,
        },
    }
}

/// After the claim (`claimed`: this page was the first to take the click):
/// a page from the clicking address takes it again too, as a reload does
/// before its cookie was kept (consent mode). Every click is its own claim,
/// so a visitor's later click that brings back their first-click referral
/// is taken as well.
/// `visitor_ip_hash` is asked for only when the claim failed.
pub fn takes_click(
    claimed: bool,
    click: &Click<'_>,
    visitor_ip_hash: impl FnOnce() -> String,
) -> bool {
    claimed || click.ip_hash.is_some_and(|ip| ip == visitor_ip_hash())
}

/// The script's visit once there is no click of its own to take. `L` is
/// the caller's link, handed back with the visit to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViaVisit<L> {
    /// Nothing to record: confirm the page's live referral, if any.
    Confirm(Option<Held>),
    /// Record the visit under the page's referral (first click).
    Keep(Held, L),
    /// Record the visit under a new referral of the `via` link.
    Mint { link: L, expires_at: DateTime<Utc> },
}

/// `link` is the page's `?via=` link, if it names one of the store's.
pub fn by_via<L>(
    held: Option<Held>,
    link: Option<(L, LinkRules)>,
    user_agent: &str,
    now: DateTime<Utc>,
) -> ViaVisit<L> {
    let held = held.filter(|h| h.is_live(now));
    let Some((link, rules)) = link else {
        return ViaVisit::Confirm(held);
    };
    match decide(rules, user_agent, || held, now) {
        Decision::Keep(h) => ViaVisit::Keep(h, link),
        Decision::Mint { expires_at } => ViaVisit::Mint { link, expires_at },
        Decision::Untracked => ViaVisit::Confirm(held),
    }
}

/// How many days the script keeps a referral's cookie: what is left of it,
/// rounded up, at least one.
pub fn cookie_days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((expires_at - now).num_seconds() as f64 / 86_400.0)
        .ceil()
        .max(1.0) as i64
}

#[cfg(test)]
mod tests;
