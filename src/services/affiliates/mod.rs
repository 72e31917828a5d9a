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

use super::constraint::{AFFILIATE_EMAIL, ResultExt};
use super::{
    Actor, ServiceError, ServiceResult, UseCaseError, UseCaseResult, audit, campaigns, crypto,
    links,
};
use crate::db;
use crate::domain::affiliate::{
    AffiliateFields, AffiliateProfile, AffiliateStatus, Identity, StatusAction,
};
use crate::domain::percent::format_bp;
use crate::domain::{AffiliateId, CampaignId};
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{affiliate, affiliate_status_change, coupon, link, store};

mod create;
pub use create::*;
mod update;
pub use update::*;
mod status;
pub use status::*;
mod delete;
pub use delete::*;
mod list;
pub use list::*;
mod money;
pub use money::*;
mod names;
pub use names::*;

/// What pages and the API read of an affiliate and of its status history.
pub use crate::entities::affiliate::Model as Affiliate;
pub use crate::entities::affiliate_status_change::Model as StatusChange;

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
