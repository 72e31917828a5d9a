//! Sales and refunds, and the commissions they make and unmake.
//!
//! A sale is idempotent on the store's payment id: posting it again returns
//! the original, never a second commission (and the unique index on
//! `(sale_id, affiliate_id)` over each commission family's first part makes
//! that hold under concurrent deliveries; a part split off by a recorded
//! payout is not a second commission).
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
mod reverse;
mod work;
mod writer;

pub use refunds::{RefundError, RefundInput, refund};
pub use writer::SalesWriter;

use super::paging::{Page, PageRequest};
use super::{
    Actor, ServiceError, ServiceResult, UseCaseError, UseCaseResult, affiliates, audit, campaigns,
    referrals,
};
use crate::db;
use crate::domain::affiliate::is_self_referral;
use crate::domain::commission::{self, Decision, History};
use crate::domain::money::parse_amount;
use crate::domain::states::{CommissionKind, CommissionStatus, ReferralSource};
use crate::domain::text::required_text;
use crate::domain::{AffiliateId, ReferralId, SaleId};
use crate::domain::{Currency, Email, StoreId, ValidationErrors};
use crate::entities::{commission as commission_entity, referral, sale, store};
use work::Work;

mod input;
pub use input::*;
mod record;
pub use record::*;
mod credit;
use credit::*;
mod manual;
pub use manual::*;
mod reattribute;
pub use reattribute::*;
mod list;
pub use list::*;
mod summary;
pub use summary::*;

/// What pages and the API read of a sale and of its commissions.
pub use crate::entities::commission::Model as Commission;
pub use crate::entities::sale::Model as Sale;

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
