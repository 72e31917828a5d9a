//! Outgoing email as stored in the outbox: what kind of message a row is,
//! where it is in its delivery (`queued` → `sent`, or → `failed` after the
//! last attempt, and back to `queued` when staff retry it; a queued message
//! whose reason went away — a revoked invitation — is `cancelled`), and when
//! a failed attempt is tried again.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::states::TransitionError;

macro_rules! stored {
    ($name:ident, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("must be {}", super::states::join_or(&[$($text),+]))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Which message a row is (one template pair each, `templates/emails/`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    #[sea_orm(string_value = "magic_link")]
    MagicLink,
    #[sea_orm(string_value = "password_reset")]
    PasswordReset,
    #[sea_orm(string_value = "application_received")]
    ApplicationReceived,
    #[sea_orm(string_value = "new_application")]
    NewApplication,
    #[sea_orm(string_value = "affiliate_approved")]
    AffiliateApproved,
    #[sea_orm(string_value = "affiliate_rejected")]
    AffiliateRejected,
    #[sea_orm(string_value = "new_commission")]
    NewCommission,
    #[sea_orm(string_value = "payout_paid")]
    PayoutPaid,
    #[sea_orm(string_value = "staff_password_reset")]
    StaffPasswordReset,
    #[sea_orm(string_value = "team_invitation")]
    TeamInvitation,
}

stored!(EmailKind, {
    MagicLink => "magic_link",
    PasswordReset => "password_reset",
    ApplicationReceived => "application_received",
    NewApplication => "new_application",
    AffiliateApproved => "affiliate_approved",
    AffiliateRejected => "affiliate_rejected",
    NewCommission => "new_commission",
    PayoutPaid => "payout_paid",
    StaffPasswordReset => "staff_password_reset",
    TeamInvitation => "team_invitation",
});

impl EmailKind {
    /// How the Emails page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::MagicLink => "Portal sign-in link",
            Self::PasswordReset => "Affiliate password reset",
            Self::ApplicationReceived => "Application received",
            Self::NewApplication => "New application",
            Self::AffiliateApproved => "Affiliate approved",
            Self::AffiliateRejected => "Affiliate rejected",
            Self::NewCommission => "New commission",
            Self::PayoutPaid => "Payout paid",
            Self::StaffPasswordReset => "Staff password reset",
            Self::TeamInvitation => "Team invitation",
        }
    }
}

/// Where a message is in its delivery.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for its next attempt (`next_attempt_at`).
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Every attempt failed; staff may retry it by hand.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Withdrawn before it was sent (its invitation was revoked): never sent.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

stored!(EmailStatus, { Queued => "queued", Sent => "sent", Failed => "failed", Cancelled => "cancelled" });

/// Attempts before a message is given up (`failed`).
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait after the first failure; each further failure doubles it.
pub const FIRST_RETRY: Duration = Duration::minutes(1);
/// No wait is longer than this.
pub const MAX_RETRY: Duration = Duration::hours(6);

/// What an attempt comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// That was the last attempt.
    GiveUp,
}

impl EmailStatus {
    /// Only a queued message is sent.
    pub fn deliver(self) -> Result<Self, TransitionError> {
        match self {
            Self::Queued => Ok(Self::Sent),
            other => Err(TransitionError(format!(
                "A message that is {other} is not sent again."
            ))),
        }
    }

