//! Sales and refunds, and the commissions they make and unmake.
//!
//! A sale is idempotent on the store's payment id: posting it again returns
//! the original, never a second commission (and the unique index on
//! `(sale_id, affiliate_id)` makes that hold under concurrent deliveries).
//! The sale, its commission, the referral's progress, the counters, the
//! events and the audit entry commit together or not at all.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::paging::{Page, PageRequest};
use super::{
    Actor, ServiceError, ServiceResult, affiliates, audit, campaigns, commissions, events, ledger,
    referrals,
};
use crate::db;
use crate::domain::campaign::Recurring;
use crate::domain::commission::{self, Decision, History, Terms};
use crate::domain::money::{format_minor, parse_amount};
use crate::domain::text::required_text;
use crate::domain::{Currency, Email, StoreId, ValidationErrors};
use crate::entities::{
    commission as commission_entity, coupon, link, referral, refund, sale, store,
};

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: Uuid,
) -> ServiceResult<sale::Model> {
    sale::Entity::find_by_id(id)
        .filter(sale::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

#[derive(Debug, Default, Clone)]
pub struct SaleInput {
    pub external_id: String,
    pub amount: String,
    pub tax: Option<String>,
    pub currency: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub referral_id: Option<String>,
    pub coupon_code: Option<String>,
    pub external_customer_id: Option<String>,
    pub customer_email: Option<String>,
}

pub struct Recorded {
    pub sale: sale::Model,
    pub commission: Option<commission_entity::Model>,
    /// False when the payment id was already known (the original is returned).
    pub created: bool,
    /// Why no commission was made, when none was.
    pub note: Option<String>,
}

struct Parsed {
    external_id: String,
    amount: i64,
    tax: i64,
    occurred_at: DateTime<Utc>,
    referral_id: Option<Uuid>,
    coupon_key: Option<String>,
    external_customer_id: Option<String>,
    customer_email: Option<Email>,
}

fn parse(
    input: &SaleInput,
    currency: Currency,
    now: DateTime<Utc>,
) -> Result<Parsed, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let external_id = e.check("external_id", required_text(&input.external_id, 255));
    let amount = e.check(
        "amount",
        parse_amount(&input.amount, currency).and_then(|a| {
            if a > 0 {
                Ok(a)
            } else {
                Err("must be greater than 0".into())
            }
        }),
    );
    let tax = e.check(
        "tax",
        parse_amount(input.tax.as_deref().unwrap_or("0"), currency),
    );
    if let (Some(a), Some(t)) = (amount, tax)
        && t > a
    {
        e.add("tax", "must not be more than the amount");
    }
    if let Some(c) = input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        && !c.eq_ignore_ascii_case(currency.code())
    {
        e.add(
            "currency",
            format!("must be {currency}, the store's currency"),
        );
    }
    let occurred_at = input.occurred_at.unwrap_or(now);
    if occurred_at > now + Duration::days(1) {
        e.add("occurred_at", "is in the future");
    }
    let referral_id = match input
        .referral_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => e.check(
            "referral_id",
            Uuid::parse_str(s).map_err(|_| "is not a referral id".to_string()),
        ),
        None => None,
    };
    let customer_email = match input
        .customer_email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => e.check("customer_email", Email::parse(s)),
        None => None,
    };
    let external_customer_id = match input
        .external_customer_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => e.check("external_customer_id", required_text(s, 255)),
        None => None,
    };
    e.clone().into_result()?;
    Ok(Parsed {
        external_id: external_id.expect("checked"),
        amount: amount.expect("checked"),
        tax: tax.expect("checked"),
        occurred_at,
        referral_id,
        coupon_key: input
            .coupon_code
            .as_deref()
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty()),
        external_customer_id,
        customer_email,
    })
}

