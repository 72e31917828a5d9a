use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub name: String,
    pub website_url: String,
    pub is_default: bool,
    pub visibility: String,
    pub approval_required: bool,
    /// Affiliates may make their own tracking links in the portal.
    pub affiliates_can_create_links: bool,
    /// Whether the portal shows referred customers' emails in full.
    pub show_customer_emails: bool,
    pub commission_type: String,
    /// Basis points for `percentage`, minor units for `fixed`.
    pub commission_value: i64,
    pub recurring: String,
    pub recurring_limit: Option<i32>,
    pub first_payment_type: Option<String>,
    pub first_payment_value: Option<i64>,
    pub cookie_days: i32,
    pub attribution: String,
    pub discount_bp: i64,
    pub hold_days: i32,
    pub minimum_payout_minor: i64,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
