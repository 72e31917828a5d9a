use sea_orm::entity::prelude::*;

use crate::domain::states::LedgerKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub affiliate_id: Uuid,
    pub commission_id: Option<Uuid>,
    pub payout_id: Option<Uuid>,
    pub kind: LedgerKind,
    /// Signed: credits are positive, debits negative.
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
