//! Affiliates: profile, campaign, status moves (with history), search and
//! keyset-paged lists that stay fast at 100k rows, deletion and erasure.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, ServiceError, ServiceResult, audit, campaigns, crypto, links};
use crate::db;
use crate::domain::affiliate::{
    AffiliateFields, AffiliateProfile, AffiliateStatus, Identity, StatusAction,
};
use crate::domain::percent::format_bp;
use crate::domain::{AffiliateId, CampaignId};
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{affiliate, affiliate_status_change, coupon, link, store};

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<affiliate::Model> {
    affiliate::Entity::find_by_id(id)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub fn fields_of(a: &affiliate::Model) -> AffiliateFields {
    AffiliateFields {
        email: a.email.clone(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        payout_email: a.payout_email.clone().unwrap_or_default(),
        is_enabled: a.is_enabled,
        external_customer_id: a.external_customer_id.clone().unwrap_or_default(),
        commission_percent: a.commission_bp.map(format_bp).unwrap_or_default(),
        discount_percent: a.discount_bp.map(format_bp).unwrap_or_default(),
    }
}

fn snapshot(a: &affiliate::Model) -> serde_json::Value {
    let f = fields_of(a);
    json!({
        "email": f.email, "first_name": f.first_name, "last_name": f.last_name, "payout_email": f.payout_email,
        "is_enabled": f.is_enabled, "external_customer_id": f.external_customer_id,
        "commission_percent": f.commission_percent, "discount_percent": f.discount_percent,
        "campaign_id": a.campaign_id,
    })
}

fn email_taken() -> ServiceError {
    ValidationErrors::single(
        "email",
        "is already used by another affiliate of this store",
    )
    .into()
}

async fn email_in_use(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    email: &str,
    except: Option<AffiliateId>,
) -> ServiceResult<bool> {
    let mut q = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Email.eq(email));
    if let Some(id) = except {
        q = q.filter(affiliate::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// The campaign an affiliate joins: the one named, or the store's default.
async fn resolve_campaign(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    campaign_id: Option<Uuid>,
) -> ServiceResult<crate::entities::campaign::Model> {
    match campaign_id {
        Some(id) => {
            let c = campaigns::get(conn, store_id, CampaignId(id))
                .await
                .map_err(|_| {
                    ServiceError::from(ValidationErrors::single(
                        "campaign_id",
                        "is not a campaign of this store",
                    ))
                })?;
            if c.archived_at.is_some() {
                return Err(ValidationErrors::single(
                    "campaign_id",
                    "is archived; restore it or pick another campaign",
                )
                .into());
            }
            Ok(c)
        }
        None => campaigns::default_campaign(conn, store_id)
            .await?
            .ok_or_else(|| {
                ValidationErrors::single(
                    "campaign_id",
                    "is required: this store has no campaign yet",
                )
                .into()
            }),
    }
}

async fn record_status(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: Uuid,
    from: Option<AffiliateStatus>,
    to: AffiliateStatus,
    reason: Option<String>,
    actor: &Actor,
) -> ServiceResult<()> {
    affiliate_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(affiliate_id),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        reason: Set(reason),
        actor_label: Set(actor.label.chars().take(254).collect()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub struct NewAffiliate {
    pub fields: AffiliateFields,
    pub campaign_id: Option<CampaignId>,
    /// `pending` or `approved`; `None` follows the campaign's approval rule.
    pub status: Option<String>,
    /// A token for the default link; `None` makes one from the name.
    pub link_token: Option<String>,
}

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: NewAffiliate,
) -> ServiceResult<affiliate::Model> {
    let store_id = StoreId(store.id);
    let mut errors = ValidationErrors::new();
    let profile = match AffiliateProfile::parse(&input.fields) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let status = match input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match AffiliateStatus::parse(s) {
            Ok(st @ (AffiliateStatus::Pending | AffiliateStatus::Approved)) => Some(st),
            _ => {
                errors.add("status", "must be pending or approved for a new affiliate");
                None
            }
        },
    };
    let token = match input
        .link_token
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(t) => errors.check("link_token", crate::domain::link_token::parse_link_token(t)),
    };
    errors.into_result()?;
    let profile = profile.expect("no errors");

    let txn = db::begin_write(db).await?;
    let campaign = resolve_campaign(&txn, store_id, input.campaign_id.map(|i| i.0)).await?;
    if email_in_use(&txn, store_id, profile.email.as_str(), None).await? {
        return Err(email_taken());
    }
    let status = status.unwrap_or(if campaign.approval_required {
        AffiliateStatus::Pending
    } else {
        AffiliateStatus::Approved
    });
    let now = Utc::now();
    let id = Uuid::now_v7();
    let created = affiliate::ActiveModel {
        id: Set(id),
        store_id: Set(store.id),
        campaign_id: Set(campaign.id),
        email: Set(profile.email.as_str().to_owned()),
        first_name: Set(profile.first_name.clone()),
        last_name: Set(profile.last_name.clone()),
        payout_email: Set(profile.payout_email.as_ref().map(|e| e.as_str().to_owned())),
        status: Set(status),
        is_enabled: Set(profile.is_enabled),
        external_customer_id: Set(profile.external_customer_id.clone()),
        commission_bp: Set(profile.commission_bp),
        discount_bp: Set(profile.discount_bp),
        rejection_reason: Set(None),
        balance_minor: Set(0),
        sort_name: Set(profile.sort_name()),
        search_text: Set(profile.search_text()),
        status_changed_at: Set(now),
        anonymized_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    record_status(&txn, store_id, id, None, status, None, actor).await?;
    let default_link = links::insert_default(&txn, store_id, &created, token).await?;
    audit::record(&txn, store_id, actor, "affiliate.created", "affiliate", Some(id.to_string()),
        json!({"profile": snapshot(&created), "status": status.as_str(), "link_token": default_link.token})).await?;
    super::link_cache::commit(db, txn).await?;
    Ok(created)
}

pub struct AffiliateUpdate {
    pub fields: AffiliateFields,
    pub campaign_id: Option<CampaignId>,
}

pub async fn update(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    input: AffiliateUpdate,
) -> ServiceResult<affiliate::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if current.anonymized_at.is_some() {
        return Err(ServiceError::Conflict(
            "This affiliate's personal data was erased; the record can no longer be edited.".into(),
        ));
    }
    let profile = AffiliateProfile::parse(&input.fields)?;
    let campaign_id = match input.campaign_id {
        Some(cid) if cid != CampaignId(current.campaign_id) => {
            resolve_campaign(&txn, store_id, Some(cid.0)).await?.id
        }
        _ => current.campaign_id,
    };
    if email_in_use(&txn, store_id, profile.email.as_str(), Some(id)).await? {
        return Err(email_taken());
    }
    let before = snapshot(&current);
    let mut active: affiliate::ActiveModel = current.into();
    active.campaign_id = Set(campaign_id);
    active.email = Set(profile.email.as_str().to_owned());
    active.first_name = Set(profile.first_name.clone());
    active.last_name = Set(profile.last_name.clone());
    active.payout_email = Set(profile.payout_email.as_ref().map(|e| e.as_str().to_owned()));
    active.is_enabled = Set(profile.is_enabled);
    active.external_customer_id = Set(profile.external_customer_id.clone());
    active.commission_bp = Set(profile.commission_bp);
    active.discount_bp = Set(profile.discount_bp);
    active.sort_name = Set(profile.sort_name());
    active.search_text = Set(profile.search_text());
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await.map_err(|e| {
        if db::is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    let after = snapshot(&updated);
    if before != after {
        let action = if before["campaign_id"] != after["campaign_id"] {
            "affiliate.campaign_changed"
        } else {
            "affiliate.updated"
        };
        audit::record(
            &txn,
            store_id,
            actor,
            action,
            "affiliate",
            Some(id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    super::link_cache::commit(db, txn).await?;
    Ok(updated)
}

async fn change_status_in(
    txn: &impl ConnectionTrait,
    store_id: StoreId,
    actor: &Actor,
    current: affiliate::Model,
    action: StatusAction,
    reason: Option<String>,
) -> ServiceResult<affiliate::Model> {
    let from = current.status;
    let to = action.apply(from).map_err(ServiceError::Conflict)?;
    let id = current.id;
    let mut active: affiliate::ActiveModel = current.into();
    active.status = Set(to);
    active.rejection_reason = Set(if to == AffiliateStatus::Rejected {
        reason.clone()
    } else {
        None
    });
    active.status_changed_at = Set(Utc::now());
    active.updated_at = Set(Utc::now());
    let updated = active.update(txn).await?;
    record_status(txn, store_id, id, Some(from), to, reason.clone(), actor).await?;
    audit::record(
        txn,
        store_id,
        actor,
        &format!("affiliate.{}", to.as_str()),
        "affiliate",
        Some(id.to_string()),
        json!({"from": from.as_str(), "to": to.as_str(), "reason": reason, "email": updated.email}),
    )
    .await?;
    Ok(updated)
}

fn clean_reason(reason: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) if r.chars().count() > 1000 => Err(ValidationErrors::single(
            "reason",
            "must be at most 1000 characters",
        )),
        Some(r) => Ok(Some(r.to_owned())),
    }
}

pub async fn change_status(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    action: StatusAction,
    reason: Option<&str>,
) -> ServiceResult<affiliate::Model> {
    let reason = clean_reason(reason)?;
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    let updated = change_status_in(&txn, store_id, actor, current, action, reason).await?;
    super::link_cache::commit(db, txn).await?;
    Ok(updated)
}

pub struct BulkOutcome {
    pub changed: Vec<affiliate::Model>,
    /// Ids that exist but could not make the move (already approved, …).
    pub skipped: usize,
}

/// Applies one action to many affiliates in one transaction; ids of other
/// stores or that do not exist are ignored, moves that do not apply skipped.
pub async fn bulk_change_status(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    ids: &[AffiliateId],
    action: StatusAction,
) -> ServiceResult<BulkOutcome> {
    if ids.is_empty() {
        return Err(ValidationErrors::single("ids", "select at least one affiliate").into());
    }
    if ids.len() > 500 {
        return Err(ValidationErrors::single("ids", "at most 500 at a time").into());
    }
    let txn = db::begin_write(db).await?;
    let rows = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Id.is_in(ids.to_vec()))
        .all(&txn)
        .await?;
    let mut changed = Vec::new();
    let mut skipped = 0;
    for row in rows {
        if action.apply(row.status).is_err() {
            skipped += 1;
            continue;
        }
        changed.push(change_status_in(&txn, store_id, actor, row, action, None).await?);
    }
    super::link_cache::commit(db, txn).await?;
    Ok(BulkOutcome { changed, skipped })
}

/// Whether the affiliate has any money record (a sale attributed to them,
/// a commission, a ledger entry): such an affiliate is never deleted, only
/// anonymised, so the books keep adding up.
pub async fn has_money_history(
    conn: &impl ConnectionTrait,
    a: &affiliate::Model,
) -> ServiceResult<bool> {
    use crate::entities::{commission, ledger_entry, sale};
    if a.balance_minor != 0 {
        return Ok(true);
    }
    let commission = commission::Entity::find()
        .filter(commission::Column::StoreId.eq(a.store_id))
        .filter(commission::Column::AffiliateId.eq(a.id))
        .one(conn)
        .await?;
    let sale = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(a.store_id))
        .filter(sale::Column::AffiliateId.eq(a.id))
        .one(conn)
        .await?;
    let entry = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::AffiliateId.eq(a.id))
        .one(conn)
        .await?;
    Ok(commission.is_some() || sale.is_some() || entry.is_some())
}

pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
) -> ServiceResult<()> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if has_money_history(&txn, &current).await? {
        return Err(ServiceError::Conflict("This affiliate has money history, so the record is kept; erase their personal data instead.".into()));
    }
    affiliate::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "affiliate.deleted",
        "affiliate",
        Some(id.to_string()),
        json!({"email": current.email}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(())
}

/// Erases the person (name, emails, external id; link tokens made from the
/// name become random) while the record and its money history stay.
pub async fn anonymize(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
) -> ServiceResult<affiliate::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if current.anonymized_at.is_some() {
        return Ok(current);
    }
    let mut active: affiliate::ActiveModel = current.into();
    active.email = Set(format!("erased-{}@invalid", id.0.simple()));
    active.first_name = Set("Erased".into());
    active.last_name = Set("affiliate".into());
    active.payout_email = Set(None);
    active.external_customer_id = Set(None);
    active.is_enabled = Set(false);
    active.sort_name = Set("~erased".into());
    active.search_text = Set(String::new());
    active.anonymized_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    let erased = active.update(&txn).await?;
    for l in link::Entity::find()
        .filter(link::Column::AffiliateId.eq(id))
        .all(&txn)
        .await?
    {
        let mut active: link::ActiveModel = l.into();
        active.token = Set(format!(
            "x{}",
            crypto::random_token(9)
                .to_ascii_lowercase()
                .replace('-', "_")
        ));
        active.update(&txn).await?;
    }
    affiliate_status_change::Entity::update_many()
        .col_expr(
            affiliate_status_change::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .filter(affiliate_status_change::Column::AffiliateId.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "affiliate.anonymized",
        "affiliate",
        Some(id.to_string()),
        json!({}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(erased)
}

pub async fn status_history(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<Vec<affiliate_status_change::Model>> {
    Ok(affiliate_status_change::Entity::find()
        .filter(affiliate_status_change::Column::StoreId.eq(store_id.0))
        .filter(affiliate_status_change::Column::AffiliateId.eq(id))
        .order_by_desc(affiliate_status_change::Column::Id)
        .limit(200)
        .all(conn)
        .await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Name,
    Email,
}

impl Sort {
    pub fn parse(s: &str) -> Self {
        match s {
            "oldest" => Sort::Oldest,
            "name" => Sort::Name,
            "email" => Sort::Email,
            _ => Sort::Newest,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Name => "name",
            Sort::Email => "email",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub status: Option<AffiliateStatus>,
    pub campaign_id: Option<CampaignId>,
    pub email: Option<String>,
    /// Free text: name or email contains it, or a link token / coupon code is it.
    pub search: Option<String>,
    pub sort: Sort,
    /// The last affiliate of the previous page.
    pub after: Option<Uuid>,
    pub limit: u64,
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    q: &ListQuery,
) -> ServiceResult<super::paging::Page<affiliate::Model>> {
    let mut query = affiliate::Entity::find().filter(affiliate::Column::StoreId.eq(store_id.0));
    if let Some(status) = q.status {
        query = query.filter(affiliate::Column::Status.eq(status));
    }
    if let Some(campaign_id) = q.campaign_id {
        query = query.filter(affiliate::Column::CampaignId.eq(campaign_id));
    }
    if let Some(email) = q.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        query = query.filter(affiliate::Column::Email.eq(email.to_lowercase()));
    }
    if let Some(text) = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let lower = text.to_lowercase();
        let pattern = format!("%{}%", escape_like(&lower));
        let token_owners = Query::select()
            .column(link::Column::AffiliateId)
            .from(link::Entity)
            .and_where(link::Column::StoreId.eq(store_id.0))
            .and_where(link::Column::Token.eq(lower.clone()))
            .to_owned();
        let code_owners = Query::select()
            .column(coupon::Column::AffiliateId)
            .from(coupon::Entity)
            .and_where(coupon::Column::StoreId.eq(store_id.0))
            .and_where(coupon::Column::CodeKey.eq(text.to_ascii_uppercase()))
            .to_owned();
        query = query.filter(
            Condition::any()
                .add(affiliate::Column::SearchText.like(LikeExpr::new(pattern).escape('\\')))
                .add(affiliate::Column::Id.in_subquery(token_owners))
                .add(affiliate::Column::Id.in_subquery(code_owners)),
        );
    }
    if let Some(after_id) = q.after {
        let after = get(conn, store_id, AffiliateId(after_id)).await?;
        query = query.filter(match q.sort {
            Sort::Newest => Condition::all().add(affiliate::Column::Id.lt(after.id)),
            Sort::Oldest => Condition::all().add(affiliate::Column::Id.gt(after.id)),
            Sort::Email => Condition::all().add(affiliate::Column::Email.gt(after.email)),
            Sort::Name => Condition::any()
                .add(affiliate::Column::SortName.gt(after.sort_name.clone()))
                .add(
                    Condition::all()
                        .add(affiliate::Column::SortName.eq(after.sort_name))
                        .add(affiliate::Column::Id.gt(after.id)),
                ),
        });
    }
    query = match q.sort {
        Sort::Newest => query.order_by_desc(affiliate::Column::Id),
        Sort::Oldest => query.order_by_asc(affiliate::Column::Id),
        Sort::Email => query.order_by_asc(affiliate::Column::Email),
        Sort::Name => query
            .order_by_asc(affiliate::Column::SortName)
            .order_by_asc(affiliate::Column::Id),
    };
    let rows = query.limit(q.limit + 1).all(conn).await?;
    Ok(super::paging::Page::from_overfetch(rows, q.limit))
}

/// How many affiliates each status tab holds.
pub async fn counts_by_status(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<HashMap<AffiliateStatus, i64>> {
    let rows: Vec<(AffiliateStatus, i64)> = affiliate::Entity::find()
        .select_only()
        .column(affiliate::Column::Status)
        .column_as(Expr::col(affiliate::Column::Id).count(), "n")
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .group_by(affiliate::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Visitors, leads and conversions of each affiliate (Σ of their links).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
}

pub async fn counters(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, Counters>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64, i64, i64)> = link::Entity::find()
        .select_only()
        .column(link::Column::AffiliateId)
        .column_as(Expr::cust("CAST(SUM(visitors) AS BIGINT)"), "v")
        .column_as(Expr::cust("CAST(SUM(leads) AS BIGINT)"), "l")
        .column_as(Expr::cust("CAST(SUM(conversions) AS BIGINT)"), "c")
        .filter(link::Column::StoreId.eq(store_id.0))
        .filter(link::Column::AffiliateId.is_in(ids.to_vec()))
        .group_by(link::Column::AffiliateId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, v, l, c)| {
            (
                id,
                Counters {
                    visitors: v,
                    leads: l,
                    conversions: c,
                },
            )
        })
        .collect())
}

/// Who the affiliate is, for recognising them as their own customer.
pub fn identity(a: &affiliate::Model) -> Identity<'_> {
    Identity {
        email: &a.email,
        payout_email: a.payout_email.as_deref(),
        external_customer_id: a.external_customer_id.as_deref(),
    }
}

/// Why the affiliate earns nothing new (clicks and sales), if they do not.
pub fn not_earning(a: &affiliate::Model) -> Option<&'static str> {
    crate::domain::affiliate::not_earning(a.status, a.is_enabled, a.anonymized_at.is_some())
}
