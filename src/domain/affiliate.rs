//! Affiliate statuses and the moves between them, and the affiliate's own
//! fields parsed the same way for forms and the API.

use sea_orm::entity::prelude::*;

use super::percent::parse_percent;
use super::{Email, ValidationErrors, text::required_text};

/// Stored as text (the entity's column type): see `domain::states`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AffiliateStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "suspended")]
    Suspended,
}

impl std::fmt::Display for AffiliateStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AffiliateStatus {
    pub const ALL: [AffiliateStatus; 4] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Suspended,
    ];

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            "suspended" => Ok(Self::Suspended),
            _ => Err("must be pending, approved, rejected or suspended".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
        }
    }
}

/// A status change asked for by staff or the API. Its words (`as_str`,
/// `FromStr`) are the routes' words on both surfaces:
/// `POST /api/v1/affiliates/{id}/approve` and `POST /admin/affiliates/{id}/approve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    Approve,
    Reject,
    Suspend,
    Enable,
}

impl StatusAction {
    pub const ALL: [StatusAction; 4] = [Self::Approve, Self::Reject, Self::Suspend, Self::Enable];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Suspend => "suspend",
            Self::Enable => "enable",
        }
    }

    /// The moves `from` allows, in `ALL`'s order.
    pub fn allowed_from(from: AffiliateStatus) -> impl Iterator<Item = StatusAction> {
        Self::ALL.into_iter().filter(move |a| a.apply(from).is_ok())
    }

    /// The status the action leads to from `from`, or why it cannot.
    /// Approving a rejected affiliate is allowed (a change of mind);
    /// suspending is for approved ones; enabling lifts a suspension.
    pub fn apply(self, from: AffiliateStatus) -> Result<AffiliateStatus, String> {
        use AffiliateStatus::*;
        match (self, from) {
            (Self::Approve, Pending | Rejected) => Ok(Approved),
            (Self::Reject, Pending) => Ok(Rejected),
            (Self::Suspend, Approved) => Ok(Suspended),
            (Self::Enable, Suspended) => Ok(Approved),
            (action, from) => Err(format!(
                "An affiliate who is {} cannot be {}d.",
                from.as_str(),
                match action {
                    Self::Approve => "approve",
                    Self::Reject => "reject",
                    Self::Suspend => "suspend",
                    Self::Enable => "re-enable",
                }
            )),
        }
    }
}

/// Why an affiliate earns nothing on new clicks and sales, or `None` when
/// they earn: approved, enabled and not anonymised. The click path's link
/// cache and the sales engine both ask this.
pub fn not_earning(
    status: AffiliateStatus,
    is_enabled: bool,
    anonymized: bool,
) -> Option<&'static str> {
    if anonymized {
        Some("anonymised")
    } else if !is_enabled {
        Some("disabled")
    } else {
        match status {
            AffiliateStatus::Approved => None,
            other => Some(other.as_str()),
        }
    }
}

/// Who the affiliate is, for recognising them as their own customer.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub email: &'a str,
    pub payout_email: Option<&'a str>,
    pub external_customer_id: Option<&'a str>,
}

/// A referred person is the affiliate themselves: their email or payout
/// email (letter case aside), or the store's customer id the affiliate is
/// known by. Such a referral is recorded but never credited. Leads, manual
/// referrals, coupon customers and sales all decide it here.
pub fn is_self_referral(
    affiliate: Identity<'_>,
    email: Option<&str>,
    external_customer_id: Option<&str>,
) -> bool {
    let same_email = email.is_some_and(|e| {
        let e = e.trim();
        e.eq_ignore_ascii_case(affiliate.email)
            || affiliate
                .payout_email
                .is_some_and(|p| e.eq_ignore_ascii_case(p))
    });
    let same_customer = matches!(
        (affiliate.external_customer_id, external_customer_id),
        (Some(a), Some(b)) if a == b
    );
    same_email || same_customer
}

impl std::str::FromStr for StatusAction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| "must be approve, reject, suspend or enable".into())
    }
}

