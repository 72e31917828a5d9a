use sea_orm::entity::prelude::*;

use crate::domain::payout::{PayoutMethod, PayoutStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub affiliate_id: Uuid,
    /// Σ of the settled commissions (minor units).
    pub amount_minor: i64,
    pub currency: String,
    pub method: PayoutMethod,
    pub status: PayoutStatus,
    pub reference: Option<String>,
    pub comment: Option<String>,
    /// The actor's label (a user's email, an API key's name).
    pub initiated_by: String,
    pub initiated_by_user_id: Option<Uuid>,
    pub initiated_ip: Option<String>,
    pub paid_at: Option<DateTimeUtc>,
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<String>,
    pub voided_by_user_id: Option<Uuid>,
    pub void_reason: Option<String>,
    /// For store credit: the store's customer the credit is granted to.
    pub external_customer_id: Option<String>,
    pub period_start: Option<DateTimeUtc>,
    pub period_end: Option<DateTimeUtc>,
    pub commission_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
