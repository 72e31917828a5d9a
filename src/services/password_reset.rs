//! Staff "forgot password": a one-time link by email (only its SHA-256 is
//! kept), valid for an hour; choosing a new password through it ends every
//! session of the account.
//!
//! Asking answers the same whether or not the email has an account, and
//! asking is throttled per email and per address like sign-in (each request
//! counts, none takes its count back), so the form can neither tell who has
//! an account nor flood a mailbox.
//!
//! The message belongs to no store (`email::enqueue_unscoped`): a user may
//! be in several stores, and a reset link on a store's Emails page would let
//! another admin of that store take the account over. Without SMTP only the
//! operator, who has the database, can read the link (`docs/email.md`).

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::setup::FilterByEmail;
use super::{Actor, ServiceError, ServiceResult, audit, crypto, email, sessions, stores, throttle};
use crate::db;
use crate::domain::{Email, Password, StoreId, UserId, ValidationErrors};
use crate::entities::{staff_password_reset, user};

/// How long a link works.
pub const LIFETIME: Duration = Duration::hours(1);

/// The link that opens the new-password form.
pub fn link(public_base: &str, token: &str) -> String {
    format!(
        "{}/password-reset/{token}",
        public_base.trim_end_matches('/')
    )
}

fn keys(email: &str, ip: &str) -> Vec<(String, throttle::Policy)> {
    vec![
        (
            format!("reset:{}", email.trim().to_lowercase()),
            throttle::PAIR,
        ),
        (
            format!("reset-ip:{}", throttle::address_part(ip)),
            throttle::ADDRESS,
        ),
    ]
}

/// Sends a reset link when `email_input` names an account; the caller shows
/// the same page either way. A bad email is a field error (it says nothing
/// about accounts).
pub async fn request(
    db: &DatabaseConnection,
    email_input: &str,
    ip: &str,
    public_base: &str,
) -> ServiceResult<()> {
    let email = Email::parse(email_input).map_err(|m| ValidationErrors::single("email", m))?;
    let now = Utc::now();
    if let Err(retry_at) = throttle::reserve(db, &keys(email.as_str(), ip), now).await? {
        return Err(ServiceError::RateLimited(format!(
            "Too many reset requests. Try again in {}.",
            throttle::wait_text(retry_at, now)
        )));
    }
    let Some(found) = user::Entity::find()
        .filter_by_email(email.as_str())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let token = crypto::random_token(32);
    let txn = db::begin_write(db).await?;
    // One live link per account: asking again replaces the one before.
    staff_password_reset::Entity::update_many()
        .col_expr(staff_password_reset::Column::UsedAt, Expr::value(Some(now)))
        .filter(staff_password_reset::Column::UserId.eq(found.id))
        .filter(staff_password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    staff_password_reset::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(found.id),
        token_hash: Set(crypto::sha256_hex(token.as_bytes())),
        created_at: Set(now),
        expires_at: Set(now + LIFETIME),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let to = Email::parse(&found.email).map_err(|e| anyhow::anyhow!(e))?;
    let message = email::messages::staff_password_reset(
        &to,
        &email::messages::StaffReset {
            url: link(public_base, &token),
            valid_minutes: LIFETIME.num_minutes(),
        },
    )?;
    email::enqueue_unscoped(&txn, message).await?;
    txn.commit().await?;
    Ok(())
}

async fn live(
    conn: &impl sea_orm::ConnectionTrait,
    token: &str,
) -> ServiceResult<Option<staff_password_reset::Model>> {
    if token.len() > 64 {
        return Ok(None);
    }
    let found = staff_password_reset::Entity::find()
        .filter(staff_password_reset::Column::TokenHash.eq(crypto::sha256_hex(token.as_bytes())))
        .one(conn)
        .await?;
    Ok(found.filter(|r| r.used_at.is_none() && r.expires_at > Utc::now()))
}

/// Whether the link still works (the form is shown only then).
pub async fn is_live(db: &DatabaseConnection, token: &str) -> ServiceResult<bool> {
    Ok(live(db, token).await?.is_some())
}

/// Sets the new password through the link, once; every session of the
/// account ends. A used, expired or unknown link is not found.
pub async fn complete(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    confirm_password: &str,
    ip: Option<String>,
) -> ServiceResult<UserId> {
    if live(db, token).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    let mut errors = ValidationErrors::new();
    let password = errors.check("password", Password::parse(password));
    if password.is_some() && password.as_ref().map(|p| p.expose()) != Some(confirm_password) {
        errors.add("confirm_password", "does not match the password");
    }
    errors.into_result()?;
    let hash = crypto::hash_password_async(password.expect("checked").expose().to_owned()).await?;

    let txn = db::begin_write(db).await?;
    let now = Utc::now();
    let row = live(&txn, token).await?.ok_or(ServiceError::NotFound)?;
    // Used once, however many tabs submit: only one UPDATE takes it.
    let claimed = staff_password_reset::Entity::update_many()
        .col_expr(staff_password_reset::Column::UsedAt, Expr::value(Some(now)))
        .filter(staff_password_reset::Column::Id.eq(row.id))
        .filter(staff_password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(ServiceError::NotFound);
    }
    let found = user::Entity::find_by_id(row.user_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user_id = UserId(found.id);
    let email = found.email.clone();
    let mut active: user::ActiveModel = found.into();
    active.password_hash = Set(hash);
    active.password_changed_at = Set(now);
    active.update(&txn).await?;
    let ended = sessions::revoke_all_for_user(&txn, user_id.0, None).await?;
    let actor = Actor::user(user_id.0, &email, ip);
    for access in stores::stores_of(&txn, user_id).await? {
        audit::record(
            &txn,
            StoreId(access.store.id),
            &actor,
            "user.password_reset",
            "user",
            Some(user_id.to_string()),
            json!({"email": email, "sessions_ended": ended}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(user_id)
}