/// The affiliate as text, the way a form or JSON body gives it. Empty
/// optional fields mean "none" (overrides: use the campaign's).
#[derive(Debug, Clone, Default)]
pub struct AffiliateFields {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub payout_email: String,
    pub is_enabled: bool,
    pub external_customer_id: String,
    pub commission_percent: String,
    pub discount_percent: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffiliateProfile {
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub payout_email: Option<Email>,
    pub is_enabled: bool,
    pub external_customer_id: Option<String>,
    pub commission_bp: Option<i64>,
    pub discount_bp: Option<i64>,
}

fn optional<T>(
    input: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

impl AffiliateProfile {
    pub fn parse(f: &AffiliateFields) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let email = e.check("email", Email::parse(&f.email));
        let first_name = e.check("first_name", required_text(&f.first_name, 100));
        let last_name = e.check(
            "last_name",
            optional(&f.last_name, |s| required_text(s, 100)).map(Option::unwrap_or_default),
        );
        let payout_email = e.check("payout_email", optional(&f.payout_email, Email::parse));
        let external = e.check(
            "external_customer_id",
            optional(&f.external_customer_id, |s| required_text(s, 255)),
        );
        let commission_bp = e.check(
            "commission_percent",
            optional(&f.commission_percent, parse_percent),
        );
        let discount_bp = e.check(
            "discount_percent",
            optional(&f.discount_percent, parse_percent),
        );
        e.clone().into_result()?;
        Ok(Self {
            email: email.expect("checked"),
            first_name: first_name.expect("checked"),
            last_name: last_name.expect("checked"),
            payout_email: payout_email.expect("checked"),
            is_enabled: f.is_enabled,
            external_customer_id: external.expect("checked"),
            commission_bp: commission_bp.expect("checked"),
            discount_bp: discount_bp.expect("checked"),
        })
    }

    /// Lower-cased "last first", for sorting by name.
    pub fn sort_name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
            .trim()
            .to_lowercase()
    }

    /// What the list's search box matches against (besides tokens and codes).
    pub fn search_text(&self) -> String {
        format!("{} {} {}", self.first_name, self.last_name, self.email).to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AffiliateStatus::*;

    #[test]
    fn status_moves_follow_the_rules() {
        assert_eq!(StatusAction::Approve.apply(Pending), Ok(Approved));
        assert_eq!(StatusAction::Approve.apply(Rejected), Ok(Approved));
        assert_eq!(StatusAction::Reject.apply(Pending), Ok(Rejected));
        assert_eq!(StatusAction::Suspend.apply(Approved), Ok(Suspended));
        assert_eq!(StatusAction::Enable.apply(Suspended), Ok(Approved));
        assert!(StatusAction::Approve.apply(Approved).is_err());
        assert!(StatusAction::Reject.apply(Approved).is_err());
        assert!(StatusAction::Suspend.apply(Pending).is_err());
        assert!(StatusAction::Enable.apply(Approved).is_err());
    }

    #[test]
    fn only_an_approved_enabled_affiliate_earns() {
        assert_eq!(not_earning(Approved, true, false), None);
        assert_eq!(not_earning(Approved, false, false), Some("disabled"));
        assert_eq!(not_earning(Approved, true, true), Some("anonymised"));
        for s in [Pending, Rejected, Suspended] {
            assert_eq!(not_earning(s, true, false), Some(s.as_str()));
        }
    }

    #[test]
    fn the_affiliate_is_recognised_by_either_email_or_customer_id() {
        let me = Identity {
            email: "ann@example.com",
            payout_email: Some("pay@example.com"),
            external_customer_id: Some("cus_1"),
        };
        assert!(is_self_referral(me, Some("Ann@Example.com"), None));
        assert!(is_self_referral(me, Some("pay@example.com"), None));
        assert!(is_self_referral(me, None, Some("cus_1")));
        assert!(!is_self_referral(
            me,
            Some("bob@example.com"),
            Some("cus_2")
        ));
        assert!(!is_self_referral(me, None, None));
        let no_id = Identity {
            external_customer_id: None,
            ..me
        };
        assert!(!is_self_referral(no_id, None, Some("cus_1")));
    }

    #[test]
    fn an_action_reads_back_its_own_word_and_nothing_else() {
        for a in StatusAction::ALL {
            assert_eq!(a.as_str().parse::<StatusAction>(), Ok(a));
        }
        assert!("approval".parse::<StatusAction>().is_err());
        assert!("Approve".parse::<StatusAction>().is_err());
    }

    #[test]
    fn each_status_allows_the_moves_apply_accepts() {
        let allowed = |s| StatusAction::allowed_from(s).collect::<Vec<_>>();
        use StatusAction::*;
        assert_eq!(allowed(Pending), [Approve, Reject]);
        assert_eq!(allowed(Approved), [Suspend]);
        assert_eq!(allowed(Rejected), [Approve]);
        assert_eq!(allowed(Suspended), [Enable]);
    }

    #[test]
    fn a_profile_needs_an_email_and_a_first_name_and_bounds_the_overrides() {
        let errors = AffiliateProfile::parse(&AffiliateFields {
            email: "x".into(),
            commission_percent: "150".into(),
            discount_percent: "1.234".into(),
            payout_email: "nope".into(),
            ..Default::default()
        })
        .unwrap_err();
        for field in [
            "email",
            "first_name",
            "commission_percent",
            "discount_percent",
            "payout_email",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
    }

    #[test]
    fn empty_overrides_mean_the_campaigns() {
        let p = AffiliateProfile::parse(&AffiliateFields {
            email: "a@b.co".into(),
            first_name: "Ann".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.commission_bp, None);
        assert_eq!(p.discount_bp, None);
        assert_eq!(p.sort_name(), "ann");
    }
}
