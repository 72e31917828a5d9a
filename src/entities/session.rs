use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// SHA-256 (hex) of the key in the cookie; the key itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Copied out of the state so every session of a user can be revoked.
    pub user_id: Option<Uuid>,
    /// Likewise for an affiliate signed in to the portal.
    pub affiliate_id: Option<Uuid>,
    pub state: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
