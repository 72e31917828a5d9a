//! The messages Tributary sends, one constructor per kind. Each renders its
//! plain-text and HTML templates (`templates/emails/<kind>.txt|.html`) in
//! the store's name; a `Message` exists only through these, so no caller
//! can queue a mail without a recipient, a subject or one of its bodies.

use askama::Template;
use chrono::{DateTime, Utc};

use crate::domain::Email;
use crate::domain::mail::EmailKind;
use crate::services::{ServiceError, ServiceResult};

/// A rendered message, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    kind: EmailKind,
    to: Email,
    subject: String,
    text: String,
    html: String,
}

impl Message {
    pub fn kind(&self) -> EmailKind {
        self.kind
    }
    pub fn to(&self) -> &Email {
        &self.to
    }
    pub fn subject(&self) -> &str {
        &self.subject
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn html(&self) -> &str {
        &self.html
    }
}

/// Whose name a message goes out in: the store's (or Tributary's, for
/// staff mail that belongs to no store).
#[derive(Debug, Clone)]
pub struct Sender {
    pub name: String,
}

impl Sender {
    pub fn store(name: &str) -> Self {
        Self {
            name: name.to_owned(),
        }
    }
    pub fn tributary() -> Self {
        Self::store("Tributary")
    }
}

/// A template pair over one kind's data: `m` the data, `s` the sender,
/// `subject` for the HTML title.
macro_rules! pair {
    ($data:ty, $text:ident = $tp:tt, $html:ident = $hp:tt) => {
        #[derive(Template)]
        #[template(path = $tp)]
        struct $text<'a> {
            m: &'a $data,
            s: &'a Sender,
        }
        #[derive(Template)]
        #[template(path = $hp)]
        struct $html<'a> {
            m: &'a $data,
            s: &'a Sender,
            subject: &'a str,
        }
    };
}

fn failed(e: askama::Error) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("rendering an email failed: {e}"))
}

macro_rules! build {
    ($kind:expr, $to:expr, $subject:expr, $text:ident, $html:ident, $data:expr, $sender:expr) => {{
        let subject: String = $subject;
        let text = $text {
            m: $data,
            s: $sender,
        }
        .render()
        .map_err(failed)?;
        let html = $html {
            m: $data,
            s: $sender,
            subject: &subject,
        }
        .render()
        .map_err(failed)?;
        Ok(Message {
            kind: $kind,
            to: $to.clone(),
            subject,
            text,
            html,
        })
    }};
}

// --- Affiliate portal -------------------------------------------------------

pub struct PortalLink {
    pub name: String,
    pub url: String,
    pub valid_minutes: i64,
}
pair!(
    PortalLink,
    MagicLinkText = "emails/magic_link.txt",
    MagicLinkHtml = "emails/magic_link.html"
);
pair!(
    PortalLink,
    ResetText = "emails/password_reset.txt",
    ResetHtml = "emails/password_reset.html"
);

/// A one-time sign-in link to the affiliate portal.
pub fn magic_link(s: &Sender, to: &Email, m: &PortalLink) -> ServiceResult<Message> {
    build!(
        EmailKind::MagicLink,
        to,
        format!("Your sign-in link for {}", s.name),
        MagicLinkText,
        MagicLinkHtml,
        m,
        s
    )
}

/// A one-time link to choose a new portal password.
pub fn affiliate_password_reset(s: &Sender, to: &Email, m: &PortalLink) -> ServiceResult<Message> {
    build!(
        EmailKind::PasswordReset,
        to,
        format!("Reset your {} affiliate password", s.name),
        ResetText,
        ResetHtml,
        m,
        s
    )
}

pub struct Application {
    /// The applicant's name as they gave it.
    pub name: String,
    pub email: String,
    pub campaign: String,
}
pair!(
    Application,
    ReceivedText = "emails/application_received.txt",
    ReceivedHtml = "emails/application_received.html"
);
pair!(
    Application,
    NewApplicationText = "emails/new_application.txt",
    NewApplicationHtml = "emails/new_application.html"
);

/// To the applicant: their application waits for the store's review.
pub fn application_received(s: &Sender, to: &Email, m: &Application) -> ServiceResult<Message> {
    build!(
        EmailKind::ApplicationReceived,
        to,
        format!("We received your application to {}", s.name),
        ReceivedText,
        ReceivedHtml,
        m,
        s
    )
}

