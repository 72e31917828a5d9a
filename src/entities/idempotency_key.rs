use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub key: String,
    /// SHA-256 of method, path and body: the same key with another body is refused.
    pub request_hash: String,
    /// `None` while the first request is still being answered.
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    /// What the first request did, written in the same transaction as its
    /// effect: the audit subject (`campaign`, `affiliate`, …), its id, and
    /// the status its answer had (201 for a create).
    pub effect_type: Option<String>,
    pub effect_id: Option<String>,
    pub effect_status: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
