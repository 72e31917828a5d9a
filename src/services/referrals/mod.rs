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

use super::{Actor, ServiceError, ServiceResult, affiliates, audit, campaigns, events};
use crate::db;
use crate::domain::affiliate::is_self_referral;
use crate::domain::states::{ReferralSource, ReferralState};
use crate::domain::text::required_text;
use crate::domain::{AffiliateId, CampaignId, CouponId, ReferralId, VisitId};
use crate::domain::{Email, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, commission, link, referral, sale, visit};
use crate::services::paging::{Page, PageRequest};

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

/// What pages and the API read of a referral.
pub use crate::entities::referral::Model as Referral;

mod lead;
pub use lead::*;
mod known;
pub use known::*;
mod update;
pub use update::*;
mod list;
pub use list::*;
