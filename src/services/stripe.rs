//! Incoming Stripe webhooks: the signature is checked over the raw body with
//! the store's signing secret (kept sealed), each event id is handled once,
//! and three events matter: `checkout.session.completed` (the referral in
//! `client_reference_id` becomes a customer; a one-off payment is a sale),
//! `invoice.paid` (recurring sales, found by customer) and `charge.refunded`.
//! Everything else is acknowledged and ignored.

use chrono::{TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::sales::{self, RefundInput, SaleInput};
use super::stores::StoreAccess;
use super::{
    Actor, ActorKind, ServiceError, ServiceResult, UseCaseError, audit, campaigns, crypto,
    referrals, stores,
};
use crate::db;
use crate::domain::money::format_minor;
use crate::domain::webhook_signature::{self, SignatureError};
use crate::domain::{ReferralId, SaleId};
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{referral, sale, store, stripe_event};

const PURPOSE: &str = "stripe-webhook-secret";

/// Sets (or with `None` clears) the store's Stripe signing secret.
pub async fn set_secret(
    db: &DatabaseConnection,
    master: &[u8],
    access: &StoreAccess,
    actor: &Actor,
    secret: Option<&str>,
) -> ServiceResult<()> {
    if !access.role.can_edit_settings() {
        return Err(ServiceError::Forbidden(
            "Only an owner can change the Stripe settings.".into(),
        ));
    }
    let sealed = match secret.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s)
            if s.starts_with("whsec_")
                && s.len() >= 20
                && s.len() <= 200
                && !s.contains(char::is_whitespace) =>
        {
            Some(crypto::seal(master, PURPOSE, s))
        }
        Some(_) => {
            return Err(ValidationErrors::single(
                "stripe_secret",
                "must be a Stripe signing secret starting with whsec_",
            )
            .into());
        }
    };
    let txn = db::begin_write(db).await?;
    let current = store::Entity::find_by_id(access.store.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut active: store::ActiveModel = current.into();
    let set = sealed.is_some();
    active.stripe_secret_sealed = Set(sealed);
    active.update(&txn).await?;
    audit::record(
        &txn,
        access.id(),
        actor,
        if set {
            "stripe.secret_set"
        } else {
            "stripe.secret_cleared"
        },
        "store",
        Some(access.store.id.to_string()),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("unknown store")]
    UnknownStore,
    #[error("this store has no Stripe signing secret set")]
    NotConfigured,
    #[error("{0}")]
    Signature(SignatureError),
    #[error("the body is not a Stripe event")]
    BadBody,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Handled(&'static str),
    Duplicate,
    Ignored,
}

fn system_actor() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
        label: "Stripe webhook".into(),
        ip: None,
        idempotency_key: None,
    }
}

