//! Manual commissions (ReferralStack's and PromoteKit's "create
//! commission"): staff record one by hand, for an affiliate, optionally for
//! a referral (by id or the referred customer's email), `pending` (in the
//! hold period from its date) or `due` (in the balance at once). A negative
//! amount is a manual clawback and needs remarks saying why. The payment id
//! is unique per store by a unique index: a duplicate is a field error from
//! the insert itself, never from a racy look-up first.
//!
//! Importing a `paid` one creates it due and pays it at once through a
//! one-commission payout marked paid at its date (`payouts::pay_one_in`),
//! in the same transaction, so the ledger stays exact.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::snapshot;
use super::update::{MAX_REMARKS_CHARS, due_kind, optional_note};
use crate::db;
use crate::domain::commission_edit::{parse_time, sane_time};
use crate::domain::money::{parse_amount, parse_signed};
use crate::domain::states::{CommissionKind, CommissionStatus};
use crate::domain::text::required_text;
use crate::domain::{Email, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, commission, referral, store};
use crate::services::{Actor, ServiceError, ServiceResult, audit, events, ledger};

/// The form's or the body's fields, as typed.
#[derive(Debug, Default, Clone)]
pub struct CommissionForCreate {
    pub affiliate_id: Option<String>,
    /// Default: the affiliate's campaign.
    pub campaign_id: Option<String>,
    pub referral_id: Option<String>,
    /// The referred customer, when the referral id is not known.
    pub customer_email: Option<String>,
    pub sale_amount: Option<String>,
    /// > 0, or < 0 for a manual clawback (with remarks).
    pub amount: Option<String>,
    pub admin_earned_amount: Option<String>,
    /// Default: now.
    pub date: Option<String>,
    /// `pending` (default) or `due`.
    pub status: Option<String>,
    pub remarks: Option<String>,
    pub external_payment_id: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn uuid_field(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<Uuid> {
    given(v).and_then(|s| {
        e.check(
            field,
            Uuid::parse_str(s).map_err(|_| format!("must be an id, not {s:?}")),
        )
    })
}

const NOT_OURS: &str = "is not an affiliate of this store";

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: CommissionForCreate,
) -> ServiceResult<commission::Model> {
    let store_id = StoreId(store.id);
    let currency = crate::services::campaigns::currency_of(store);
    let now = Utc::now();
    let mut e = ValidationErrors::new();

    let affiliate_id = match given(&input.affiliate_id) {
        None => {
            e.add("affiliate_id", "is required");
            None
        }
        Some(_) => uuid_field(&mut e, "affiliate_id", &input.affiliate_id),
    };
    let campaign_id = uuid_field(&mut e, "campaign_id", &input.campaign_id);
    let referral_id = uuid_field(&mut e, "referral_id", &input.referral_id);
    let customer_email =
        given(&input.customer_email).and_then(|m| e.check("customer_email", Email::parse(m)));
    if referral_id.is_some() && customer_email.is_some() {
        e.add(
            "customer_email",
            "give either referral_id or customer_email, not both",
        );
    }
    let positive = |field: &str, v: &Option<String>, e: &mut ValidationErrors| match given(v) {
        None => {
            e.add(field, "is required");
            None
        }
        Some(t) => e.check(
            field,
            parse_signed(t, currency).and_then(|v| {
                if v > 0 {
                    Ok(v)
                } else {
                    Err("must be greater than 0".into())
                }
            }),
        ),
    };
    let sale_amount = positive("sale_amount", &input.sale_amount, &mut e);
    let amount = match given(&input.amount) {
        None => {
            e.add("amount", "is required");
            None
        }
        Some(t) => e.check(
            "amount",
            parse_signed(t, currency).and_then(|v| {
                if v == 0 {
                    Err(
                        "must not be 0 (above 0 pays the affiliate, below 0 takes money back)"
                            .into(),
                    )
                } else {
                    Ok(v)
                }
            }),
        ),
    };
    let admin_earned = match given(&input.admin_earned_amount) {
        None => None,
        Some(t) => e.check(
            "admin_earned_amount",
            parse_amount(t, currency).map_err(String::from),
        ),
    };
    let date = match given(&input.date) {
        None => Some(now),
        Some(t) => e.check(
            "date",
            parse_time(t, None).and_then(|d| {
                if d > now + Duration::days(1) {
                    Err("must not be in the future".into())
                } else {
                    sane_time(d).map(|_| d)
                }
            }),
        ),
    };
    let status = match given(&input.status) {
        None => Some(CommissionStatus::Pending),
        Some(s) => e.check(
            "status",
            CommissionStatus::parse(s).and_then(|s| match s {
                CommissionStatus::Pending | CommissionStatus::Due | CommissionStatus::Paid => Ok(s),
                _ => Err("must be pending, due or paid".into()),
            }),
        ),
    };
    let remarks = e
        .check(
            "remarks",
            optional_note(input.remarks.as_deref(), MAX_REMARKS_CHARS),
        )
        .flatten();
    if amount.is_some_and(|a| a < 0) && status == Some(CommissionStatus::Paid) {
        e.add(
            "status",
            "cannot be paid for a clawback (a negative amount): the next payout settles it",
        );
    }
    if amount.is_some_and(|a| a < 0) && remarks.is_none() {
        e.add(
            "remarks",
            "is required for a clawback (a negative amount): say why",
        );
    }
    let external_payment_id = given(&input.external_payment_id)
        .and_then(|x| e.check("external_payment_id", required_text(x, 255)));

    let txn = db::begin_write(db).await?;
    // Whose and which: all of the store's, or a field error (never a 404:
    // the commission is what is being created).
    let affiliate = match affiliate_id {
        Some(id) => {
            let found = affiliate::Entity::find_by_id(id)
                .filter(affiliate::Column::StoreId.eq(store.id))
                .one(&txn)
                .await?;
            match found {
                Some(a) if a.anonymized_at.is_none() => Some(a),
                Some(_) => {
                    e.add("affiliate_id", "is an erased affiliate");
                    None
                }
                None => {
                    e.add("affiliate_id", NOT_OURS);
                    None
                }
            }
        }
        None => None,
    };
    let campaign = match (campaign_id, &affiliate) {
        (Some(id), _) => {
            let found = campaign::Entity::find_by_id(id)
                .filter(campaign::Column::StoreId.eq(store.id))
                .one(&txn)
                .await?;
            if found.is_none() {
                e.add("campaign_id", "is not a campaign of this store");
            }
            found
        }
        (None, Some(a)) => {
            campaign::Entity::find_by_id(a.campaign_id)
                .one(&txn)
                .await?
        }
        (None, None) => None,
    };
    let referral = match (&affiliate, referral_id, &customer_email) {
        (Some(a), Some(id), _) => {
            let found = referral::Entity::find_by_id(id)
                .filter(referral::Column::StoreId.eq(store.id))
                .one(&txn)
                .await?;
            match found {
                Some(r) if r.affiliate_id == a.id => Some(r),
                Some(_) => {
                    e.add("referral_id", "is a referral of another affiliate");
                    None
                }
                None => {
                    e.add("referral_id", "is not a referral of this store");
                    None
                }
            }
        }
        (Some(a), None, Some(email)) => {
            let found = referral::Entity::find()
                .filter(referral::Column::StoreId.eq(store.id))
                .filter(referral::Column::AffiliateId.eq(a.id))
                .filter(referral::Column::Email.eq(email.as_str()))
                .order_by_desc(referral::Column::Id)
                .one(&txn)
                .await?;
            if found.is_none() {
                e.add(
                    "customer_email",
                    "is not the email of a referral of this affiliate",
                );
            }
            found
        }
        _ => None,
    };
    e.into_result()?;
    let (affiliate, amount, sale_amount, date, status) = (
        affiliate.expect("checked"),
        amount.expect("checked"),
        sale_amount.expect("checked"),
        db::stored_time(date.expect("checked")),
        status.expect("checked"),
    );
    // History already paid: written due, then paid below.
    let import_paid = status == CommissionStatus::Paid;
    let status = if import_paid {
        CommissionStatus::Due
    } else {
        status
    };
    let hold_days = campaign.as_ref().map_or(0, |c| c.hold_days.max(0) as i64);
    let due_at: DateTime<Utc> = match status {
        CommissionStatus::Due => date.min(db::stored_time(now)),
        _ => date + Duration::days(hold_days),
    };
    let stamp = db::stored_time(now);
    let row = commission::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store.id),
        affiliate_id: Set(affiliate.id),
        campaign_id: Set(campaign.as_ref().map(|c| c.id)),
        referral_id: Set(referral.as_ref().map(|r| r.id)),
        sale_id: Set(None),
        kind: Set(CommissionKind::Manual),
        sale_amount_minor: Set(sale_amount),
        amount_minor: Set(amount),
        original_amount_minor: Set(amount),
        currency: Set(currency.code().to_owned()),
        status: Set(status),
        due_at: Set(due_at),
        paid_at: Set(None),
        payout_id: Set(None),
        clawback_of: Set(None),
        split_of: Set(None),
        remarks: Set(remarks),
        admin_earned_minor: Set(admin_earned),
        external_payment_id: Set(external_payment_id),
        void_reason: Set(None),
        void_note: Set(None),
        created_by: Set(actor.label.chars().take(254).collect()),
        created_at: Set(date),
        updated_at: Set(stamp),
    };
    let made = match row.insert(&txn).await {
        Ok(m) => m,
        Err(err) if db::is_unique_violation(&err) => {
            return Err(ServiceError::from(ValidationErrors::single(
                "external_payment_id",
                "is already the payment id of another commission of this store",
            )));
        }
        Err(err) => return Err(err.into()),
    };
    if status == CommissionStatus::Due {
        ledger::post(
            &txn,
            store_id,
            ledger::Entry {
                affiliate_id: made.affiliate_id,
                commission_id: Some(made.id),
                kind: due_kind(made.amount_minor),
                amount_minor: made.amount_minor,
                currency: &made.currency,
            },
        )
        .await?;
    }
    events::emit(&txn, store_id, "commission.created", snapshot(&made)).await?;
    // Imported paid history is old news to the affiliate: no mail.
    if !import_paid {
        crate::services::email::notify::commission_created(&txn, store, &affiliate, &made).await?;
    }
    audit::record(
        &txn,
        store_id,
        actor,
        "commission.created",
        "commission",
        Some(made.id.to_string()),
        json!({"after": snapshot(&made)}),
    )
    .await?;
    let made = if import_paid {
        let paid_at = date.min(db::stored_time(now));
        // History: the affiliate is not told of a payout made long ago.
        crate::services::payouts::pay_one_in(
            &txn,
            store,
            actor,
            &made,
            paid_at,
            crate::services::payouts::Announce::Silently,
        )
        .await?;
        super::get(&txn, store_id, crate::domain::CommissionId(made.id)).await?
    } else {
        made
    };
    txn.commit().await?;
    Ok(made)
}
