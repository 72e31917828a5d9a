//! Campaigns: the commission rules affiliates join under. Exactly one
//! default per store; archived rather than deleted once referenced.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::paging::{Page, PageRequest};
use super::{Actor, ServiceError, ServiceResult, UseCaseError, UseCaseResult, audit};
use crate::db;
use crate::domain::CampaignId;
use crate::domain::campaign::{CampaignFields, CampaignRules, Commission, CommissionType};
use crate::domain::money::format_minor;
use crate::domain::percent::format_bp;
use crate::domain::{Currency, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, store};

mod figures;
pub use figures::*;
mod update;
pub use update::*;

pub fn currency_of(store: &store::Model) -> Currency {
    Currency::parse(&store.currency).unwrap_or(Currency::USD)
}

pub async fn list_all(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<Vec<campaign::Model>> {
    Ok(campaign::Entity::find()
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .order_by_desc(campaign::Column::IsDefault)
        .order_by_asc(campaign::Column::Name)
        .limit(1000)
        .all(conn)
        .await?)
}

pub async fn list_page(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    page: PageRequest,
) -> ServiceResult<Page<campaign::Model>> {
    let mut query = campaign::Entity::find()
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .order_by_desc(campaign::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = page.starting_after {
        query = query.filter(campaign::Column::Id.lt(after));
    }
    Ok(Page::from_overfetch(query.all(conn).await?, page.limit))
}

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CampaignId,
) -> ServiceResult<campaign::Model> {
    campaign::Entity::find_by_id(id)
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn default_campaign(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<Option<campaign::Model>> {
    Ok(campaign::Entity::find()
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .filter(campaign::Column::IsDefault.eq(true))
        .one(conn)
        .await?)
}

pub fn commission_of(kind: &str, value: i64) -> Commission {
    Commission {
        kind: CommissionType::parse(kind).unwrap_or(CommissionType::Percentage),
        value,
    }
}

/// A stored campaign as the text fields its form and PATCH start from.
pub fn fields_of(c: &campaign::Model, currency: Currency) -> CampaignFields {
    CampaignFields {
        name: c.name.clone(),
        website_url: c.website_url.clone(),
        is_default: c.is_default,
        visibility: c.visibility.clone(),
        approval_required: c.approval_required,
        show_customer_emails: c.show_customer_emails,
        affiliates_can_create_links: c.affiliates_can_create_links,
        commission_type: c.commission_type.clone(),
        commission_value: commission_of(&c.commission_type, c.commission_value)
            .value_text(currency),
        recurring: c.recurring.clone(),
        recurring_limit: c.recurring_limit.map(|n| n.to_string()).unwrap_or_default(),
        first_payment_type: c.first_payment_type.clone().unwrap_or_default(),
        first_payment_value: match (&c.first_payment_type, c.first_payment_value) {
            (Some(kind), Some(value)) => commission_of(kind, value).value_text(currency),
            _ => String::new(),
        },
        cookie_days: c.cookie_days.to_string(),
        attribution: c.attribution.clone(),
        discount_percent: format_bp(c.discount_bp),
        hold_days: c.hold_days.to_string(),
        minimum_payout: format_minor(c.minimum_payout_minor, currency),
    }
}

fn apply(active: &mut campaign::ActiveModel, r: &CampaignRules) {
    active.name = Set(r.name.clone());
    active.website_url = Set(r.website_url.clone());
    active.visibility = Set(if r.public { "public" } else { "invite_only" }.into());
    active.approval_required = Set(r.approval_required);
    active.show_customer_emails = Set(r.show_customer_emails);
    active.affiliates_can_create_links = Set(r.affiliates_can_create_links);
    active.commission_type = Set(r.commission.kind.as_str().into());
    active.commission_value = Set(r.commission.value);
    active.recurring = Set(r.recurring.as_str().into());
    active.recurring_limit = Set(r.recurring_limit);
    active.first_payment_type = Set(r.first_payment.map(|c| c.kind.as_str().to_owned()));
    active.first_payment_value = Set(r.first_payment.map(|c| c.value));
    active.cookie_days = Set(r.cookie_days);
    active.attribution = Set(r.attribution.as_str().into());
    active.discount_bp = Set(r.discount_bp);
    active.hold_days = Set(r.hold_days);
    active.minimum_payout_minor = Set(r.minimum_payout_minor);
    active.updated_at = Set(Utc::now());
}

fn snapshot(c: &campaign::Model, currency: Currency) -> serde_json::Value {
    let f = fields_of(c, currency);
    json!({
        "name": f.name, "website_url": f.website_url, "is_default": f.is_default, "visibility": f.visibility,
        "approval_required": f.approval_required, "show_customer_emails": f.show_customer_emails,
        "affiliates_can_create_links": f.affiliates_can_create_links, "commission_type": f.commission_type,
        "commission_value": f.commission_value, "recurring": f.recurring, "recurring_limit": f.recurring_limit,
        "first_payment_type": f.first_payment_type, "first_payment_value": f.first_payment_value,
        "cookie_days": f.cookie_days, "attribution": f.attribution, "discount_percent": f.discount_percent,
        "hold_days": f.hold_days, "minimum_payout": f.minimum_payout,
    })
}

async fn clear_other_defaults(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    keep: CampaignId,
) -> ServiceResult<()> {
    campaign::Entity::update_many()
        .col_expr(campaign::Column::IsDefault, Expr::value(false))
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .filter(campaign::Column::Id.ne(keep))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    fields: &CampaignFields,
) -> ServiceResult<campaign::Model> {
    let currency = currency_of(store);
    let rules = CampaignRules::parse(fields, currency)?;
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    // The first campaign is the default whatever was asked.
    let is_default = rules.is_default || default_campaign(&txn, store_id).await?.is_none();
    let id = Uuid::now_v7();
    if is_default {
        clear_other_defaults(&txn, store_id, CampaignId(id)).await?;
    }
    let now = Utc::now();
    let mut active = campaign::ActiveModel {
        id: Set(id),
        store_id: Set(store.id),
        is_default: Set(is_default),
        archived_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    apply(&mut active, &rules);
    let created = active.insert(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "campaign.created",
        "campaign",
        Some(id.to_string()),
        snapshot(&created, currency),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(created)
}

async fn affiliate_count(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: Uuid,
) -> ServiceResult<u64> {
    Ok(affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::CampaignId.eq(id))
        .count(conn)
        .await?)
}

/// Why a campaign was not archived.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveCampaignError {
    #[error("The default campaign cannot be archived: make another campaign the default first.")]
    IsDefault,
}

pub async fn archive(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CampaignId,
) -> UseCaseResult<campaign::Model, ArchiveCampaignError> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if current.is_default {
        return Err(UseCaseError::Refused(ArchiveCampaignError::IsDefault));
    }
    if current.archived_at.is_some() {
        return Ok(current);
    }
    let mut active: campaign::ActiveModel = current.into();
    active.archived_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    let archived = active.update(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "campaign.archived",
        "campaign",
        Some(id.to_string()),
        json!({"name": archived.name}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(archived)
}

pub async fn restore(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CampaignId,
) -> ServiceResult<campaign::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if current.archived_at.is_none() {
        return Ok(current);
    }
    let mut active: campaign::ActiveModel = current.into();
    active.archived_at = Set(None);
    active.updated_at = Set(Utc::now());
    let restored = active.update(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "campaign.restored",
        "campaign",
        Some(id.to_string()),
        json!({"name": restored.name}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(restored)
}

pub enum Removal {
    Deleted,
    Archived(campaign::Model),
}

/// Why a campaign was not deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteCampaignError {
    #[error(
        "{0} affiliate{s} belong to this campaign, so it cannot be deleted; archive it instead.",
        s = if *.0 == 1 { "" } else { "s" }
    )]
    HasAffiliates(u64),
    #[error("The default campaign cannot be deleted: make another campaign the default first.")]
    IsDefault,
}

impl From<ArchiveCampaignError> for DeleteCampaignError {
    fn from(err: ArchiveCampaignError) -> Self {
        match err {
            ArchiveCampaignError::IsDefault => DeleteCampaignError::IsDefault,
        }
    }
}

/// Deletes a campaign nothing references; with `archive_if_used`, archives
/// one that affiliates use instead (the API's DELETE), else refuses.
pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CampaignId,
    archive_if_used: bool,
) -> UseCaseResult<Removal, DeleteCampaignError> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    let used_by = affiliate_count(&txn, store_id, id.0).await?;
    if used_by > 0 {
        drop(txn);
        if archive_if_used {
            return match archive(db, store_id, actor, id).await {
                Ok(archived) => Ok(Removal::Archived(archived)),
                Err(UseCaseError::Refused(why)) => Err(UseCaseError::Refused(why.into())),
                Err(UseCaseError::Failed(e)) => Err(e.into()),
            };
        }
        return Err(UseCaseError::Refused(DeleteCampaignError::HasAffiliates(
            used_by,
        )));
    }
    if current.is_default {
        let others = campaign::Entity::find()
            .filter(campaign::Column::StoreId.eq(store_id.0))
            .count(&txn)
            .await?;
        if others > 1 {
            return Err(UseCaseError::Refused(DeleteCampaignError::IsDefault));
        }
    }
    campaign::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "campaign.deleted",
        "campaign",
        Some(id.to_string()),
        json!({"name": current.name}),
    )
    .await?;
    super::link_cache::commit(db, txn).await?;
    Ok(Removal::Deleted)
}

/// What pages and the API read of a campaign.
pub use crate::entities::campaign::Model as Campaign;

/// The campaign's commission terms for an affiliate (`override_bp`: their own
/// percentage), as the commission engine reads them.
pub fn terms_of(c: &Campaign, override_bp: Option<i64>) -> crate::domain::commission::Terms {
    use crate::domain::campaign::Recurring;
    crate::domain::commission::Terms {
        commission: commission_of(&c.commission_type, c.commission_value),
        first_payment: match (&c.first_payment_type, c.first_payment_value) {
            (Some(k), Some(v)) => Some(commission_of(k, v)),
            _ => None,
        },
        recurring: Recurring::parse(&c.recurring).unwrap_or(Recurring::Lifetime),
        recurring_limit: c.recurring_limit,
        hold_days: c.hold_days,
        override_bp,
    }
}