pub async fn handle(
    db: &DatabaseConnection,
    master: &[u8],
    slug: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Outcome, WebhookError> {
    let store = stores::find_by_slug(db, slug)
        .await?
        .ok_or(WebhookError::UnknownStore)?;
    let secret = store
        .stripe_secret_sealed
        .as_deref()
        .and_then(|s| crypto::open(master, PURPOSE, s))
        .ok_or(WebhookError::NotConfigured)?;
    webhook_signature::verify(
        signature.unwrap_or(""),
        body,
        &secret,
        Utc::now().timestamp(),
    )
    .map_err(WebhookError::Signature)?;
    let event: Value = serde_json::from_slice(body).map_err(|_| WebhookError::BadBody)?;
    let (Some(event_id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(WebhookError::BadBody);
    };
    let store_id = StoreId(store.id);
    if stripe_event::Entity::find()
        .filter(stripe_event::Column::StoreId.eq(store.id))
        .filter(stripe_event::Column::EventId.eq(event_id))
        .one(db)
        .await
        .map_err(ServiceError::from)?
        .is_some()
    {
        return Ok(Outcome::Duplicate);
    }
    let object = &event["data"]["object"];
    let outcome = match kind {
        "checkout.session.completed" => checkout_completed(db, &store, object).await?,
        "invoice.paid" => invoice_paid(db, &store, object).await?,
        "charge.refunded" => charge_refunded(db, &store, object).await?,
        _ => Outcome::Ignored,
    };
    // Recorded after handling; a concurrent duplicate that slips through is
    // harmless because sales and refunds are idempotent on Stripe's own ids.
    let _ = stripe_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        event_id: Set(event_id.chars().take(255).collect()),
        event_type: Set(kind.chars().take(64).collect()),
        received_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    Ok(outcome)
}

fn minor_text(store: &store::Model, minor: Option<i64>) -> Option<String> {
    minor.map(|m| format_minor(m, campaigns::currency_of(store)))
}

fn same_currency(store: &store::Model, object: &Value) -> bool {
    object["currency"]
        .as_str()
        .is_none_or(|c| c.eq_ignore_ascii_case(&store.currency))
}

/// A payment's id, the same one `charge.refunded` will name.
fn payment_id(object: &Value) -> Option<String> {
    ["payment_intent", "charge", "id"]
        .iter()
        .find_map(|k| object[*k].as_str().map(str::to_owned))
}

async fn checkout_completed(
    db: &DatabaseConnection,
    store: &store::Model,
    o: &Value,
) -> Result<Outcome, WebhookError> {
    let store_id = StoreId(store.id);
    let referral_id = o["client_reference_id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok());
    let customer = o["customer"].as_str().map(str::to_owned);
    if let (Some(id), Some(cus)) = (referral_id, &customer)
        && let Ok(r) = referrals::get(db, store_id, ReferralId(id)).await
        && r.external_customer_id.is_none()
    {
        // Remember the Stripe customer: later invoices find the referral by it.
        let txn = db::begin_write(db).await.map_err(ServiceError::from)?;
        let mut active: referral::ActiveModel = r.into();
        active.external_customer_id = Set(Some(cus.clone()));
        active.updated_at = Set(Utc::now());
        let updated = active.update(&txn).await.map_err(ServiceError::from)?;
        super::events::emit(
            &txn,
            store_id,
            "referral.updated",
            referrals::snapshot(&updated),
        )
        .await?;
        txn.commit().await.map_err(ServiceError::from)?;
        sales::attach_customer_sales(db, store, ReferralId(id), cus).await?;
    }
    // Subscriptions are paid through invoices (`invoice.paid`), counted there.
    if o["mode"].as_str() != Some("payment")
        || o["payment_status"].as_str() == Some("unpaid")
        || !same_currency(store, o)
    {
        return Ok(Outcome::Handled("checkout.session.completed"));
    }
    let Some(external_id) = payment_id(o) else {
        return Ok(Outcome::Ignored);
    };
    let input = SaleInput {
        external_id,
        amount: minor_text(store, o["amount_total"].as_i64()).unwrap_or_default(),
        tax: minor_text(store, o["total_details"]["amount_tax"].as_i64()),
        currency: None,
        occurred_at: o["created"]
            .as_i64()
            .and_then(|t| Utc.timestamp_opt(t, 0).single()),
        referral_id: referral_id.map(|r| r.to_string()),
        coupon_code: None,
        external_customer_id: customer,
        customer_email: o["customer_details"]["email"].as_str().map(str::to_owned),
        // A payment Stripe tells us about now: its hold runs from now.
        import: false,
    };
    record_sale(db, store, input).await?;
    Ok(Outcome::Handled("checkout.session.completed"))
}

async fn invoice_paid(
    db: &DatabaseConnection,
    store: &store::Model,
    o: &Value,
) -> Result<Outcome, WebhookError> {
    if !same_currency(store, o) || o["amount_paid"].as_i64().unwrap_or(0) <= 0 {
        return Ok(Outcome::Ignored);
    }
    let Some(external_id) = payment_id(o) else {
        return Ok(Outcome::Ignored);
    };
    let input = SaleInput {
        external_id,
        amount: minor_text(store, o["amount_paid"].as_i64()).unwrap_or_default(),
        tax: minor_text(store, o["tax"].as_i64()),
        currency: None,
        occurred_at: o["status_transitions"]["paid_at"]
            .as_i64()
            .or(o["created"].as_i64())
            .and_then(|t| Utc.timestamp_opt(t, 0).single()),
        referral_id: None,
        coupon_code: None,
        external_customer_id: o["customer"].as_str().map(str::to_owned),
        customer_email: o["customer_email"].as_str().map(str::to_owned),
        import: false,
    };
    record_sale(db, store, input).await?;
    Ok(Outcome::Handled("invoice.paid"))
}

async fn record_sale(
    db: &DatabaseConnection,
    store: &store::Model,
    input: SaleInput,
) -> Result<(), WebhookError> {
    match sales::record(db, store, &system_actor(), input).await {
        Ok(_) => Ok(()),
        // A payment we cannot book (a zero amount, say) is not retried forever.
        Err(ServiceError::Validation(e)) => {
            tracing::warn!(errors = %e, "a Stripe payment could not be recorded");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

async fn charge_refunded(
    db: &DatabaseConnection,
    store: &store::Model,
    o: &Value,
) -> Result<Outcome, WebhookError> {
    let ids: Vec<String> = ["payment_intent", "id"]
        .iter()
        .filter_map(|k| o[*k].as_str().map(str::to_owned))
        .collect();
    let Some(found) = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(store.id))
        .filter(sale::Column::ExternalId.is_in(ids))
        .one(db)
        .await
        .map_err(ServiceError::from)?
    else {
        return Ok(Outcome::Ignored);
    };
    // Stripe sends the running total refunded; book the difference.
    let total = o["amount_refunded"]
        .as_i64()
        .unwrap_or(0)
        .min(found.amount_minor);
    let delta = total - found.refunded_minor;
    if delta <= 0 {
        return Ok(Outcome::Handled("charge.refunded"));
    }
    let charge = o["id"].as_str().unwrap_or("charge");
    let input = RefundInput {
        amount: minor_text(store, Some(delta)),
        reason: Some("Refunded in Stripe".into()),
        external_id: Some(format!("{charge}:{total}")),
    };
    match sales::refund(db, store, &system_actor(), SaleId(found.id), input).await {
        Ok(_) | Err(UseCaseError::Refused(sales::RefundError::FullyRefunded)) => {
            Ok(Outcome::Handled("charge.refunded"))
        }
        Err(UseCaseError::Failed(e)) => Err(e.into()),
    }
}
