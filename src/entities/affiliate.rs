use sea_orm::entity::prelude::*;

use crate::domain::affiliate::AffiliateStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affiliates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub store_id: Uuid,
    pub campaign_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub payout_email: Option<String>,
    pub status: AffiliateStatus,
    pub is_enabled: bool,
    pub external_customer_id: Option<String>,
    /// Override of the campaign's percentage, in basis points.
    pub commission_bp: Option<i64>,
    /// Override of the campaign's customer discount, in basis points.
    pub discount_bp: Option<i64>,
    pub rejection_reason: Option<String>,
    /// Cached Σ ledger entries (minor units); maintained by the money services.
    pub balance_minor: i64,
    pub sort_name: String,
    pub search_text: String,
    pub status_changed_at: DateTimeUtc,
    pub anonymized_at: Option<DateTimeUtc>,
    /// The affiliate's notification settings (the portal's Settings page).
    pub notify_new_commission: bool,
    pub notify_payout_paid: bool,
    /// How the affiliate asks to be paid (portal Settings).
    pub payout_method: crate::domain::payout::PayoutMethod,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Argon2id PHC string; none until the affiliate sets a password.
    pub password_hash: Option<String>,
    /// The signup's address as the keyed hash visits use (fraud review).
    pub signup_ip_hash: Option<String>,
    pub signup_user_agent: Option<String>,
    /// JSON array of `{question, answer}` from the join form.
    pub signup_answers: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
