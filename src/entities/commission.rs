use sea_orm::entity::prelude::*;

use crate::domain::commission_void::VoidReason;
use crate::domain::states::{CommissionKind, CommissionStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub affiliate_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    pub sale_id: Option<Uuid>,
    pub kind: CommissionKind,
    pub sale_amount_minor: i64,
    pub amount_minor: i64,
    /// The amount before any refund (refunds are computed from it).
    pub original_amount_minor: i64,
    pub currency: String,
    pub status: CommissionStatus,
    pub due_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub payout_id: Option<Uuid>,
    /// For a clawback: the paid commission it takes back.
    pub clawback_of: Option<Uuid>,
    /// For a part split off by a recorded payout: the family's first
    /// commission (same sale, referral, affiliate and campaign).
    pub split_of: Option<Uuid>,
    pub remarks: Option<String>,
    /// What the store kept on a manual commission (ReferralStack's adminEarnedAmount).
    pub admin_earned_minor: Option<i64>,
    /// The payment a manual commission was recorded for; unique per store.
    pub external_payment_id: Option<String>,
    pub void_reason: Option<VoidReason>,
    pub void_note: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
