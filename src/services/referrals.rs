//! Referrals: a person an affiliate sent, from first visit to lead to
//! customer. Leads come from the API or the tracking script; staff and the
//! API may also create, correct and erase referrals by hand.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::paging::{Page, PageRequest};
use super::{Actor, ServiceError, ServiceResult, affiliates, audit, campaigns, events};
use crate::db;
use crate::domain::affiliate::is_self_referral;
use crate::domain::states::{ReferralSource, ReferralState};
use crate::domain::text::required_text;
use crate::domain::{AffiliateId, CampaignId, CouponId, ReferralId, VisitId};
use crate::domain::{Email, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, commission, link, referral, sale, visit};

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: ReferralId,
) -> ServiceResult<referral::Model> {
    referral::Entity::find_by_id(id)
        .filter(referral::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub fn snapshot(r: &referral::Model) -> serde_json::Value {
    json!({
        "id": r.id, "affiliate_id": r.affiliate_id, "link_id": r.link_id, "coupon_id": r.coupon_id,
        "state": r.state, "email": r.email, "external_customer_id": r.external_customer_id,
        "self_referral": r.self_referral, "expires_at": r.expires_at, "created_at": r.created_at,
    })
}

fn parse_external(text: Option<&str>) -> Result<Option<String>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => required_text(t, 255).map(Some),
    }
}

pub struct LeadInput {
    pub referral_id: Option<String>,
    pub visitor_id: Option<String>,
    pub email: String,
    pub external_customer_id: Option<String>,
    /// From the tracking script (anyone can call it): may only name the
    /// person of a referral that has no email yet, never change one.
    pub from_browser: bool,
}

