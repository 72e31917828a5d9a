//! The affiliate's own Settings page: profile (name, payout email and
//! method), notification preferences, and a password change. Profile and
//! preferences go through `affiliates::update`, so the affiliate rules
//! (and its audit entry) hold once; the password change ends every session
//! of the affiliate (the caller starts a fresh one for the browser that
//! made the change).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::json;

use crate::db;
use crate::domain::payout::PayoutMethod;
use crate::domain::{AffiliateId, Password, StoreId, ValidationErrors};
use crate::entities::affiliate;
use crate::services::affiliates::{self, AffiliateForUpdate};
use crate::services::{Actor, ServiceError, ServiceResult, audit, crypto, sessions, throttle};

/// What the Settings page shows.
#[derive(Debug, Clone)]
pub struct AffiliateSettings {
    pub first_name: String,
    pub last_name: String,
    pub payout_email: String,
    pub payout_method: PayoutMethod,
    /// Store credit is offered only to an affiliate with a customer
    /// account in the store (the payouts code needs one to grant it).
    pub store_credit_offered: bool,
    pub notify_new_commission: bool,
    pub notify_payout_paid: bool,
    pub has_password: bool,
}

fn settings_of(a: &affiliate::Model) -> AffiliateSettings {
    AffiliateSettings {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        payout_email: a.payout_email.clone().unwrap_or_default(),
        payout_method: a.payout_method,
        store_credit_offered: a.external_customer_id.is_some(),
        notify_new_commission: a.notify_new_commission,
        notify_payout_paid: a.notify_payout_paid,
        has_password: a.password_hash.is_some(),
    }
}

async fn find(
    db: &DatabaseConnection,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<affiliate::Model> {
    affiliate::Entity::find_by_id(affiliate_id.0)
        .one(db)
        .await?
        .filter(|a| a.store_id == store_id.0 && a.anonymized_at.is_none())
        .ok_or(ServiceError::NotFound)
}

pub async fn get(
    db: &DatabaseConnection,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<AffiliateSettings> {
    Ok(settings_of(&find(db, store_id, affiliate_id).await?))
}

/// The profile form as sent.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub first_name: String,
    pub last_name: String,
    pub payout_email: String,
    pub payout_method: String,
}

pub async fn save_profile(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: ProfileInput,
) -> ServiceResult<AffiliateSettings> {
    let method = PayoutMethod::parse(&input.payout_method)
        .map_err(|m| ValidationErrors::single("payout_method", &m))?;
    let changes = AffiliateForUpdate {
        first_name: Some(input.first_name),
        last_name: Some(input.last_name),
        payout_email: Some(input.payout_email),
        payout_method: Some(method),
        ..Default::default()
    };
    let updated = affiliates::update(db, store_id, actor, affiliate_id, changes).await?;
    Ok(settings_of(&updated))
}

pub async fn save_notifications(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    affiliate_id: AffiliateId,
    notify_new_commission: bool,
    notify_payout_paid: bool,
) -> ServiceResult<AffiliateSettings> {
    let changes = AffiliateForUpdate {
        notify_new_commission: Some(notify_new_commission),
        notify_payout_paid: Some(notify_payout_paid),
        ..Default::default()
    };
    let updated = affiliates::update(db, store_id, actor, affiliate_id, changes).await?;
    Ok(settings_of(&updated))
}

pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Checks the current password (throttled: whoever holds a session could
/// guess it), sets the new one and ends every session of the affiliate.
/// Returns how many sessions ended.
pub async fn change_password(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: PasswordChange,
) -> ServiceResult<u64> {
    let current = find(db, store_id, affiliate_id).await?;
    let mut errors = ValidationErrors::new();
    let new_password = errors.check("new_password", Password::parse(&input.new_password));
    if new_password.is_some() && input.new_password != input.confirm_password {
        errors.add("confirm_password", "does not match the new password");
    }
    let now = Utc::now();
    let keys = [(format!("affiliate_password:{}", current.id), throttle::PAIR)];
    if let Err(retry_at) = throttle::reserve(db, &keys, now).await? {
        return Err(ServiceError::RateLimited(format!(
            "Too many wrong passwords. Try again in {}.",
            throttle::wait_text(retry_at, now)
        )));
    }
    let matches = match current.password_hash.clone() {
        Some(hash) => crypto::verify_password_async(hash, input.current_password.clone()).await,
        None => false,
    };
    if matches {
        throttle::succeeded(db, &keys, now).await?;
    } else {
        errors.add("current_password", "is not your current password");
    }
    errors.into_result()?;
    let new_hash =
        crypto::hash_password_async(new_password.expect("checked above").expose().to_owned())
            .await?;

    let txn = db::begin_write(db).await?;
    let mut active: affiliate::ActiveModel = current.into();
    active.password_hash = Set(Some(new_hash));
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    let ended = sessions::revoke_all_for_affiliate(&txn, updated.id).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "affiliate.password_changed",
        "affiliate",
        Some(updated.id.to_string()),
        json!({"sessions_ended": ended}),
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}
