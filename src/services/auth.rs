//! Staff sign-in and password changes.
//!
//! Unknown email and wrong password get the same answer after the same
//! amount of work (a dummy argon2 verification), and failures are slowed
//! down per account and address, per address and per account (`throttle`),
//! except on a known-good device, which only its own failures slow.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;

use super::setup::FilterByEmail;
use super::{Actor, ServiceError, ServiceResult, audit, crypto, sessions, stores, throttle};
use crate::db;
use crate::domain::{Email, Password, StoreId, UserId, ValidationErrors};
use crate::entities::user;

pub const BAD_CREDENTIALS: &str = "Email or password is incorrect.";

/// What a sign-in attempt came to.
pub enum LoginOutcome {
    /// `device_id` names this browser from now on (the known-device cookie).
    SignedIn {
        user: user::Model,
        device_id: String,
    },
    BadCredentials,
    /// Too many failures: the attempt was not even checked; try at `retry_at`.
    Throttled {
        retry_at: DateTime<Utc>,
        message: String,
    },
}

/// `known_device` is what this browser's device cookie names (already
/// checked for its signature): a user id and a device id.
pub async fn login(
    db: &DatabaseConnection,
    email_input: &str,
    password: &str,
    ip: &str,
    known_device: Option<(UserId, String)>,
) -> ServiceResult<LoginOutcome> {
    let found = match Email::parse(email_input) {
        Ok(email) => {
            user::Entity::find()
                .filter_by_email(email.as_str())
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    // The device counts as known only for the account it signed in to.
    let device = known_device
        .filter(|(user_id, _)| found.as_ref().is_some_and(|u| u.id == user_id.0))
        .map(|(_, device)| device);
    let keys = throttle::login_keys(email_input, ip, device.as_deref());
    let hash = found.as_ref().map(|u| u.password_hash.clone());
    match throttled_check(db, &keys, hash, password).await? {
        PasswordCheck::Matched => Ok(LoginOutcome::SignedIn {
            user: found.expect("a match needs a user"),
            device_id: device.unwrap_or_else(sessions::device::new_id),
        }),
        PasswordCheck::Mismatch => Ok(LoginOutcome::BadCredentials),
        PasswordCheck::Throttled { retry_at, message } => {
            Ok(LoginOutcome::Throttled { retry_at, message })
        }
    }
}

/// What a throttled password check came to.
pub enum PasswordCheck {
    Matched,
    /// Wrong password, or no account (`hash` was `None`): one answer.
    Mismatch,
    Throttled {
        retry_at: DateTime<Utc>,
        message: String,
    },
}

/// The one sign-in check staff and portal affiliates share: count the
/// attempt on `keys` before the (slow) argon2 verification, verify against
/// `hash` or, when there is no account, a dummy hash (same time, same
/// answer), and take the attempt back on success.
pub async fn throttled_check(
    db: &DatabaseConnection,
    keys: &[(String, throttle::Policy)],
    hash: Option<String>,
    password: &str,
) -> ServiceResult<PasswordCheck> {
    let now = Utc::now();
    if let Err(retry_at) = throttle::reserve(db, keys, now).await? {
        return Ok(PasswordCheck::Throttled {
            retry_at,
            message: format!(
                "Too many failed sign-in attempts. Try again in {} (at {} UTC).",
                throttle::wait_text(retry_at, now),
                retry_at.format("%H:%M:%S")
            ),
        });
    }
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| crypto::DUMMY_PASSWORD_HASH.clone());
    let matches = crypto::verify_password_async(hash, password.to_owned()).await;
    if matches && known {
        throttle::succeeded(db, keys, now).await?;
        Ok(PasswordCheck::Matched)
    } else {
        Ok(PasswordCheck::Mismatch)
    }
}

/// Remembers the store the user is in now: the next sign-in lands there.
pub async fn remember_store(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    store_id: StoreId,
) -> ServiceResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::LastStoreId, Expr::value(Some(store_id.0)))
        .filter(user::Column::Id.eq(user_id.0))
        .exec(conn)
        .await?;
    Ok(())
}

pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Changes the password and ends every session of the user; the caller
/// renews its own session so only the browser that made the change stays in.
pub async fn change_password(
    db: &DatabaseConnection,
    user_id: UserId,
    ip: Option<String>,
    input: ChangePasswordInput,
) -> ServiceResult<u64> {
    let user = user::Entity::find_by_id(user_id.0)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut errors = ValidationErrors::new();
    let new_password = errors.check("new_password", Password::parse(&input.new_password));
    if new_password.is_some() && input.new_password != input.confirm_password {
        errors.add("confirm_password", "does not match the new password");
    }
    // The current password is guessable by whoever holds a session: the
    // account throttle applies here too.
    let now = Utc::now();
    let keys = [(format!("password:{}", user.id), throttle::PAIR)];
    if let Err(retry_at) = throttle::reserve(db, &keys, now).await? {
        return Err(ServiceError::RateLimited(format!(
            "Too many wrong passwords. Try again in {}.",
            throttle::wait_text(retry_at, now)
        )));
    }
    if crypto::verify_password_async(user.password_hash.clone(), input.current_password.clone())
        .await
    {
        throttle::succeeded(db, &keys, now).await?;
    } else {
        errors.add("current_password", "is not your current password");
    }
    errors.into_result()?;
    let new_password = new_password.expect("checked above");
    let new_hash = crypto::hash_password_async(new_password.expose().to_owned()).await?;

    let txn = db::begin_write(db).await?;
    let email = user.email.clone();
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(new_hash);
    active.password_changed_at = Set(Utc::now());
    active.update(&txn).await?;
    let revoked = sessions::revoke_all_for_user(&txn, user_id.0, None).await?;
    let actor = Actor::user(user_id.0, &email, ip);
    for access in stores::stores_of(&txn, user_id).await? {
        audit::record(
            &txn,
            StoreId(access.store.id),
            &actor,
            "user.password_changed",
            "user",
            Some(user_id.to_string()),
            json!({"email": email, "sessions_ended": revoked}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(revoked)
}

/// What a request reads of the signed-in user.
pub use crate::entities::user::Model as User;

/// The user a session names, if they still exist.
pub async fn session_user(
    conn: &impl sea_orm::ConnectionTrait,
    id: UserId,
) -> ServiceResult<Option<User>> {
    Ok(user::Entity::find_by_id(id.0).one(conn).await?)
}