/// To a member of the store's team: someone applied and waits for review.
pub fn new_application(s: &Sender, to: &Email, m: &Application) -> ServiceResult<Message> {
    build!(
        EmailKind::NewApplication,
        to,
        format!("New affiliate application: {}", m.name),
        NewApplicationText,
        NewApplicationHtml,
        m,
        s
    )
}

pub struct Decision {
    pub name: String,
    /// Why, when staff gave a reason (rejections only).
    pub reason: Option<String>,
    /// The portal's sign-in page (approvals only), when the public URL is
    /// known (`services::instance`).
    pub portal_url: Option<String>,
}
pair!(
    Decision,
    ApprovedText = "emails/affiliate_approved.txt",
    ApprovedHtml = "emails/affiliate_approved.html"
);
pair!(
    Decision,
    RejectedText = "emails/affiliate_rejected.txt",
    RejectedHtml = "emails/affiliate_rejected.html"
);

pub fn affiliate_approved(s: &Sender, to: &Email, m: &Decision) -> ServiceResult<Message> {
    build!(
        EmailKind::AffiliateApproved,
        to,
        format!("You're in: your {} affiliate account is approved", s.name),
        ApprovedText,
        ApprovedHtml,
        m,
        s
    )
}

pub fn affiliate_rejected(s: &Sender, to: &Email, m: &Decision) -> ServiceResult<Message> {
    build!(
        EmailKind::AffiliateRejected,
        to,
        format!("Your application to {}", s.name),
        RejectedText,
        RejectedHtml,
        m,
        s
    )
}

pub struct Commission {
    pub name: String,
    /// Amount and currency, as the store shows money ("12.50 USD").
    pub amount: String,
    /// The day it becomes payable, when it is still on hold.
    pub due_on: Option<String>,
    /// The portal's sign-in page, when the public URL is known.
    pub portal_url: Option<String>,
}
pair!(
    Commission,
    CommissionText = "emails/new_commission.txt",
    CommissionHtml = "emails/new_commission.html"
);

pub fn new_commission(s: &Sender, to: &Email, m: &Commission) -> ServiceResult<Message> {
    build!(
        EmailKind::NewCommission,
        to,
        format!("You earned {} with {}", m.amount, s.name),
        CommissionText,
        CommissionHtml,
        m,
        s
    )
}

pub struct Payout {
    pub name: String,
    pub amount: String,
    pub reference: Option<String>,
    /// The portal's sign-in page, when the public URL is known.
    pub portal_url: Option<String>,
}
pair!(
    Payout,
    PayoutText = "emails/payout_paid.txt",
    PayoutHtml = "emails/payout_paid.html"
);

pub fn payout_paid(s: &Sender, to: &Email, m: &Payout) -> ServiceResult<Message> {
    build!(
        EmailKind::PayoutPaid,
        to,
        format!("{} paid you {}", s.name, m.amount),
        PayoutText,
        PayoutHtml,
        m,
        s
    )
}

// --- Staff ---------------------------------------------------------------------

pub struct StaffReset {
    pub url: String,
    pub valid_minutes: i64,
}
pair!(
    StaffReset,
    StaffResetText = "emails/staff_password_reset.txt",
    StaffResetHtml = "emails/staff_password_reset.html"
);

/// A "forgot password" link for a staff account (sent as Tributary).
pub fn staff_password_reset(to: &Email, m: &StaffReset) -> ServiceResult<Message> {
    let s = &Sender::tributary();
    build!(
        EmailKind::StaffPasswordReset,
        to,
        "Reset your Tributary password".to_owned(),
        StaffResetText,
        StaffResetHtml,
        m,
        s
    )
}

pub struct Invitation {
    pub role: String,
    pub invited_by: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}
pair!(
    Invitation,
    InvitationText = "emails/team_invitation.txt",
    InvitationHtml = "emails/team_invitation.html"
);

impl Invitation {
    pub fn expires(&self) -> String {
        self.expires_at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

pub fn team_invitation(s: &Sender, to: &Email, m: &Invitation) -> ServiceResult<Message> {
    build!(
        EmailKind::TeamInvitation,
        to,
        format!("You're invited to join {} on Tributary", s.name),
        InvitationText,
        InvitationHtml,
        m,
        s
    )
}

#[cfg(test)]
mod tests;