/// A sign-up: the referral (named by id, or the latest of a visitor) becomes
/// a lead. An affiliate's own email is recorded but never credited.
pub async fn record_lead(
    db: &DatabaseConnection,
    store_id: StoreId,
    input: LeadInput,
) -> ServiceResult<referral::Model> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let external = errors.check(
        "external_customer_id",
        parse_external(input.external_customer_id.as_deref()),
    );
    let referral_id = match input
        .referral_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => errors.check(
            "referral_id",
            Uuid::parse_str(s).map_err(|_| "is not a referral id".to_string()),
        ),
        None => None,
    };
    let visitor_id = match input
        .visitor_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => errors.check(
            "visitor_id",
            Uuid::parse_str(s).map_err(|_| "is not a visitor id".to_string()),
        ),
        None => None,
    };
    if referral_id.is_none()
        && visitor_id.is_none()
        && errors.get("referral_id").is_none()
        && errors.get("visitor_id").is_none()
    {
        errors.add("referral_id", "or visitor_id is required");
    }
    errors.into_result()?;
    let (email, external) = (email.expect("checked"), external.expect("checked"));

    let txn = db::begin_write(db).await?;
    let found = match (referral_id, visitor_id) {
        (Some(id), _) => {
            referral::Entity::find_by_id(id)
                .filter(referral::Column::StoreId.eq(store_id.0))
                .one(&txn)
                .await?
        }
        (None, Some(v)) => {
            referral::Entity::find()
                .filter(referral::Column::StoreId.eq(store_id.0))
                .filter(referral::Column::VisitorId.eq(v))
                .order_by_desc(referral::Column::Id)
                .one(&txn)
                .await?
        }
        _ => None,
    };
    let Some(current) = found else {
        let field = if referral_id.is_some() {
            "referral_id"
        } else {
            "visitor_id"
        };
        return Err(ValidationErrors::single(field, "names no referral of this store").into());
    };
    let affiliate = affiliates::get(&txn, store_id, AffiliateId(current.affiliate_id)).await?;
    let self_referral = is_self_referral(
        affiliates::identity(&affiliate),
        Some(email.as_str()),
        external.as_deref(),
    );
    if input.from_browser && (current.state != ReferralState::Visitor || current.email.is_some()) {
        txn.commit().await?;
        return Ok(current);
    }
    let becomes_lead = current.state.sign_up() != current.state;
    let mut active: referral::ActiveModel = current.clone().into();
    active.email = Set(Some(email.as_str().to_owned()));
    if external.is_some() {
        active.external_customer_id = Set(external);
    }
    active.self_referral = Set(current.self_referral || self_referral);
    if becomes_lead {
        active.state = Set(current.state.sign_up());
        active.lead_at = Set(Some(Utc::now()));
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    if becomes_lead
        && !updated.self_referral
        && let Some(link_id) = updated.link_id
    {
        link::Entity::update_many()
            .col_expr(link::Column::Leads, Expr::col(link::Column::Leads).add(1))
            .filter(link::Column::Id.eq(link_id))
            .exec(&txn)
            .await?;
    }
    events::emit(&txn, store_id, "referral.lead", snapshot(&updated)).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A referral for a person the store already knows (a manual referral, a
/// coupon customer, a sale attributed by hand): a lead from the start, with
/// the affiliate's current campaign and cookie duration.
pub struct KnownPerson<'a> {
    pub affiliate: &'a affiliate::Model,
    pub source: ReferralSource,
    pub email: Option<String>,
    pub external_customer_id: Option<String>,
    pub coupon_id: Option<CouponId>,
}

pub async fn insert_known(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    person: KnownPerson<'_>,
) -> ServiceResult<referral::Model> {
    let campaign = campaigns::get(conn, store_id, CampaignId(person.affiliate.campaign_id)).await?;
    let created = known_row(store_id, &campaign, person);
    let created = referral::ActiveModel::from(created).insert(conn).await?;
    events::emit(conn, store_id, "referral.created", snapshot(&created)).await?;
    Ok(created)
}

/// The referral row of a person the store knows, under the affiliate's campaign
/// (for callers that stage it rather than insert it at once).
pub fn known_row(
    store_id: StoreId,
    campaign: &campaign::Model,
    person: KnownPerson<'_>,
) -> referral::Model {
    let now = db::stored_now();
    referral::Model {
        id: Uuid::now_v7(),
        store_id: store_id.0,
        affiliate_id: person.affiliate.id,
        campaign_id: campaign.id,
        link_id: None,
        coupon_id: person.coupon_id.map(|i| i.0),
        visitor_id: None,
        state: ReferralState::Lead,
        self_referral: is_self_referral(
            affiliates::identity(person.affiliate),
            person.email.as_deref(),
            person.external_customer_id.as_deref(),
        ),
        email: person.email,
        external_customer_id: person.external_customer_id,
        ip_hash: None,
        user_agent: None,
        source: person.source,
        sale_count: 0,
        first_sale_at: None,
        expires_at: now + Duration::days(campaign.cookie_days as i64),
        lead_at: Some(now),
        converted_at: None,
        erased_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Claims a click for the one browser that takes its referral from
/// `tb_ref`; false when another browser took it first.
pub async fn adopt_click(
    conn: &impl ConnectionTrait,
    visit_id: VisitId,
    now: chrono::DateTime<Utc>,
) -> ServiceResult<bool> {
    let claimed = visit::Entity::update_many()
        .col_expr(visit::Column::AdoptedAt, Expr::value(Some(now)))
        .filter(visit::Column::Id.eq(visit_id))
        .filter(visit::Column::AdoptedAt.is_null())
        .exec(conn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

pub struct ManualReferral {
    pub affiliate_id: AffiliateId,
    pub email: String,
    pub external_customer_id: Option<String>,
}

/// A referral recorded by hand (the store knows who sent this customer).
pub async fn create_manual(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    input: ManualReferral,
) -> ServiceResult<referral::Model> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let external = errors.check(
        "external_customer_id",
        parse_external(input.external_customer_id.as_deref()),
    );
    let txn = db::begin_write(db).await?;
    let affiliate = affiliates::get(&txn, store_id, input.affiliate_id)
        .await
        .ok();
    if affiliate.is_none() {
        errors.add("affiliate_id", "is not an affiliate of this store");
    }
    errors.into_result()?;
    let (email, external, affiliate) = (
        email.expect("checked"),
        external.expect("checked"),
        affiliate.expect("checked"),
    );
    let created = insert_known(
        &txn,
        store_id,
        KnownPerson {
            affiliate: &affiliate,
            source: ReferralSource::Manual,
            email: Some(email.as_str().to_owned()),
            external_customer_id: external,
            coupon_id: None,
        },
    )
    .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "referral.created",
        "referral",
        Some(created.id.to_string()),
        snapshot(&created),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes to a referral: `None` keeps what the row holds when the write
/// transaction reads it (locked).
#[derive(Debug, Clone, Default)]
pub struct ReferralForUpdate {
    pub email: Option<String>,
    /// `Some("")` clears it.
    pub external_customer_id: Option<String>,
}

pub async fn update(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: ReferralId,
    changes: ReferralForUpdate,
) -> ServiceResult<referral::Model> {
    let mut errors = ValidationErrors::new();
    let email = match changes.email.as_deref() {
        Some(e) => errors.check("email", Email::parse(e)).map(Some),
        None => Some(None),
    };
    let external = match changes.external_customer_id.as_deref() {
        Some(e) => errors
            .check("external_customer_id", parse_external(Some(e)))
            .map(Some),
        None => Some(None),
    };
    let txn = db::begin_write(db).await?;
    let current = db::for_update(
        &txn,
        referral::Entity::find_by_id(id).filter(referral::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound)?;
    errors.into_result()?;
    if current.erased_at.is_some() {
        return Err(ServiceError::Conflict(
            "This referral's personal data was erased.".into(),
        ));
    }
    let before = snapshot(&current);
    let mut active: referral::ActiveModel = current.into();
    if let Some(Some(e)) = email {
        active.email = Set(Some(e.as_str().to_owned()));
    }
    if let Some(Some(x)) = external {
        active.external_customer_id = Set(x);
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "referral.updated",
        "referral",
        Some(id.to_string()),
        json!({"before": before, "after": snapshot(&updated)}),
    )
    .await?;
    events::emit(&txn, store_id, "referral.updated", snapshot(&updated)).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The GDPR erasure: the person's email, address hash, browser and pages
/// visited are removed; the referral, its sales and commissions stay as an
/// anonymous record so the money still adds up.
pub async fn erase(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: ReferralId,
) -> ServiceResult<referral::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    let mut active: referral::ActiveModel = current.into();
    active.email = Set(None);
    active.external_customer_id = Set(None);
    active.ip_hash = Set(None);
    active.user_agent = Set(None);
    active.visitor_id = Set(None);
    active.erased_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    let erased = active.update(&txn).await?;
    visit::Entity::update_many()
        .col_expr(visit::Column::IpHash, Expr::value(Option::<String>::None))
        .col_expr(
            visit::Column::UserAgent,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            visit::Column::LandingUrl,
            Expr::value(Option::<String>::None),
        )
        .col_expr(visit::Column::Referrer, Expr::value(Option::<String>::None))
        .filter(visit::Column::ReferralId.eq(id))
        .exec(&txn)
        .await?;
    sale::Entity::update_many()
        .col_expr(
            sale::Column::CustomerEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            sale::Column::ExternalCustomerId,
            Expr::value(Option::<String>::None),
        )
        .filter(sale::Column::StoreId.eq(store_id.0))
        .filter(sale::Column::ReferralId.eq(id))
        .exec(&txn)
        .await?;
    // The outbox and the audit log must not keep what was erased.
    let marker = id.to_string();
    crate::entities::event::Entity::update_many()
        .col_expr(
            crate::entities::event::Column::Payload,
            Expr::value(json!({"id": id, "erased": true}).to_string()),
        )
        .filter(crate::entities::event::Column::StoreId.eq(store_id.0))
        .filter(crate::entities::event::Column::EventType.starts_with("referral."))
        .filter(crate::entities::event::Column::Payload.contains(&marker))
        .exec(&txn)
        .await?;
    crate::entities::audit_entry::Entity::update_many()
        .col_expr(
            crate::entities::audit_entry::Column::Details,
            Expr::value(json!({"erased": true}).to_string()),
        )
        .filter(crate::entities::audit_entry::Column::StoreId.eq(store_id.0))
        .filter(crate::entities::audit_entry::Column::EntityType.eq("referral"))
        .filter(crate::entities::audit_entry::Column::EntityId.eq(marker))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "referral.erased",
        "referral",
        Some(id.to_string()),
        json!({}),
    )
    .await?;
    events::emit(&txn, store_id, "referral.erased", json!({"id": id})).await?;
    txn.commit().await?;
    Ok(erased)
}

#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    pub state: Option<ReferralState>,
    pub affiliate_id: Option<AffiliateId>,
    pub campaign_id: Option<CampaignId>,
    pub email: Option<String>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    f: &ReferralFilter,
    page: PageRequest,
) -> ServiceResult<Page<referral::Model>> {
    let mut q = referral::Entity::find().filter(referral::Column::StoreId.eq(store_id.0));
    if let Some(s) = &f.state {
        q = q.filter(referral::Column::State.eq(*s));
    }
    if let Some(a) = f.affiliate_id {
        q = q.filter(referral::Column::AffiliateId.eq(a));
    }
    if let Some(c) = f.campaign_id {
        q = q.filter(referral::Column::CampaignId.eq(c));
    }
    if let Some(e) = f.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        q = q.filter(referral::Column::Email.eq(e.to_lowercase()));
    }
    if let Some(from) = f.from {
        q = q.filter(referral::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(referral::Column::CreatedAt.lt(to));
    }
    if let Some(after) = page.starting_after {
        q = q.filter(referral::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(referral::Column::Id)
        .limit(page.limit + 1)
        .all(conn)
        .await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

pub struct Timeline {
    pub visits: Vec<visit::Model>,
    pub sales: Vec<sale::Model>,
    pub commissions: Vec<commission::Model>,
}

pub async fn timeline(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: ReferralId,
) -> ServiceResult<Timeline> {
    Ok(Timeline {
        visits: visit::Entity::find()
            .filter(visit::Column::StoreId.eq(store_id.0))
            .filter(visit::Column::ReferralId.eq(id))
            .order_by_asc(visit::Column::Id)
            .limit(200)
            .all(conn)
            .await?,
        sales: sale::Entity::find()
            .filter(sale::Column::StoreId.eq(store_id.0))
            .filter(sale::Column::ReferralId.eq(id))
            .order_by_asc(sale::Column::Id)
            .limit(200)
            .all(conn)
            .await?,
        commissions: commission::Entity::find()
            .filter(commission::Column::StoreId.eq(store_id.0))
            .filter(commission::Column::ReferralId.eq(id))
            .order_by_asc(commission::Column::Id)
            .limit(200)
            .all(conn)
            .await?,
    })
}

/// The affiliate of a referral, for display.
pub async fn affiliate_of(
    conn: &impl ConnectionTrait,
    r: &referral::Model,
) -> ServiceResult<Option<affiliate::Model>> {
    Ok(affiliate::Entity::find_by_id(r.affiliate_id)
        .one(conn)
        .await?)
}

/// What pages and the API read of a referral.
pub use crate::entities::referral::Model as Referral;