async fn existing(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    external_id: &str,
) -> ServiceResult<Option<(sale::Model, Option<commission_entity::Model>)>> {
    let Some(s) = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(store_id.0))
        .filter(sale::Column::ExternalId.eq(external_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let c = commission_entity::Entity::find()
        .filter(commission_entity::Column::SaleId.eq(s.id))
        .filter(commission_entity::Column::Kind.eq("sale"))
        .one(conn)
        .await?;
    Ok(Some((s, c)))
}

/// Finds the referral a sale belongs to, and how it was found.
async fn attribute(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    p: &Parsed,
) -> ServiceResult<(Option<referral::Model>, &'static str)> {
    let store_id = StoreId(store.id);
    if let Some(id) = p.referral_id {
        let r = referral::Entity::find_by_id(id)
            .filter(referral::Column::StoreId.eq(store.id))
            .one(conn)
            .await?;
        return match r {
            Some(r) => Ok((Some(r), "referral")),
            None => Err(
                ValidationErrors::single("referral_id", "names no referral of this store").into(),
            ),
        };
    }
    if let Some(key) = &p.coupon_key
        && let Some(c) = coupon::Entity::find()
            .filter(coupon::Column::StoreId.eq(store.id))
            .filter(coupon::Column::CodeKey.eq(key.clone()))
            .one(conn)
            .await?
    {
        // The customer's earlier coupon referral, so recurring rules count
        // their payments; else a new one.
        let mut q = referral::Entity::find()
            .filter(referral::Column::StoreId.eq(store.id))
            .filter(referral::Column::AffiliateId.eq(c.affiliate_id))
            .filter(referral::Column::CouponId.eq(c.id));
        q = match (&p.external_customer_id, &p.customer_email) {
            (Some(x), _) => q.filter(referral::Column::ExternalCustomerId.eq(x.clone())),
            (None, Some(e)) => q.filter(referral::Column::Email.eq(e.as_str())),
            (None, None) => q.filter(referral::Column::Id.is_null()),
        };
        if let Some(r) = q.order_by_desc(referral::Column::Id).one(conn).await? {
            return Ok((Some(r), "coupon"));
        }
        let owner = affiliates::get(conn, store_id, c.affiliate_id).await?;
        let created = referrals::insert_known(
            conn,
            store_id,
            referrals::KnownPerson {
                owner: &owner,
                source: "coupon",
                email: p.customer_email.as_ref().map(|e| e.as_str().to_owned()),
                external_customer_id: p.external_customer_id.clone(),
                coupon_id: Some(c.id),
            },
        )
        .await?;
        return Ok((Some(created), "coupon"));
    }
    if let Some(x) = &p.external_customer_id
        && let Some(r) = referral::Entity::find()
            .filter(referral::Column::StoreId.eq(store.id))
            .filter(referral::Column::ExternalCustomerId.eq(x.clone()))
            .order_by_desc(referral::Column::Id)
            .one(conn)
            .await?
    {
        return Ok((Some(r), "customer"));
    }
    if let Some(e) = &p.customer_email
        && let Some(r) = referral::Entity::find()
            .filter(referral::Column::StoreId.eq(store.id))
            .filter(referral::Column::Email.eq(e.as_str()))
            .order_by_desc(referral::Column::Id)
            .one(conn)
            .await?
    {
        return Ok((Some(r), "email"));
    }
    Ok((None, "none"))
}

pub fn sale_snapshot(s: &sale::Model) -> serde_json::Value {
    json!({
        "id": s.id, "external_id": s.external_id, "referral_id": s.referral_id, "affiliate_id": s.affiliate_id,
        "amount_minor": s.amount_minor, "tax_minor": s.tax_minor, "currency": s.currency,
        "refunded_minor": s.refunded_minor, "attribution": s.attribution, "occurred_at": s.occurred_at,
    })
}

pub async fn record(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: SaleInput,
) -> ServiceResult<Recorded> {
    let currency = campaigns::currency_of(store);
    let store_id = StoreId(store.id);
    let p = parse(&input, currency, Utc::now())?;
    match record_in_txn(db, store, actor, &p, currency).await {
        Err(ServiceError::Db(e)) if db::is_unique_violation(&e) => {
            // A concurrent delivery of the same payment won the race.
            let (sale, commission) = existing(db, store_id, &p.external_id)
                .await?
                .ok_or(ServiceError::Db(e))?;
            Ok(Recorded {
                sale,
                commission,
                created: false,
                note: None,
            })
        }
        other => other,
    }
}

async fn record_in_txn(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
    currency: Currency,
) -> ServiceResult<Recorded> {
    let txn = db::begin_write(db).await?;
    let recorded = record_in(&txn, store, actor, p, currency).await?;
    txn.commit().await?;
    Ok(recorded)
}

/// The sale and everything it changes, inside the caller's transaction.
async fn record_in(
    txn: &impl ConnectionTrait,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
    currency: Currency,
) -> ServiceResult<Recorded> {
    let store_id = StoreId(store.id);
    if let Some((sale, commission)) = existing(txn, store_id, &p.external_id).await? {
        return Ok(Recorded {
            sale,
            commission,
            created: false,
            note: None,
        });
    }
    let (found, how) = attribute(txn, store, p).await?;
    let now = Utc::now();
    let sale = sale::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store.id),
        external_id: Set(p.external_id.clone()),
        referral_id: Set(found.as_ref().map(|r| r.id)),
        affiliate_id: Set(found.as_ref().map(|r| r.affiliate_id)),
        amount_minor: Set(p.amount),
        tax_minor: Set(p.tax),
        currency: Set(currency.code().to_owned()),
        refunded_minor: Set(0),
        attribution: Set(how.to_owned()),
        coupon_code: Set(p.coupon_key.clone()),
        customer_email: Set(p.customer_email.as_ref().map(|e| e.as_str().to_owned())),
        external_customer_id: Set(p.external_customer_id.clone()),
        occurred_at: Set(p.occurred_at),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    events::emit(txn, store_id, "sale.created", sale_snapshot(&sale)).await?;
    audit::record(
        txn,
        store_id,
        actor,
        "sale.created",
        "sale",
        Some(sale.id.to_string()),
        sale_snapshot(&sale),
    )
    .await?;

    let (made, note) = match found {
        Some(mut r) => {
            // PostgreSQL: lock the referral so concurrent sales of one
            // customer count their payments one after the other.
            if !db::is_sqlite(txn) {
                r = referral::Entity::find_by_id(r.id)
                    .lock_exclusive()
                    .one(txn)
                    .await?
                    .unwrap_or(r);
            }
            let credited = credit(txn, store_id, currency, &mut r, &sale).await?;
            convert(txn, store_id, r, p, &sale).await?;
            credited
        }
        None => (
            None,
            Some("no referral matched this sale; it is kept as unattributed".to_owned()),
        ),
    };
    Ok(Recorded {
        sale,
        commission: made,
        created: true,
        note,
    })
}

