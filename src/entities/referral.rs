use sea_orm::entity::prelude::*;

use crate::domain::states::{ReferralSource, ReferralState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub affiliate_id: Uuid,
    pub campaign_id: Uuid,
    pub link_id: Option<Uuid>,
    pub coupon_id: Option<Uuid>,
    /// The browser's first-party visitor id (cookie), when it came by a click.
    pub visitor_id: Option<Uuid>,
    pub state: ReferralState,
    pub email: Option<String>,
    /// The store's (or Stripe's `cus_…`) customer id.
    pub external_customer_id: Option<String>,
    /// The affiliate referred their own email: recorded, never credited.
    pub self_referral: bool,
    pub ip_hash: Option<String>,
    pub user_agent: Option<String>,
    pub source: ReferralSource,
    pub sale_count: i32,
    pub first_sale_at: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
    pub lead_at: Option<DateTimeUtc>,
    pub converted_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
