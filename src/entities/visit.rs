use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub link_id: Uuid,
    pub referral_id: Uuid,
    pub landing_url: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
    /// HMAC of the address with a server secret: counts repeats, names no one.
    pub ip_hash: Option<String>,
    pub created_at: DateTimeUtc,
    /// When a page on the store's site took this click's `tb_ref` (named by
    /// `tb_click`): the first browser claims it (`web::track::track_visit`).
    pub adopted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
