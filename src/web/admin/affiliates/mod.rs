//! Affiliate pages. One file per part: the list with its search and status
//! tabs (`list`), the status moves (`status`), the create/edit form
//! (`form`), one affiliate's page with delete and erasure (`show`), and its
//! links and coupons, which are their own sub-resources (`links`,
//! `coupons`). Search fields that pick an affiliate (`picker`) serve the
//! referral and sales pages too.

pub mod coupons;
pub mod form;
pub mod links;
pub mod list;
pub mod picker;
pub mod portal;
pub mod show;
pub mod status;

use crate::domain::affiliate::{AffiliateStatus, StatusAction};

/// A status move a page offers as a button; its route is
/// `/admin/affiliates/{id}/{verb}`, with the API's own words.
pub struct ActionButton {
    pub verb: &'static str,
    pub label: &'static str,
    /// Approving and re-enabling are the page's primary buttons.
    pub primary: bool,
}

impl From<StatusAction> for ActionButton {
    fn from(a: StatusAction) -> Self {
        Self {
            verb: a.as_str(),
            label: match a {
                StatusAction::Approve => "Approve",
                StatusAction::Reject => "Reject",
                StatusAction::Suspend => "Suspend",
                StatusAction::Enable => "Re-enable",
            },
            primary: matches!(a, StatusAction::Approve | StatusAction::Enable),
        }
    }
}

/// The buttons a status allows: exactly the moves the domain accepts.
pub fn buttons_for(status: AffiliateStatus) -> Vec<ActionButton> {
    StatusAction::allowed_from(status)
        .map(ActionButton::from)
        .collect()
}
