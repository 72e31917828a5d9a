//! Tracking, one file per verb: a click on `/r/` (`click`), and the
//! tracking script's visit (`visit`) and lead (`lead`), called from the
//! store's own sites (`site`). Each use case loads what it needs, asks
//! `domain::attribution` what counts, hands the rows to the click writer
//! and returns an outcome the handler maps onto a response: where to
//! redirect, which cookies to set, what the script keeps.
//!
//! The click is the hot path (tens of thousands a second): it decides from
//! the cached link and the signed referral cookie alone, with no database
//! round trip, and reads from the request only what its decision needs
//! (`Caller`).

pub mod click;
pub mod lead;
pub mod site;
pub mod visit;

use sea_orm::DatabaseConnection;

use super::clicks::ClickWriter;
use super::crypto::MacKey;
use super::link_cache::{CachedLink, LinkCache};
use crate::domain::attribution::LinkRules;

/// What the tracking use cases work with (borrowed from `AppState`).
pub struct Tracking<'a> {
    pub db: &'a DatabaseConnection,
    pub links: &'a LinkCache,
    pub clicks: &'a ClickWriter,
    /// Signs the referral cookie a click leaves.
    pub cookie_key: &'a MacKey,
}

/// The request as the tracking use cases read it. Asked, not handed over:
/// a crawler's click reads no cookie and hashes no address, a last-click
/// link never opens the referral cookie.
pub trait Caller {
    /// Empty when the request has none.
    fn user_agent(&self) -> &str;
    fn referrer(&self) -> Option<&str>;
    /// `read` of the value of the request's cookie `name`, if it has one.
    fn cookie<R>(&self, name: &str, read: impl FnOnce(&str) -> Option<R>) -> Option<R>;
    /// The caller's address, hashed with the server's key.
    fn ip_hash(&self) -> String;
}

fn rules(link: &CachedLink) -> LinkRules {
    LinkRules {
        earning: link.earning,
        attribution: link.attribution,
        cookie_days: link.cookie_days,
    }
}

/// At most `max` characters (the click path: the common short case is a
/// plain copy).
fn truncate(s: Option<&str>, max: usize) -> Option<String> {
    let v = s.filter(|v| !v.is_empty())?;
    Some(if v.len() <= max {
        v.to_owned()
    } else {
        v.chars().take(max).collect()
    })
}
