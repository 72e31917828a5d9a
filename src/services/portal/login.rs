//! Signing in to the portal: by password (the staff throttle, `auth::
//! throttled_check`), or by a one-time link (magic login or SSO), and
//! asking for a link (magic login or password reset) by email.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::principal::{PortalAffiliate, affiliate_in_store};
use super::tokens::{self, LinkRefused};
use crate::db;
use crate::domain::portal::Standing;
use crate::domain::portal_token::TokenPurpose;
use crate::domain::{Email, StoreId};
use crate::entities::affiliate;
use crate::services::auth::{self, PasswordCheck};
use crate::services::{ServiceError, ServiceResult, UseCaseError, UseCaseResult, email, throttle};

pub const BAD_CREDENTIALS: &str = auth::BAD_CREDENTIALS;

pub enum PortalLogin {
    /// Right password. The caller looks at `standing`: only active and
    /// pending affiliates keep a session.
    SignedIn(PortalAffiliate),
    BadCredentials,
    Throttled {
        retry_at: DateTime<Utc>,
        message: String,
    },
}

async fn find_by_email(
    db: &DatabaseConnection,
    store_id: StoreId,
    email_input: &str,
) -> ServiceResult<Option<affiliate::Model>> {
    let Ok(email) = Email::parse(email_input) else {
        return Ok(None);
    };
    Ok(affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

pub async fn login(
    db: &DatabaseConnection,
    store_id: StoreId,
    email: &str,
    password: &str,
    ip: &str,
) -> ServiceResult<PortalLogin> {
    let found = find_by_email(db, store_id, email)
        .await?
        .filter(|a| a.anonymized_at.is_none());
    let keys = throttle::portal_login_keys(store_id.0, email, ip);
    let hash = found.as_ref().and_then(|a| a.password_hash.clone());
    Ok(
        match auth::throttled_check(db, &keys, hash, password).await? {
            PasswordCheck::Matched => {
                PortalLogin::SignedIn(PortalAffiliate::of(&found.expect("matched")))
            }
            PasswordCheck::Mismatch => PortalLogin::BadCredentials,
            PasswordCheck::Throttled { retry_at, message } => {
                PortalLogin::Throttled { retry_at, message }
            }
        },
    )
}

/// Asks for a magic sign-in link or a password-reset link. The answer is
/// the same whether the email is an affiliate of the store or not; asking
/// is rate limited per address and per email.
pub async fn request_link(
    db: &DatabaseConnection,
    public_base: &str,
    store_id: StoreId,
    email: &str,
    purpose: TokenPurpose,
    ip: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    debug_assert!(matches!(
        purpose,
        TokenPurpose::MagicLogin | TokenPurpose::PasswordReset
    ));
    let keys = [
        (
            format!("link_ip:{}", throttle::address_part(ip)),
            throttle::LINK_REQUEST,
        ),
        (
            format!("link:{}:{}", store_id.0, email.trim().to_lowercase()),
            throttle::LINK_REQUEST,
        ),
    ];
    if let Err(retry_at) = throttle::reserve(db, &keys, now).await? {
        return Err(ServiceError::RateLimited(format!(
            "Too many links asked for. Try again in {}.",
            throttle::wait_text(retry_at, now)
        )));
    }
    let Some(found) = find_by_email(db, store_id, email).await? else {
        return Ok(());
    };
    let standing = Standing::of(
        found.status,
        found.is_enabled,
        found.anonymized_at.is_some(),
    );
    if standing == Standing::Gone {
        return Ok(());
    }
    let Some(store) = crate::entities::store::Entity::find_by_id(store_id.0)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    // The link and its mail in one transaction: a link nobody is sent
    // never exists, and a queued mail always names a stored link.
    let txn = db::begin_write(db).await?;
    let issued = tokens::issue(
        &txn,
        store_id,
        crate::domain::AffiliateId(found.id),
        purpose,
        now,
    )
    .await?;
    let url = format!(
        "{public_base}{}",
        tokens::path_for(&store.slug, purpose, &issued.token)
    );
    let minutes = purpose.lifetime().num_minutes();
    match purpose {
        TokenPurpose::PasswordReset => {
            email::notify::affiliate_password_reset(&txn, &store, &found, &url, minutes).await?
        }
        _ => email::notify::magic_link(&txn, &store, &found, &url, minutes).await?,
    }
    txn.commit().await?;
    Ok(())
}

/// Signs in with a magic-login or SSO link: uses it (once) and answers the
/// affiliate it names.
pub async fn sign_in_with_link(
    db: &DatabaseConnection,
    store_id: StoreId,
    token: &str,
    now: DateTime<Utc>,
) -> UseCaseResult<PortalAffiliate, LinkRefused> {
    let txn = db::begin_write(db).await?;
    let (affiliate_id, _) = match tokens::consume(
        &txn,
        store_id,
        token,
        &[TokenPurpose::MagicLogin, TokenPurpose::Sso],
        now,
    )
    .await?
    {
        Ok(found) => found,
        Err(refused) => return Err(UseCaseError::Refused(refused)),
    };
    let affiliate = affiliate_in_store(&txn, store_id, affiliate_id)
        .await?
        .filter(|a| a.standing != Standing::Gone)
        .ok_or(UseCaseError::Refused(LinkRefused::Unusable))?;
    txn.commit().await?;
    Ok(affiliate)
}
