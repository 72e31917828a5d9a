//! The affiliate portal (`/a/{store slug}/…`): the use cases behind its
//! principal, join, sign-in and one-time links, and what its pages read.
//!
//! Every function here is scoped by store, and those that read an
//! affiliate's data by that affiliate too: an affiliate of another store,
//! or another affiliate of the same store, is `NotFound`. Affiliates are
//! per store: one email may be an affiliate of two stores, with two
//! separate passwords and sessions.
//!
//! - `principal`: the store and affiliate a portal session names, checked
//!   on every request (`web::portal::principal::CurrentAffiliate`);
//! - `tokens`: one-time links (magic login, password reset, SSO, invite),
//!   stored as SHA-256, single use, with an injectable clock;
//! - `join`, `login`, `password`: the visitor's and affiliate's own moves;
//! - `staff`: what staff and the API do for an affiliate (SSO link, invite
//!   link, view as affiliate), each audited;
//! - `look`: the store's portal settings (logo, accent colour, questions);
//! - `home`: what the home page shows (links, coupons, balance);
//! - `dashboard`: the home page's statistics and money now;
//! - `deep_link`: the link builder (a deep link to a page of the store);
//! - `own_links`: links affiliates make themselves, when allowed;
//! - `lists`: the affiliate's commissions, payouts and referred customers.
//! - `settings`: the affiliate's own Settings page (profile, payout method,
//!   notifications, password).

pub mod dashboard;
pub mod deep_link;
pub mod home;
pub mod join;
pub mod lists;
pub mod login;
pub mod look;
pub mod own_links;
pub mod password;
pub mod principal;
pub mod settings;
pub mod staff;
pub mod tokens;

pub use principal::{PortalAffiliate, PortalStore};
