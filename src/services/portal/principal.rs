//! What a portal request knows about its store and affiliate, loaded fresh
//! on every request so a status change or deletion counts at once.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::affiliate::AffiliateStatus;
use crate::domain::portal::Standing;
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{affiliate, store};
use crate::services::ServiceResult;

/// The store as the portal shows it.
#[derive(Debug, Clone)]
pub struct PortalStore {
    pub id: StoreId,
    pub name: String,
    pub slug: String,
    pub currency: String,
    pub logo_url: Option<String>,
    pub accent_color: Option<String>,
    /// The join form's extra questions.
    pub questions: Vec<String>,
    /// The hosts besides campaign sites links may lead to (Settings), for
    /// the link builder.
    pub link_hosts: String,
    /// Changes whenever the look does (cache-busts the theme CSS).
    pub version: i64,
}

impl PortalStore {
    pub fn of(s: &store::Model) -> Self {
        Self {
            id: StoreId(s.id),
            name: s.name.clone(),
            slug: s.slug.clone(),
            currency: s.currency.clone(),
            logo_url: s.logo_url.clone(),
            accent_color: s.accent_color.clone(),
            questions: s
                .signup_questions
                .as_deref()
                .and_then(|q| serde_json::from_str(q).ok())
                .unwrap_or_default(),
            link_hosts: s.link_hosts.clone(),
            version: s.updated_at.timestamp(),
        }
    }
}

pub async fn store_by_slug(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> ServiceResult<Option<PortalStore>> {
    Ok(crate::services::stores::find_by_slug(conn, slug)
        .await?
        .map(|s| PortalStore::of(&s)))
}

/// The affiliate as the portal's principal carries it.
#[derive(Debug, Clone)]
pub struct PortalAffiliate {
    pub id: AffiliateId,
    pub store_id: StoreId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: AffiliateStatus,
    pub standing: Standing,
    pub has_password: bool,
}

impl PortalAffiliate {
    pub fn of(a: &affiliate::Model) -> Self {
        Self {
            id: AffiliateId(a.id),
            store_id: StoreId(a.store_id),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            email: a.email.clone(),
            status: a.status,
            standing: Standing::of(a.status, a.is_enabled, a.anonymized_at.is_some()),
            has_password: a.password_hash.is_some(),
        }
    }

    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}

/// The affiliate `id` of `store_id`, if it still exists there.
pub async fn affiliate_in_store(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<Option<PortalAffiliate>> {
    Ok(affiliate::Entity::find_by_id(id.0)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .map(|a| PortalAffiliate::of(&a)))
}
