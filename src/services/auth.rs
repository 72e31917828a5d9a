//! Staff sign-in and password changes.
//!
//! Unknown email and wrong password get the same answer after the same
//! amount of work (a dummy argon2 verification), and failures are throttled
//! per account and per client address (`throttle`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::json;

use super::setup::FilterByEmail;
use super::{Actor, ServiceError, ServiceResult, audit, crypto, sessions, stores, throttle};
use crate::db;
use crate::domain::{Email, Password, StoreId, UserId, ValidationErrors};
use crate::entities::user;

pub const BAD_CREDENTIALS: &str = "Email or password is incorrect.";

pub async fn login(
    db: &DatabaseConnection,
    email_input: &str,
    password: &str,
    ip: &str,
) -> ServiceResult<user::Model> {
    let now = Utc::now();
    let account_key = throttle::account_key(email_input);
    let ip_key = throttle::ip_key(ip);
    // Count the attempt before the (slow) password check, atomically.
    let txn = db::begin_write(db).await?;
    let mut locked_until = None;
    for (key, limit) in [
        (&account_key, throttle::ACCOUNT_LIMIT),
        (&ip_key, throttle::IP_LIMIT),
    ] {
        if let Some(until) = throttle::try_attempt(&txn, key, limit, now).await? {
            locked_until = locked_until.max(Some(until));
        }
    }
    txn.commit().await?;
    if let Some(until) = locked_until {
        let minutes = ((until - now).num_seconds() + 59) / 60;
        return Err(ServiceError::RateLimited(format!(
            "Too many failed sign-in attempts. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        )));
    }

    let found = match Email::parse(email_input) {
        Ok(email) => {
            user::Entity::find()
                .filter_by_email(email.as_str())
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| crypto::DUMMY_PASSWORD_HASH.clone());
    let password_owned = password.to_owned();
    let matches = crypto::verify_password_async(hash, password_owned).await;

    match found {
        Some(user) if matches => {
            throttle::succeeded(db, &account_key, &ip_key, now).await?;
            Ok(user)
        }
        _ => Err(ServiceError::Unauthorized(BAD_CREDENTIALS.into())),
    }
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
    let account_key = throttle::account_key(&user.email);
    let txn = db::begin_write(db).await?;
    let locked =
        throttle::try_attempt(&txn, &account_key, throttle::ACCOUNT_LIMIT, Utc::now()).await?;
    txn.commit().await?;
    if locked.is_some() {
        return Err(ServiceError::RateLimited(
            "Too many wrong passwords. Try again in a few minutes.".into(),
        ));
    }
    if !crypto::verify_password_async(user.password_hash.clone(), input.current_password.clone())
        .await
    {
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
