use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    /// The store's payment id: unique per store, the idempotency key.
    pub external_id: String,
    pub referral_id: Option<Uuid>,
    pub affiliate_id: Option<Uuid>,
    pub amount_minor: i64,
    pub tax_minor: i64,
    pub currency: String,
    pub refunded_minor: i64,
    /// How it was attributed: `referral`, `coupon`, `customer`, `email`, `manual`, `none`.
    pub attribution: String,
    pub coupon_code: Option<String>,
    pub customer_email: Option<String>,
    pub external_customer_id: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
