//! One-time links into the affiliate portal: what each is for, how long it
//! lives, and whether it may still be used. Pure: the clock is a parameter,
//! so tests move time instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;

/// Stored as text (the entity's column type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TokenPurpose {
    /// "Email me a sign-in link": signs in once.
    #[sea_orm(string_value = "magic_login")]
    MagicLogin,
    /// "Forgot password": signs in once, on a page that sets a password.
    #[sea_orm(string_value = "password_reset")]
    PasswordReset,
    /// `POST /api/v1/affiliates/{id}/sso`: the store's own site signs its
    /// user in (Rewardful's magic-link SSO).
    #[sea_orm(string_value = "sso")]
    Sso,
    /// Staff hand an invite-only campaign's affiliate a link to set a
    /// password and come in.
    #[sea_orm(string_value = "invite")]
    Invite,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MagicLogin => "magic_login",
            Self::PasswordReset => "password_reset",
            Self::Sso => "sso",
            Self::Invite => "invite",
        }
    }

    /// How long a link works after it is made. SSO links are opened by a
    /// redirect right away; mailed ones wait in an inbox; an invite is
    /// handed over by a person.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::MagicLogin | Self::PasswordReset => Duration::minutes(15),
            Self::Sso => Duration::seconds(60),
            Self::Invite => Duration::days(7),
        }
    }

    /// Whether using the link leads to choosing a password.
    pub fn sets_password(self) -> bool {
        matches!(self, Self::PasswordReset | Self::Invite)
    }
}

/// Why a link no longer works. The page says the same for each (a
/// stranger learns nothing from guessing), the log tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    Used,
    Expired,
}

/// A link works once, before it expires (the expiry instant itself is too late).
pub fn check_usable(
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), TokenRefusal> {
    if used_at.is_some() {
        return Err(TokenRefusal::Used);
    }
    if now >= expires_at {
        return Err(TokenRefusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_short_for_sign_in_links_and_a_minute_for_sso() {
        assert_eq!(TokenPurpose::MagicLogin.lifetime(), Duration::minutes(15));
        assert_eq!(
            TokenPurpose::PasswordReset.lifetime(),
            Duration::minutes(15)
        );
        assert_eq!(TokenPurpose::Sso.lifetime(), Duration::seconds(60));
    }

    #[test]
    fn a_link_works_once_and_only_before_it_expires() {
        let now = Utc::now();
        let expires = now + Duration::seconds(60);
        assert_eq!(check_usable(expires, None, now), Ok(()));
        assert_eq!(
            check_usable(expires, None, now + Duration::seconds(59)),
            Ok(())
        );
        assert_eq!(
            check_usable(expires, None, expires),
            Err(TokenRefusal::Expired)
        );
        assert_eq!(
            check_usable(expires, Some(now), now),
            Err(TokenRefusal::Used)
        );
    }
}