/// Moves the referral on: customer id remembered, converted, one more sale.
async fn convert(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    r: referral::Model,
    p: &Parsed,
    sale: &sale::Model,
) -> ServiceResult<()> {
    let first_conversion = r.state != "converted";
    let mut active: referral::ActiveModel = r.clone().into();
    if r.external_customer_id.is_none() && p.external_customer_id.is_some() {
        active.external_customer_id = Set(p.external_customer_id.clone());
    }
    if r.email.is_none()
        && r.erased_at.is_none()
        && let Some(e) = &p.customer_email
    {
        active.email = Set(Some(e.as_str().to_owned()));
    }
    active.self_referral = Set(r.self_referral);
    active.state = Set("converted".into());
    active.sale_count = Set(r.sale_count.saturating_add(1));
    if r.first_sale_at.is_none() {
        active.first_sale_at = Set(Some(sale.occurred_at));
    }
    if first_conversion {
        active.converted_at = Set(Some(Utc::now()));
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(conn).await?;
    if first_conversion {
        if !updated.self_referral
            && let Some(link_id) = updated.link_id
        {
            link::Entity::update_many()
                .col_expr(
                    link::Column::Conversions,
                    Expr::col(link::Column::Conversions).add(1),
                )
                .filter(link::Column::Id.eq(link_id))
                .exec(conn)
                .await?;
        }
        events::emit(
            conn,
            store_id,
            "referral.converted",
            referrals::snapshot(&updated),
        )
        .await?;
    }
    Ok(())
}

/// The commission a sale earns its referral's affiliate, if any, and why not.
async fn credit(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    currency: Currency,
    r: &mut referral::Model,
    sale: &sale::Model,
) -> ServiceResult<(Option<commission_entity::Model>, Option<String>)> {
    let owner = affiliates::get(conn, store_id, r.affiliate_id).await?;
    // The buyer is the affiliate: by email (theirs or their payout email) or
    // by the store's customer id. Caught here too, not only at sign-up.
    let is_owner_email = |e: Option<&str>| {
        e.is_some_and(|e| e == owner.email || Some(e) == owner.payout_email.as_deref())
    };
    if is_owner_email(sale.customer_email.as_deref())
        || is_owner_email(r.email.as_deref())
        || (owner.external_customer_id.is_some()
            && sale.external_customer_id == owner.external_customer_id)
    {
        r.self_referral = true;
    }
    if r.self_referral {
        return Ok((
            None,
            Some("self-referral: an affiliate cannot earn on their own purchase".into()),
        ));
    }
    if owner.status != "approved" || !owner.is_enabled {
        return Ok((
            None,
            Some(format!(
                "the affiliate is {} and earns nothing new",
                if owner.is_enabled {
                    owner.status.as_str()
                } else {
                    "disabled"
                }
            )),
        ));
    }
    let campaign = campaigns::get(conn, store_id, owner.campaign_id).await?;
    let first_payment = match (&campaign.first_payment_type, campaign.first_payment_value) {
        (Some(k), Some(v)) => Some(campaigns::commission_of(k, v)),
        _ => None,
    };
    let terms = Terms {
        commission: campaigns::commission_of(&campaign.commission_type, campaign.commission_value),
        first_payment,
        recurring: Recurring::parse(&campaign.recurring).unwrap_or(Recurring::Lifetime),
        recurring_limit: campaign.recurring_limit,
        hold_days: campaign.hold_days,
        override_bp: owner.commission_bp,
    };
    let history = History {
        prior_sales: Ord::max(r.sale_count, 0) as u32,
        first_sale_at: r.first_sale_at,
    };
    let decision = commission::decide(
        &terms,
        commission::Sale {
            amount_minor: sale.amount_minor,
            tax_minor: sale.tax_minor,
            occurred_at: sale.occurred_at,
        },
        history,
    )
    .map_err(|e| ServiceError::from(ValidationErrors::single("amount", e.to_string())))?;
    let (amount, due_at) = match decision {
        Decision::Pay {
            amount_minor,
            due_at,
            ..
        } => (amount_minor, due_at),
        Decision::NotEligible(why) => return Ok((None, Some(why.to_owned()))),
    };
    let now = Utc::now();
    let made = commission_entity::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(owner.id),
        campaign_id: Set(Some(campaign.id)),
        referral_id: Set(Some(r.id)),
        sale_id: Set(Some(sale.id)),
        kind: Set("sale".into()),
        sale_amount_minor: Set(sale.amount_minor),
        amount_minor: Set(amount),
        original_amount_minor: Set(amount),
        currency: Set(currency.code().to_owned()),
        status: Set("pending".into()),
        due_at: Set(due_at),
        paid_at: Set(None),
        payout_id: Set(None),
        clawback_of: Set(None),
        remarks: Set(None),
        created_by: Set("system".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    events::emit(
        conn,
        store_id,
        "commission.created",
        commissions::snapshot(&made),
    )
    .await?;
    Ok((Some(made), None))
}

#[derive(Debug, Default, Clone)]
pub struct RefundInput {
    /// Default: what remains.
    pub amount: Option<String>,
    pub reason: Option<String>,
    pub external_id: Option<String>,
}

pub async fn refund(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: Uuid,
    input: RefundInput,
) -> ServiceResult<sale::Model> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    let txn = db::begin_write(db).await?;
    // PostgreSQL: lock the sale so concurrent refunds see each other.
    let current = if db::is_sqlite(&txn) {
        get(&txn, store_id, sale_id).await?
    } else {
        sale::Entity::find_by_id(sale_id)
            .filter(sale::Column::StoreId.eq(store_id.0))
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound)?
    };
    let mut e = ValidationErrors::new();
    let external_id = match input
        .external_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(x) => e.check("external_id", required_text(x, 255)),
        None => None,
    };
    let reason = match input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(r) => e.check("reason", required_text(r, 1000)),
        None => None,
    };
    if let Some(x) = &external_id
        && refund::Entity::find()
            .filter(refund::Column::StoreId.eq(store.id))
            .filter(refund::Column::ExternalId.eq(x.clone()))
            .one(&txn)
            .await?
            .is_some()
    {
        // The same refund delivered again: nothing changes.
        return Ok(current);
    }
    let remaining = current.amount_minor - current.refunded_minor;
    if remaining <= 0 {
        return Err(ServiceError::Conflict(
            "This sale is already fully refunded.".into(),
        ));
    }
    let amount = match input
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(remaining),
        Some(a) => e.check(
            "amount",
            parse_amount(a, currency).and_then(|v| {
                if v <= 0 {
                    Err("must be greater than 0".into())
                } else if v > remaining {
                    Err(format!(
                        "must be at most {} (what remains of the sale)",
                        format_minor(remaining, currency)
                    ))
                } else {
                    Ok(v)
                }
            }),
        ),
    };
    e.into_result()?;
    let amount = amount.expect("checked");
    let now = Utc::now();
    refund::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store.id),
        sale_id: Set(current.id),
        amount_minor: Set(amount),
        reason: Set(reason.clone()),
        external_id: Set(external_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut active: sale::ActiveModel = current.clone().into();
    active.refunded_minor = Set(current.refunded_minor + amount);
    let updated = active.update(&txn).await?;

    let mut owned = commission_entity::Entity::find()
        .filter(commission_entity::Column::SaleId.eq(current.id))
        .filter(commission_entity::Column::Kind.eq("sale"));
    if !db::is_sqlite(&txn) {
        // Also keeps the due-promotion job off these rows meanwhile.
        owned = owned.lock_exclusive();
    }
    for c in owned.all(&txn).await? {
        reverse(
            &txn,
            store_id,
            c,
            updated.amount_minor,
            updated.refunded_minor,
        )
        .await?;
    }
    events::emit(
        &txn,
        store_id,
        "sale.refunded",
        json!({"sale": sale_snapshot(&updated), "amount_minor": amount, "reason": reason}),
    )
    .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "sale.refunded",
        "sale",
        Some(updated.id.to_string()),
        json!({"amount_minor": amount, "refunded_minor": updated.refunded_minor}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes back the refunded share of one commission: a pending or due one is
/// reduced (or marked refunded); a paid one gets a negative clawback. What
/// is kept is always computed from the original amount and the sale's total
/// refunded, so successive partial refunds add up exactly.
async fn reverse(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    c: commission_entity::Model,
    sale_amount: i64,
    refunded_total: i64,
) -> ServiceResult<()> {
    let full = refunded_total >= sale_amount;
    let kept = commission::after_refund(c.original_amount_minor, sale_amount, refunded_total)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
    match c.status.as_str() {
        "pending" | "due" => {
            let new_amount = if full { 0 } else { kept };
            let was_due = c.status == "due";
            let taken = c.amount_minor - new_amount;
            let mut active: commission_entity::ActiveModel = c.clone().into();
            if full {
                active.status = Set("refunded".into());
            } else {
                active.amount_minor = Set(new_amount);
            }
            active.updated_at = Set(Utc::now());
            let updated = active.update(conn).await?;
            if was_due {
                ledger::post(
                    conn,
                    store_id,
                    ledger::Entry {
                        affiliate_id: c.affiliate_id,
                        commission_id: Some(c.id),
                        kind: "reversal",
                        amount_minor: -taken,
                        currency: &c.currency,
                    },
                )
                .await?;
            }
            events::emit(
                conn,
                store_id,
                "commission.updated",
                commissions::snapshot(&updated),
            )
            .await?;
        }
        "paid" => {
            let clawed: i64 = commission_entity::Entity::find()
                .filter(commission_entity::Column::ClawbackOf.eq(c.id))
                .all(conn)
                .await?
                .iter()
                .map(|k| k.amount_minor)
                .sum();
            let effective = c.amount_minor + clawed;
            let target = if full { 0 } else { kept };
            let clawback = target - effective;
            if clawback == 0 {
                return Ok(());
            }
            let now = Utc::now();
            let made = commission_entity::ActiveModel {
                id: Set(Uuid::now_v7()),
                store_id: Set(store_id.0),
                affiliate_id: Set(c.affiliate_id),
                campaign_id: Set(c.campaign_id),
                referral_id: Set(c.referral_id),
                sale_id: Set(c.sale_id),
                kind: Set("clawback".into()),
                sale_amount_minor: Set(c.sale_amount_minor),
                amount_minor: Set(clawback),
                original_amount_minor: Set(clawback),
                currency: Set(c.currency.clone()),
                status: Set("due".into()),
                due_at: Set(now),
                paid_at: Set(None),
                payout_id: Set(None),
                clawback_of: Set(Some(c.id)),
                remarks: Set(Some(
                    "clawback: the sale was refunded after the commission was paid".into(),
                )),
                created_by: Set("system".into()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?;
            ledger::post(
                conn,
                store_id,
                ledger::Entry {
                    affiliate_id: c.affiliate_id,
                    commission_id: Some(made.id),
                    kind: "clawback",
                    amount_minor: clawback,
                    currency: &c.currency,
                },
            )
            .await?;
            events::emit(
                conn,
                store_id,
                "commission.created",
                commissions::snapshot(&made),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct SaleFilter {
    pub affiliate_id: Option<Uuid>,
    pub unattributed: bool,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &SaleFilter,
    page: PageRequest,
) -> ServiceResult<Page<sale::Model>> {
    let mut q = sale::Entity::find().filter(sale::Column::StoreId.eq(store_id.0));
    if let Some(a) = f.affiliate_id {
        q = q.filter(sale::Column::AffiliateId.eq(a));
    }
    if f.unattributed {
        q = q.filter(sale::Column::AffiliateId.is_null());
    }
    if let Some(after) = page.starting_after {
        q = q.filter(sale::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(sale::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// Staff attribute an unattributed sale to an affiliate: a manual referral
/// is made for the customer and the commission computed as for any sale.
pub async fn attribute_manually(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: Uuid,
    affiliate_id: Uuid,
) -> ServiceResult<Recorded> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, sale_id).await?;
    if current.affiliate_id.is_some() {
        return Err(ServiceError::Conflict(
            "This sale is already attributed.".into(),
        ));
    }
    if current.refunded_minor >= current.amount_minor {
        return Err(ServiceError::Conflict(
            "This sale was fully refunded; there is nothing to attribute.".into(),
        ));
    }
    let owner = affiliates::get(&txn, store_id, affiliate_id)
        .await
        .map_err(|_| {
            ServiceError::from(ValidationErrors::single(
                "affiliate_id",
                "is not an affiliate of this store",
            ))
        })?;
    let r = referrals::insert_known(
        &txn,
        store_id,
        referrals::KnownPerson {
            owner: &owner,
            source: "manual",
            email: current.customer_email.clone(),
            external_customer_id: current.external_customer_id.clone(),
            coupon_id: None,
        },
    )
    .await?;
    let (updated, commission, note) = attach(&txn, store_id, currency, &current, r, "manual")
        .await?
        .ok_or_else(|| ServiceError::Conflict("This sale is already attributed.".into()))?;
    audit::record(
        &txn,
        store_id,
        actor,
        "sale.attributed",
        "sale",
        Some(updated.id.to_string()),
        json!({"affiliate_id": owner.id, "email": owner.email}),
    )
    .await?;
    txn.commit().await?;
    Ok(Recorded {
        sale: updated,
        commission,
        created: false,
        note,
    })
}

/// Commissions of a sale, for its API body and page.
pub async fn commissions_of(
    conn: &impl ConnectionTrait,
    sale_id: Uuid,
) -> ServiceResult<Vec<commission_entity::Model>> {
    Ok(commission_entity::Entity::find()
        .filter(commission_entity::Column::SaleId.eq(sale_id))
        .order_by_asc(commission_entity::Column::Id)
        .all(conn)
        .await?)
}

/// Group commit for sales: one writer task records many sales per
/// transaction (each in its own savepoint, so one refused sale never undoes
/// another) and answers each caller only after the shared commit. One fsync
/// per transaction caps single-sale commits near 500/s here; batches lift it.
#[derive(Clone)]
pub struct SalesWriter {
    tx: tokio::sync::mpsc::Sender<Job>,
}

struct Job {
    store: store::Model,
    actor: Actor,
    parsed: Parsed,
    reply: tokio::sync::oneshot::Sender<ServiceResult<Recorded>>,
}

const SALES_BATCH: usize = 256;
const SALES_LINGER: std::time::Duration = std::time::Duration::from_millis(2);

impl SalesWriter {
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        tokio::spawn(run_sales_writer(db, rx));
        Self { tx }
    }

    /// Validates, then queues the sale; returns once it is committed.
    pub async fn record(
        &self,
        store: &store::Model,
        actor: &Actor,
        input: SaleInput,
    ) -> ServiceResult<Recorded> {
        let currency = campaigns::currency_of(store);
        let parsed = parse(&input, currency, Utc::now())?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            store: store.clone(),
            actor: actor.clone(),
            parsed,
            reply,
        };
        self.tx
            .send(job)
            .await
            .map_err(|_| ServiceError::Internal(anyhow::anyhow!("the sales writer has stopped")))?;
        answer.await.map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("the sales writer dropped a sale"))
        })?
    }
}

async fn run_sales_writer(db: DatabaseConnection, mut rx: tokio::sync::mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let deadline = tokio::time::Instant::now() + SALES_LINGER;
        while jobs.len() < SALES_BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(job)) => jobs.push(job),
                _ => break,
            }
        }
        commit_batch(&db, jobs).await;
    }
}

async fn commit_batch(db: &DatabaseConnection, jobs: Vec<Job>) {
    use sea_orm::TransactionTrait;
    let txn = match db::begin_write(db).await {
        Ok(t) => t,
        Err(e) => {
            for job in jobs {
                let _ = job.reply.send(Err(ServiceError::Internal(anyhow::anyhow!(
                    "could not start a transaction: {e}"
                ))));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let currency = campaigns::currency_of(&job.store);
        let result = match txn.begin().await {
            Ok(savepoint) => {
                match record_in(&savepoint, &job.store, &job.actor, &job.parsed, currency).await {
                    Ok(recorded) => savepoint
                        .commit()
                        .await
                        .map(|_| recorded)
                        .map_err(ServiceError::from),
                    Err(e) => {
                        let _ = savepoint.rollback().await;
                        match e {
                            // Another instance booked this payment first.
                            ServiceError::Db(ref db_err) if db::is_unique_violation(db_err) => {
                                match existing(&txn, StoreId(job.store.id), &job.parsed.external_id)
                                    .await
                                {
                                    Ok(Some((sale, commission))) => Ok(Recorded {
                                        sale,
                                        commission,
                                        created: false,
                                        note: None,
                                    }),
                                    _ => Err(e),
                                }
                            }
                            other => Err(other),
                        }
                    }
                }
            }
            Err(e) => Err(ServiceError::from(e)),
        };
        answers.push((job.reply, result));
    }
    match txn.commit().await {
        Ok(()) => {
            for (reply, result) in answers {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "committing a batch of sales failed");
            for (reply, _) in answers {
                let _ = reply.send(Err(ServiceError::Internal(anyhow::anyhow!(
                    "committing the sale failed: {e}"
                ))));
            }
        }
    }
}

/// A sale given to a referral, its commission (if any) and why not.
type Attached = (
    sale::Model,
    Option<commission_entity::Model>,
    Option<String>,
);

/// Gives an unattributed sale to a referral: claimed with a condition (so
/// two attributions of one sale cannot both succeed), credited as any sale
/// (scaled down by what was already refunded), and the referral moved on.
/// `None` when someone else attributed it first.
async fn attach(
    txn: &impl ConnectionTrait,
    store_id: StoreId,
    currency: Currency,
    current: &sale::Model,
    r: referral::Model,
    how: &str,
) -> ServiceResult<Option<Attached>> {
    let claimed = sale::Entity::update_many()
        .col_expr(sale::Column::ReferralId, Expr::value(Some(r.id)))
        .col_expr(sale::Column::AffiliateId, Expr::value(Some(r.affiliate_id)))
        .col_expr(sale::Column::Attribution, Expr::value(how))
        .filter(sale::Column::Id.eq(current.id))
        .filter(sale::Column::AffiliateId.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let updated = get(txn, store_id, current.id).await?;
    let mut r = r;
    let (mut commission, note) = credit(txn, store_id, currency, &mut r, &updated).await?;
    if let Some(c) = commission.take() {
        commission = Some(if updated.refunded_minor > 0 {
            let kept = commission::after_refund(
                c.original_amount_minor,
                updated.amount_minor,
                updated.refunded_minor,
            )
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
            let mut active: commission_entity::ActiveModel = c.into();
            active.amount_minor = Set(kept);
            active.update(txn).await?
        } else {
            c
        });
    }
    let parsed = Parsed {
        external_id: updated.external_id.clone(),
        amount: updated.amount_minor,
        tax: updated.tax_minor,
        occurred_at: updated.occurred_at,
        referral_id: None,
        coupon_key: None,
        external_customer_id: updated.external_customer_id.clone(),
        customer_email: None,
    };
    convert(txn, store_id, r, &parsed, &updated).await?;
    Ok(Some((updated, commission, note)))
}

/// Payments that arrived before their customer was known (Stripe may send a
/// subscription's first `invoice.paid` before `checkout.session.completed`):
/// once the referral learns its customer id, its unattributed sales are
/// attributed to it, oldest first.
pub async fn attach_customer_sales(
    db: &DatabaseConnection,
    store: &store::Model,
    referral_id: Uuid,
    customer: &str,
) -> ServiceResult<usize> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    let txn = db::begin_write(db).await?;
    let orphans = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(store.id))
        .filter(sale::Column::AffiliateId.is_null())
        .filter(sale::Column::ExternalCustomerId.eq(customer))
        .order_by_asc(sale::Column::OccurredAt)
        .limit(100)
        .all(&txn)
        .await?;
    let mut attached = 0;
    for orphan in orphans {
        let r = referrals::get(&txn, store_id, referral_id).await?;
        if attach(&txn, store_id, currency, &orphan, r, "customer")
            .await?
            .is_some()
        {
            attached += 1;
        }
    }
    txn.commit().await?;
    Ok(attached)
}
