//! Every kind renders both parts, in the store's name, with what it is about.

use chrono::TimeZone;

use super::*;

fn to() -> Email {
    Email::parse("ann@example.com").unwrap()
}

fn shop() -> Sender {
    Sender::store("Acme & Sons")
}

/// Both parts say each of `needles`; the HTML escapes the store's name and
/// the text keeps it as typed.
fn says(m: &Message, kind: EmailKind, needles: &[&str]) {
    assert_eq!(m.kind(), kind);
    assert_eq!(m.to().as_str(), "ann@example.com");
    for n in needles {
        assert!(m.text().contains(n), "text lacks {n:?}:\n{}", m.text());
        assert!(m.html().contains(n), "html lacks {n:?}:\n{}", m.html());
    }
    if kind != EmailKind::StaffPasswordReset {
        assert!(m.text().contains("Acme & Sons"), "{}", m.text());
        assert!(
            m.html().contains("Acme &#38; Sons") || m.html().contains("Acme &amp; Sons"),
            "{}",
            m.html()
        );
    }
    assert!(m.html().starts_with("<!doctype html>"));
    assert!(!m.text().contains('<') || kind == EmailKind::NewApplication);
}

fn link() -> PortalLink {
    PortalLink {
        name: "Ann".into(),
        url: "https://aff.example.com/a/acme/magic?token=abc".into(),
        valid_minutes: 15,
    }
}

#[test]
fn a_magic_link_carries_its_link_and_lifetime() {
    let m = magic_link(&shop(), &to(), &link()).unwrap();
    says(
        &m,
        EmailKind::MagicLink,
        &[
            "Hello Ann",
            "https://aff.example.com/a/acme/magic?token=abc",
            "15 minutes",
        ],
    );
    assert_eq!(m.subject(), "Your sign-in link for Acme & Sons");
}

#[test]
fn an_affiliate_password_reset_carries_its_link() {
    let m = affiliate_password_reset(&shop(), &to(), &link()).unwrap();
    says(
        &m,
        EmailKind::PasswordReset,
        &[
            "https://aff.example.com/a/acme/magic?token=abc",
            "15 minutes",
        ],
    );
    assert!(m.subject().contains("Reset"));
}

fn application() -> Application {
    Application {
        name: "Ann Smith".into(),
        email: "ann@example.com".into(),
        campaign: "Partners".into(),
    }
}

#[test]
fn an_application_received_names_the_campaign() {
    let m = application_received(&shop(), &to(), &application()).unwrap();
    says(
        &m,
        EmailKind::ApplicationReceived,
        &["Hello Ann Smith", "Partners", "waiting for review"],
    );
}

#[test]
fn a_new_application_tells_staff_who_applied() {
    let m = new_application(&shop(), &to(), &application()).unwrap();
    says(
        &m,
        EmailKind::NewApplication,
        &["Ann Smith", "ann@example.com", "Partners"],
    );
    assert_eq!(m.subject(), "New affiliate application: Ann Smith");
}

#[test]
fn an_approval_says_approved() {
    let m = affiliate_approved(
        &shop(),
        &to(),
        &Decision {
            name: "Ann".into(),
            reason: None,
            portal_url: Some(PORTAL.into()),
        },
    )
    .unwrap();
    says(
        &m,
        EmailKind::AffiliateApproved,
        &[
            "Hello Ann",
            crate::domain::affiliate::AffiliateStatus::Approved.as_str(),
            PORTAL,
        ],
    );
}

/// The portal's sign-in page, as `notify` builds it.
const PORTAL: &str = "https://aff.example.com/a/acme/login";

#[test]
fn without_a_known_public_url_the_mail_has_no_portal_link() {
    let m = payout_paid(
        &shop(),
        &to(),
        &Payout {
            name: "Ann".into(),
            amount: "50.00 USD".into(),
            reference: None,
            portal_url: None,
        },
    )
    .unwrap();
    assert!(!m.text().contains("http"), "{}", m.text());
    assert!(!m.html().contains("/a/acme"), "{}", m.html());
}

#[test]
fn a_rejection_gives_the_reason_when_there_is_one() {
    let with = affiliate_rejected(
        &shop(),
        &to(),
        &Decision {
            name: "Ann".into(),
            reason: Some("No <website> yet".into()),
            portal_url: None,
        },
    )
    .unwrap();
    assert_eq!(with.kind(), EmailKind::AffiliateRejected);
    assert!(with.text().contains("Reason: No <website> yet"));
    assert!(
        with.html().contains("Reason: No &#60;website&#62; yet")
            || with.html().contains("Reason: No &lt;website&gt; yet"),
        "{}",
        with.html()
    );
    let without = affiliate_rejected(
        &shop(),
        &to(),
        &Decision {
            name: "Ann".into(),
            reason: None,
            portal_url: None,
        },
    )
    .unwrap();
    assert!(!without.text().contains("Reason"));
}

#[test]
fn a_new_commission_gives_its_amount_and_hold() {
    let held = new_commission(
        &shop(),
        &to(),
        &Commission {
            name: "Ann".into(),
            amount: "12.50 USD".into(),
            due_on: Some("2026-12-31".into()),
            portal_url: Some(PORTAL.into()),
        },
    )
    .unwrap();
    says(
        &held,
        EmailKind::NewCommission,
        &["12.50 USD", "on hold until 2026-12-31", PORTAL],
    );
    assert_eq!(held.subject(), "You earned 12.50 USD with Acme & Sons");
    let due = new_commission(
        &shop(),
        &to(),
        &Commission {
            name: "Ann".into(),
            amount: "3.00 USD".into(),
            due_on: None,
            portal_url: None,
        },
    )
    .unwrap();
    assert!(due.text().contains("payable now"));
}

#[test]
fn a_payout_paid_gives_amount_and_reference() {
    let m = payout_paid(
        &shop(),
        &to(),
        &Payout {
            name: "Ann".into(),
            amount: "50.00 USD".into(),
            reference: Some("PP-123".into()),
            portal_url: Some(PORTAL.into()),
        },
    )
    .unwrap();
    says(
        &m,
        EmailKind::PayoutPaid,
        &["50.00 USD", "Reference: PP-123", PORTAL],
    );
}

#[test]
fn a_staff_password_reset_is_sent_as_tributary() {
    let m = staff_password_reset(
        &to(),
        &StaffReset {
            url: "https://aff.example.com/password-reset/xyz".into(),
            valid_minutes: 60,
        },
    )
    .unwrap();
    says(
        &m,
        EmailKind::StaffPasswordReset,
        &["https://aff.example.com/password-reset/xyz", "60 minutes"],
    );
    assert!(m.html().contains("Tributary"));
}

#[test]
fn a_team_invitation_names_store_role_and_expiry() {
    let m = team_invitation(
        &shop(),
        &to(),
        &Invitation {
            role: "admin".into(),
            invited_by: "owner@example.com".into(),
            url: "https://aff.example.com/invitations/tok".into(),
            expires_at: Utc.with_ymd_and_hms(2026, 12, 9, 10, 30, 0).unwrap(),
        },
    )
    .unwrap();
    says(
        &m,
        EmailKind::TeamInvitation,
        &[
            "owner@example.com",
            "as admin",
            "https://aff.example.com/invitations/tok",
            "2026-12-09 10:30 UTC",
        ],
    );
}