    /// A failed attempt of a queued message: queued for later, or failed
    /// for good once `attempts` (this one included) reaches the limit.
    pub fn fail(
        self,
        attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<(Self, AfterFailure), TransitionError> {
        match self {
            Self::Queued => Ok(match retry_after(attempts, now) {
                AfterFailure::GiveUp => (Self::Failed, AfterFailure::GiveUp),
                retry => (Self::Queued, retry),
            }),
            other => Err(TransitionError(format!(
                "A message that is {other} is not being sent."
            ))),
        }
    }

    /// Staff retry a message that was given up: it is queued again, due now.
    pub fn retry(self) -> Result<Self, TransitionError> {
        match self {
            Self::Failed => Ok(Self::Queued),
            Self::Queued => Err(TransitionError(
                "This message is already waiting to be sent.".into(),
            )),
            Self::Sent => Err(TransitionError("This message was sent already.".into())),
            Self::Cancelled => Err(TransitionError(
                "This message was cancelled: what it was about was withdrawn.".into(),
            )),
        }
    }

    /// A message that is no longer wanted: only one still waiting (queued)
    /// is withdrawn; one sent is sent, and a failed one stays for staff.
    pub fn cancel(self) -> Result<Self, TransitionError> {
        match self {
            Self::Queued => Ok(Self::Cancelled),
            other => Err(TransitionError(format!(
                "A message that is {other} cannot be cancelled."
            ))),
        }
    }
}

/// Exponential backoff: after the `attempts`-th failure (1-based), wait
/// `FIRST_RETRY × 2^(attempts-1)`, capped at `MAX_RETRY`; give up after
/// `MAX_ATTEMPTS`.
pub fn retry_after(attempts: i32, now: DateTime<Utc>) -> AfterFailure {
    if attempts >= MAX_ATTEMPTS {
        return AfterFailure::GiveUp;
    }
    let doublings = (attempts.max(1) - 1).min(20) as u32;
    let secs = FIRST_RETRY
        .num_seconds()
        .saturating_mul(1i64 << doublings)
        .min(MAX_RETRY.num_seconds());
    AfterFailure::RetryAt(now + Duration::seconds(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: DateTime<Utc>, after: AfterFailure) -> i64 {
        match after {
            AfterFailure::RetryAt(t) => (t - now).num_seconds(),
            AfterFailure::GiveUp => -1,
        }
    }

    #[test]
    fn each_failure_doubles_the_wait_until_the_last_attempt() {
        let now = Utc::now();
        let waits: Vec<i64> = (1..=MAX_ATTEMPTS)
            .map(|n| at(now, retry_after(n, now)))
            .collect();
        assert_eq!(waits, vec![60, 120, 240, 480, 960, 1920, 3840, -1]);
    }

    #[test]
    fn the_wait_never_exceeds_the_cap() {
        let now = Utc::now();
        // Past the limit it gives up; below it the cap holds for any count.
        for n in 1..MAX_ATTEMPTS {
            assert!(at(now, retry_after(n, now)) <= MAX_RETRY.num_seconds());
        }
        assert_eq!(retry_after(i32::MAX, now), AfterFailure::GiveUp);
        assert_eq!(at(now, retry_after(0, now)), 60);
    }

    #[test]
    fn a_queued_message_is_sent_or_requeued_and_failed_ones_only_retried() {
        let now = Utc::now();
        assert_eq!(EmailStatus::Queued.deliver(), Ok(EmailStatus::Sent));
        assert!(EmailStatus::Sent.deliver().is_err());
        assert!(EmailStatus::Failed.deliver().is_err());
        assert_eq!(
            EmailStatus::Queued.fail(1, now).unwrap().0,
            EmailStatus::Queued
        );
        assert_eq!(
            EmailStatus::Queued.fail(MAX_ATTEMPTS, now).unwrap(),
            (EmailStatus::Failed, AfterFailure::GiveUp)
        );
        assert!(EmailStatus::Sent.fail(1, now).is_err());
        assert_eq!(EmailStatus::Failed.retry(), Ok(EmailStatus::Queued));
        assert!(EmailStatus::Queued.retry().is_err());
        assert!(EmailStatus::Sent.retry().is_err());
    }

    #[test]
    fn only_a_queued_message_is_cancelled_and_a_cancelled_one_is_never_sent() {
        let now = Utc::now();
        assert_eq!(EmailStatus::Queued.cancel(), Ok(EmailStatus::Cancelled));
        for s in [
            EmailStatus::Sent,
            EmailStatus::Failed,
            EmailStatus::Cancelled,
        ] {
            assert!(s.cancel().is_err(), "{s}");
        }
        assert!(EmailStatus::Cancelled.deliver().is_err());
        assert!(EmailStatus::Cancelled.fail(1, now).is_err());
        assert!(EmailStatus::Cancelled.retry().is_err());
    }

    #[test]
    fn every_kind_and_status_round_trips_through_its_stored_string() {
        for k in EmailKind::ALL {
            assert_eq!(EmailKind::parse(k.as_str()), Ok(*k));
        }
        for s in EmailStatus::ALL {
            assert_eq!(EmailStatus::parse(s.as_str()), Ok(*s));
        }
        assert!(
            EmailStatus::parse("lost")
                .unwrap_err()
                .contains("queued, sent, failed or cancelled")
        );
    }
}
