use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// JSON object: what changed (before/after) or what was created.
    pub details: String,
    pub ip: Option<String>,
    /// The `Idempotency-Key` claim (`idempotency_keys.id`) of the API
    /// request that wrote the entry: a keyed request's effects, which
    /// answer its retry (`services::idempotency`). Kept after the key is
    /// purged: it still tells which entries one request wrote.
    pub idempotency_key_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
