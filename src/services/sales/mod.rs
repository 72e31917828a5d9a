//! Sales and refunds, and the commissions they make and unmake.
//!
//! A sale is idempotent on the store's payment id: posting it again returns
//! the original, never a second commission (and the unique index on
//! `(sale_id, affiliate_id)` makes that hold under concurrent deliveries).
//! The sale, its commission, the referral's progress, the counters, the
//! events and the audit entry commit together or not at all.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

mod attribution;
mod refunds;
mod work;
mod writer;

pub use refunds::{RefundInput, refund};
pub use writer::SalesWriter;

use super::paging::{Page, PageRequest};
use super::{Actor, ServiceError, ServiceResult, affiliates, audit, campaigns, referrals};
use crate::db;
use crate::domain::affiliate::is_self_referral;
use crate::domain::campaign::Recurring;
use crate::domain::commission::{self, Decision, History, Terms};
use crate::domain::money::parse_amount;
use crate::domain::states::{CommissionKind, CommissionStatus, ReferralSource};
use crate::domain::text::required_text;
use crate::domain::{AffiliateId, ReferralId, SaleId};
use crate::domain::{Currency, Email, StoreId, ValidationErrors};
use crate::entities::{commission as commission_entity, referral, sale, store};
use work::Work;

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: SaleId,
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

/// An optional text field: `None` when absent or blank, else trimmed.
pub(super) fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
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
    let occurred_at = input.occurred_at.map(db::stored_time).unwrap_or(now);
    if occurred_at > now + Duration::days(1) {
        e.add("occurred_at", "is in the future");
    }
    let referral_id = match given(&input.referral_id) {
        Some(s) => e.check(
            "referral_id",
            Uuid::parse_str(s).map_err(|_| "is not a referral id".to_string()),
        ),
        None => None,
    };
    let customer_email = match given(&input.customer_email) {
        Some(s) => e.check("customer_email", Email::parse(s)),
        None => None,
    };
    let external_customer_id = match given(&input.external_customer_id) {
        Some(s) => e.check("external_customer_id", required_text(s, 255)),
        None => None,
    };
    let coupon_key = match given(&input.coupon_code) {
        Some(c) => e
            .check("coupon_code", required_text(c, 64))
            .map(|c| c.to_ascii_uppercase()),
        None => None,
    };
    e.clone().into_result()?;
    Ok(Parsed {
        external_id: external_id.expect("checked"),
        amount: amount.expect("checked"),
        tax: tax.expect("checked"),
        occurred_at,
        referral_id,
        coupon_key,
        external_customer_id,
        customer_email,
    })
}

pub fn sale_snapshot(s: &sale::Model) -> serde_json::Value {
    json!({
        "id": s.id, "external_id": s.external_id, "referral_id": s.referral_id, "affiliate_id": s.affiliate_id,
        "amount_minor": s.amount_minor, "tax_minor": s.tax_minor, "currency": s.currency,
        "refunded_minor": s.refunded_minor, "attribution": s.attribution, "occurred_at": s.occurred_at,
    })
}

/// Records one sale in a transaction of its own (the sales writer batches
/// them; this is its fallback, and what webhooks call).
pub async fn record(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: SaleInput,
) -> ServiceResult<Recorded> {
    let currency = campaigns::currency_of(store);
    let p = parse(&input, currency, db::stored_now())?;
    record_parsed(db, store, actor, &p).await
}

