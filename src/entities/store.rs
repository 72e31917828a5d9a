use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub currency: String,
    /// Extra hosts link destinations may point at, one per line.
    pub link_hosts: String,
    /// The Stripe webhook signing secret, sealed (encrypted) with a key
    /// derived from the server secret.
    pub stripe_secret_sealed: Option<String>,
    /// When the tracking script first reported a visit from the store's
    /// site (the setup checklist's "script installed").
    pub script_seen_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// JSON array of the join form's extra questions (texts).
    pub signup_questions: Option<String>,
    /// The portal's logo (https only).
    pub logo_url: Option<String>,
    /// The portal's accent colour, `#rrggbb`.
    pub accent_color: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
