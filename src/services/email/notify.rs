//! The mail that follows from changes elsewhere, written in the change's
//! own transaction: affiliates hear of their approval or rejection, of each
//! commission they earn and each payout paid to them (both switchable in
//! the portal's settings), and an application is confirmed to the
//! applicant and announced to the store's team.
//!
//! Erased affiliates (and any stored address that no longer parses) get no
//! mail. Clawbacks and other negative commissions are not announced.
//!
//! The approval, commission and payout messages link to the store's portal
//! sign-in page, under the public URL of the request that caused them: the
//! configured one, else the origin the request came to
//! (`services::instance::public_base`; the sales writer carries each
//! sale's). Only mail written outside any request uses the URL recorded at
//! start.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::messages::{self, Message, Sender};
use super::{enqueue, row};
use crate::domain::affiliate::AffiliateStatus;
use crate::domain::money::format_minor;
use crate::domain::states::CommissionStatus;
use crate::domain::{Currency, Email, StoreId};
use crate::entities::{affiliate, commission, email, membership, payout, store, user};
use crate::services::{ServiceError, ServiceResult, instance};

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

/// The store's name (who the mail is from) and its portal's sign-in page.
async fn sender(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<(Sender, Option<String>)> {
    let row: Option<(String, String)> = store::Entity::find_by_id(store_id.0)
        .select_only()
        .column(store::Column::Name)
        .column(store::Column::Slug)
        .into_tuple()
        .one(conn)
        .await?;
    let (name, slug) = row.ok_or(ServiceError::NotFound)?;
    let portal = instance::public_base(conn)
        .await?
        .map(|base| instance::portal_login_url(&base, &slug));
    Ok((Sender::store(&name), portal))
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
    let decision = |portal_url| messages::Decision {
        name: greeting_name(a),
        reason: a.rejection_reason.clone(),
        portal_url,
    };
    let message = match (from, a.status) {
        (AffiliateStatus::Pending | AffiliateStatus::Rejected, AffiliateStatus::Approved) => {
            let (s, portal) = sender(conn, store_id).await?;
            messages::affiliate_approved(&s, &to, &decision(portal))?
        }
        (_, AffiliateStatus::Rejected) => {
            let (s, _) = sender(conn, store_id).await?;
            messages::affiliate_rejected(&s, &to, &decision(None))?
        }
        _ => return Ok(()),
    };
    enqueue(conn, store_id, message).await?;
    Ok(())
}

/// The "you earned" message for a new commission, when the affiliate wants
/// it and it pays them something. Pure: the sales writer renders it before
/// staging the row. `public_base`: the sale's request's public URL
/// (`instance::public_base`), for the link to the portal.
pub fn commission_message(
    store: &store::Model,
    public_base: Option<&str>,
    a: &affiliate::Model,
    c: &commission::Model,
) -> ServiceResult<Option<Message>> {
    if !wants_commission_mail(a, c) {
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
            portal_url: public_base.map(|base| instance::portal_login_url(base, &store.slug)),
        },
    )
    .map(Some)
}

/// Whether a new commission is told: the affiliate wants it, and it pays
/// them something (not a clawback).
pub fn wants_commission_mail(a: &affiliate::Model, c: &commission::Model) -> bool {
    a.notify_new_commission && c.amount_minor > 0 && c.clawback_of.is_none()
}

/// The outbox row of `commission_message`, for batched inserts.
pub fn commission_row(
    store: &store::Model,
    public_base: Option<&str>,
    a: &affiliate::Model,
    c: &commission::Model,
) -> ServiceResult<Option<email::ActiveModel>> {
    Ok(commission_message(store, public_base, a, c)?.map(|m| row(Some(StoreId(store.id)), m)))
}

/// A commission made by hand: told as any other.
pub async fn commission_created(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    a: &affiliate::Model,
    c: &commission::Model,
) -> ServiceResult<()> {
    if !wants_commission_mail(a, c) {
        return Ok(());
    }
    let base = instance::public_base(conn).await?;
    if let Some(m) = commission_message(store, base.as_deref(), a, c)? {
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
    let (s, portal_url) = sender(conn, store_id).await?;
    let message = messages::payout_paid(
        &s,
        &to,
        &messages::Payout {
            name: greeting_name(&a),
            amount: money(p.amount_minor, &p.currency),
            reference: p.reference.clone(),
            portal_url,
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