async fn record_parsed(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    match record_in_txn(db, store, actor, p).await {
        Err(ServiceError::Db(e)) if db::is_unique_violation(&e) => {
            // A concurrent delivery of the same payment won the race.
            let mut work = Work::default();
            let (sale, commission) = work
                .booked(db, StoreId(store.id), &p.external_id)
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
) -> ServiceResult<Recorded> {
    let txn = db::begin_write(db).await?;
    let mut work = Work::default();
    let recorded = record_in(&mut work, &txn, store, actor, p).await?;
    work.flush(&txn).await?;
    txn.commit().await?;
    Ok(recorded)
}

/// Stages the sale and everything it changes in `work`; when it fails,
/// nothing of it stays staged.
async fn record_in(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    let mark = work.mark();
    let result = stage_sale(work, conn, store, actor, p).await;
    if result.is_err() {
        work.rollback(mark);
    }
    result
}

async fn stage_sale(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    if let Some((sale, commission)) = work.booked(conn, store_id, &p.external_id).await? {
        return Ok(Recorded {
            sale,
            commission,
            created: false,
            note: None,
        });
    }
    let (found, how) = attribution::attribute(work, conn, store, p).await?;
    let sale = sale::Model {
        id: Uuid::now_v7(),
        store_id: store.id,
        external_id: p.external_id.clone(),
        referral_id: found.as_ref().map(|r| r.id),
        affiliate_id: found.as_ref().map(|r| r.affiliate_id),
        amount_minor: p.amount,
        tax_minor: p.tax,
        currency: currency.code().to_owned(),
        refunded_minor: 0,
        attribution: how.to_owned(),
        coupon_code: p.coupon_key.clone(),
        customer_email: p.customer_email.as_ref().map(|e| e.as_str().to_owned()),
        external_customer_id: p.external_customer_id.clone(),
        occurred_at: p.occurred_at,
        created_at: db::stored_now(),
    };
    // Everything that can refuse the sale runs before anything is staged.
    let (made, note, converting) = match found {
        Some(mut r) => {
            let (made, note) = credit(work, conn, store_id, currency, &mut r, &sale).await?;
            (made, note, Some(r))
        }
        None => (
            None,
            Some("no referral matched this sale; it is kept as unattributed".to_owned()),
            None,
        ),
    };
    work.add_sale(sale.clone(), actor);
    if let Some(c) = &made {
        work.add_commission(c.clone());
    }
    if let Some(r) = converting {
        let customer = Customer {
            external_id: p.external_customer_id.as_deref(),
            email: p.customer_email.as_ref().map(Email::as_str),
        };
        convert(work, store_id, r, customer, &sale);
    }
    Ok(Recorded {
        sale,
        commission: made,
        created: true,
        note,
    })
}

/// What a sale tells about its buyer.
#[derive(Clone, Copy)]
struct Customer<'a> {
    external_id: Option<&'a str>,
    email: Option<&'a str>,
}

/// Moves the referral on: customer remembered, converted, one more sale.
fn convert(
    work: &mut Work,
    store_id: StoreId,
    r: referral::Model,
    customer: Customer<'_>,
    sale: &sale::Model,
) {
    let first_conversion = !r.state.is_converted();
    let now = db::stored_now();
    let mut updated = r;
    if updated.external_customer_id.is_none() {
        updated.external_customer_id = customer.external_id.map(str::to_owned);
    }
    if updated.email.is_none() && updated.erased_at.is_none() {
        updated.email = customer.email.map(str::to_owned);
    }
    updated.state = updated.state.convert();
    updated.sale_count = updated.sale_count.saturating_add(1);
    if updated.first_sale_at.is_none() {
        updated.first_sale_at = Some(sale.occurred_at);
    }
    if first_conversion {
        updated.converted_at = Some(now);
    }
    updated.updated_at = now;
    work.put_referral(updated.clone());
    if first_conversion {
        if !updated.self_referral
            && let Some(link_id) = updated.link_id
        {
            work.count_conversion(link_id);
        }
        work.emit(
            store_id,
            "referral.converted",
            referrals::snapshot(&updated),
        );
    }
}

/// The commission a sale earns its referral's affiliate, if any, and why
/// not. A sale already partly refunded (attributed late) earns its share of
/// what it kept. The caller stages it.
async fn credit(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    currency: Currency,
    r: &mut referral::Model,
    sale: &sale::Model,
) -> ServiceResult<(Option<commission_entity::Model>, Option<String>)> {
    let affiliate = work.affiliate(conn, store_id, r.affiliate_id).await?;
    // Caught here too, not only at sign-up: the buyer may name themselves
    // only at checkout.
    let me = affiliates::identity(&affiliate);
    if is_self_referral(
        me,
        sale.customer_email.as_deref(),
        sale.external_customer_id.as_deref(),
    ) || is_self_referral(me, r.email.as_deref(), None)
    {
        r.self_referral = true;
    }
    if r.self_referral {
        return Ok((
            None,
            Some("self-referral: an affiliate cannot earn on their own purchase".into()),
        ));
    }
    if let Some(why) = affiliates::not_earning(&affiliate) {
        return Ok((
            None,
            Some(format!("the affiliate is {why} and earns nothing new")),
        ));
    }
    let campaign = work.campaign(conn, store_id, affiliate.campaign_id).await?;
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
        override_bp: affiliate.commission_bp,
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
    let kept = if sale.refunded_minor > 0 {
        commission::after_refund(amount, sale.amount_minor, sale.refunded_minor)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?
    } else {
        amount
    };
    if sale.refunded_minor >= sale.amount_minor {
        return Ok((
            None,
            Some("the sale was refunded in full; it earns nothing".into()),
        ));
    }
    let now = db::stored_now();
    Ok((
        Some(commission_entity::Model {
            id: Uuid::now_v7(),
            store_id: store_id.0,
            affiliate_id: affiliate.id,
            campaign_id: Some(campaign.id),
            referral_id: Some(r.id),
            sale_id: Some(sale.id),
            kind: CommissionKind::Sale,
            sale_amount_minor: sale.amount_minor,
            amount_minor: kept,
            original_amount_minor: amount,
            currency: currency.code().to_owned(),
            status: CommissionStatus::Pending,
            due_at,
            paid_at: None,
            payout_id: None,
            clawback_of: None,
            remarks: None,
            created_by: "system".into(),
            created_at: now,
            updated_at: now,
        }),
        None,
    ))
}

#[derive(Debug, Default, Clone)]
pub struct SaleFilter {
    pub affiliate_id: Option<AffiliateId>,
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
    sale_id: SaleId,
    affiliate_id: AffiliateId,
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
    let mut work = Work::default();
    let affiliate = work
        .affiliate(&txn, store_id, affiliate_id.0)
        .await
        .map_err(|_| {
            ServiceError::from(ValidationErrors::single(
                "affiliate_id",
                "is not an affiliate of this store",
            ))
        })?;
    let campaign = work.campaign(&txn, store_id, affiliate.campaign_id).await?;
    let r = referrals::known_row(
        store_id,
        &campaign,
        referrals::KnownPerson {
            affiliate: &affiliate,
            source: ReferralSource::Manual,
            email: current.customer_email.clone(),
            external_customer_id: current.external_customer_id.clone(),
            coupon_id: None,
        },
    );
    work.add_referral(r.clone());
    work.emit(store_id, "referral.created", referrals::snapshot(&r));
    let (updated, commission, note) =
        attach(&mut work, &txn, store_id, currency, &current, r, "manual")
            .await?
            .ok_or_else(|| ServiceError::Conflict("This sale is already attributed.".into()))?;
    work.flush(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "sale.attributed",
        "sale",
        Some(updated.id.to_string()),
        json!({"affiliate_id": affiliate.id, "email": affiliate.email}),
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
    sale_id: SaleId,
) -> ServiceResult<Vec<commission_entity::Model>> {
    Ok(commission_entity::Entity::find()
        .filter(commission_entity::Column::SaleId.eq(sale_id))
        .order_by_asc(commission_entity::Column::Id)
        .all(conn)
        .await?)
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
    work: &mut Work,
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
    // Read again after the claim: a refund may have committed since
    // `current` was read (PostgreSQL), and the claim's row lock keeps any
    // further one out until this commits.
    let updated = get(txn, store_id, SaleId(current.id)).await?;
    let mut r = r;
    let (commission, note) = credit(work, txn, store_id, currency, &mut r, &updated).await?;
    if let Some(c) = &commission {
        work.add_commission(c.clone());
    }
    let customer = Customer {
        external_id: updated.external_customer_id.as_deref(),
        email: None,
    };
    convert(work, store_id, r, customer, &updated);
    Ok(Some((updated, commission, note)))
}

/// Payments that arrived before their customer was known (Stripe may send a
/// subscription's first `invoice.paid` before `checkout.session.completed`):
/// once the referral learns its customer id, its unattributed sales are
/// attributed to it, oldest first.
pub async fn attach_customer_sales(
    db: &DatabaseConnection,
    store: &store::Model,
    referral_id: ReferralId,
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
    let mut work = Work::default();
    let mut attached = 0;
    for orphan in orphans {
        // The referral as the previous orphan left it (its sale count).
        let r = work
            .referral(&txn, store_id, referral_id.0)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if attach(&mut work, &txn, store_id, currency, &orphan, r, "customer")
            .await?
            .is_some()
        {
            attached += 1;
        }
    }
    work.flush(&txn).await?;
    txn.commit().await?;
    Ok(attached)
}
