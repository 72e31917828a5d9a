use sea_orm::entity::prelude::*;

/// One commission a payout settles; `released_at` is set when the payout
/// is voided (the commission is free to be paid again).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payout_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub payout_id: Uuid,
    pub commission_id: Uuid,
    pub amount_minor: i64,
    pub released_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
