//! The mail that follows from changes elsewhere, written in the change's
//! own transaction: affiliates hear of their approval or rejection, of each
//! commission they earn and each payout paid to them (both switchable in
//! the portal's settings), and an application is confirmed to the
//! applicant and announced to the store's team.
//!
//! Erased affiliates (and any stored address that no longer parses) get no
//! mail. Clawbacks and other negative commissions are not announced.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::messages::{self, Message, Sender};
use super::{enqueue, row};
use crate::domain::affiliate::AffiliateStatus;
use crate::domain::money::format_minor;
use crate::domain::states::CommissionStatus;
use crate::domain::{Currency, Email, StoreId};
use crate::entities::{affiliate, commission, email, membership, payout, store, user};
use crate::services::{ServiceError, ServiceResult};

/// Where an affiliate's mail goes, unless they were erased.
fn address_of(a: &affiliate::Model) -> Option<Email> {
    if a.anonymized_at.is_some() {
        return None;
    }
    Email::parse(&a.email).ok()
}

/// How a message greets the affiliate.
fn greeting_name(a: &affiliate::Model) -> String {
    let first = a.first_name.trim();
    if first.is_empty() {
        "there".to_owned()
    } else {
        first.to_owned()
    }
}

fn money(minor: i64, code: &str) -> String {
    let currency = Currency::parse(code).unwrap_or(Currency::USD);
    format!("{} {}", format_minor(minor, currency), currency.code())
}

async fn sender(conn: &impl ConnectionTrait, store_id: StoreId) -> ServiceResult<Sender> {
    let name: Option<String> = store::Entity::find_by_id(store_id.0)
        .select_only()
        .column(store::Column::Name)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(Sender::store(&name.ok_or(ServiceError::NotFound)?))
}

/// After a status move: approval (from pending or rejected) and rejection
/// are told; suspensions and their lifting are not.
pub async fn status_changed(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    from: AffiliateStatus,
    a: &affiliate::Model,
) -> ServiceResult<()> {
    let Some(to) = address_of(a) else {
        return Ok(());
    };
    let decision = messages::Decision {
        name: greeting_name(a),
        reason: a.rejection_reason.clone(),
    };
    let message = match (from, a.status) {
        (AffiliateStatus::Pending | AffiliateStatus::Rejected, AffiliateStatus::Approved) => {
            messages::affiliate_approved(&sender(conn, store_id).await?, &to, &decision)?
        }
        (_, AffiliateStatus::Rejected) => {
            messages::affiliate_rejected(&sender(conn, store_id).await?, &to, &decision)?
        }
        _ => return Ok(()),
    };
    enqueue(conn, store_id, message).await?;
    Ok(())
}

/// The "you earned" message for a new commission, when the affiliate wants
/// it and it pays them something. Pure: the sales writer renders it before
/// staging the row.
pub fn commission_message(
    store: &store::Model,
    a: &affiliate::Model,
    c: &commission::Model,
) -> ServiceResult<Option<Message>> {
    if !a.notify_new_commission || c.amount_minor <= 0 || c.clawback_of.is_some() {
        return Ok(None);
    }
    let Some(to) = address_of(a) else {
        return Ok(None);
    };
    let due_on =
        (c.status == CommissionStatus::Pending).then(|| c.due_at.format("%Y-%m-%d").to_string());
    messages::new_commission(
        &Sender::store(&store.name),
        &to,
        &messages::Commission {
            name: greeting_name(a),
            amount: money(c.amount_minor, &c.currency),
            due_on,
        },
    )
    .map(Some)
}

/// The outbox row of `commission_message`, for batched inserts.
pub fn commission_row(
    store: &store::Model,
    a: &affiliate::Model,
    c: &commission::Model,
) -> ServiceResult<Option<email::ActiveModel>> {
    Ok(commission_message(store, a, c)?.map(|m| row(Some(StoreId(store.id)), m)))
}

/// A commission made by hand: told as any other.
pub async fn commission_created(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    a: &affiliate::Model,
    c: &commission::Model,
) -> ServiceResult<()> {
    if let Some(m) = commission_message(store, a, c)? {
        enqueue(conn, StoreId(store.id), m).await?;
    }
    Ok(())
}

/// A payout marked paid, when the affiliate wants to hear of it.
pub async fn payout_paid(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    p: &payout::Model,
) -> ServiceResult<()> {
    let Some(a) = affiliate::Entity::find_by_id(p.affiliate_id)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    if !a.notify_payout_paid {
        return Ok(());
    }
    let Some(to) = address_of(&a) else {
        return Ok(());
    };
    let message = messages::payout_paid(
        &sender(conn, store_id).await?,
        &to,
        &messages::Payout {
            name: greeting_name(&a),
            amount: money(p.amount_minor, &p.currency),
            reference: p.reference.clone(),
        },
    )?;
    enqueue(conn, store_id, message).await?;
    Ok(())
}

/// A new affiliate waiting for approval: "we received your application" to
/// them, "new application" to every member of the store's team. The
/// public join page calls this too.
pub async fn application(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    a: &affiliate::Model,
    campaign_name: &str,
) -> ServiceResult<()> {
    let store_id = StoreId(store.id);
    let s = Sender::store(&store.name);
    let details = messages::Application {
        name: crate::services::affiliates::display_name(a),
        email: a.email.clone(),
        campaign: campaign_name.to_owned(),
    };
    if let Some(to) = address_of(a) {
        enqueue(
            conn,
            store_id,
            messages::application_received(&s, &to, &details)?,
        )
        .await?;
    }
    let member_ids: Vec<uuid::Uuid> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::StoreId.eq(store.id))
        .into_tuple()
        .all(conn)
        .await?;
    let emails: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Email)
        .filter(user::Column::Id.is_in(member_ids))
        .into_tuple()
        .all(conn)
        .await?;
    for address in emails {
        if let Ok(to) = Email::parse(&address) {
            enqueue(
                conn,
                store_id,
                messages::new_application(&s, &to, &details)?,
            )
            .await?;
        }
    }
    Ok(())
}

/// A one-time portal sign-in link (the portal builds `url`).
pub async fn magic_link(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    a: &affiliate::Model,
    url: &str,
    valid_minutes: i64,
) -> ServiceResult<()> {
    let Some(to) = address_of(a) else {
        return Ok(());
    };
    let link = messages::PortalLink {
        name: greeting_name(a),
        url: url.to_owned(),
        valid_minutes,
    };
    let m = messages::magic_link(&Sender::store(&store.name), &to, &link)?;
    enqueue(conn, StoreId(store.id), m).await?;
    Ok(())
}

/// A one-time link to choose a new portal password (the portal builds `url`).
pub async fn affiliate_password_reset(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    a: &affiliate::Model,
    url: &str,
    valid_minutes: i64,
) -> ServiceResult<()> {
    let Some(to) = address_of(a) else {
        return Ok(());
    };
    let link = messages::PortalLink {
        name: greeting_name(a),
        url: url.to_owned(),
        valid_minutes,
    };
    let m = messages::affiliate_password_reset(&Sender::store(&store.name), &to, &link)?;
    enqueue(conn, StoreId(store.id), m).await?;
    Ok(())
}
