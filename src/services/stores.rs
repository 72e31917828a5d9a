//! Stores (the tenant) and the memberships that give staff access to them.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use super::constraint::{ResultExt, STORE_SLUG};
use super::setup::{ParsedStore, parse_store_fields};
use super::{Actor, ServiceError, ServiceResult, audit};
use crate::db;
use crate::domain::{Role, StoreId, UserId, ValidationErrors};
use crate::entities::{membership, store};

pub async fn insert(conn: &impl ConnectionTrait, parsed: &ParsedStore) -> ServiceResult<StoreId> {
    let now = Utc::now();
    let id = StoreId::new_v7();
    store::ActiveModel {
        id: Set(id.0),
        name: Set(parsed.name.clone()),
        slug: Set(parsed.slug.as_str().to_owned()),
        currency: Set(parsed.currency.code().to_owned()),
        link_hosts: Set(String::new()),
        stripe_secret_sealed: Set(None),
        script_seen_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        signup_questions: Set(None),
        logo_url: Set(None),
        accent_color: Set(None),
    }
    .insert(conn)
    .await
    .on_constraint(&STORE_SLUG)?;
    Ok(id)
}

pub async fn find_by_slug(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> ServiceResult<Option<store::Model>> {
    Ok(store::Entity::find()
        .filter(store::Column::Slug.eq(slug))
        .one(conn)
        .await?)
}

/// Notes the tracking script's first visit from the store's site (the
/// setup checklist's "script installed"). Only the first call writes: the
/// update is conditional, so racing first visits keep the earliest time.
pub async fn mark_script_seen(conn: &impl ConnectionTrait, store_id: StoreId) -> ServiceResult<()> {
    store::Entity::update_many()
        .col_expr(
            store::Column::ScriptSeenAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(store::Column::Id.eq(store_id.0))
        .filter(store::Column::ScriptSeenAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn membership(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    user_id: UserId,
) -> ServiceResult<Option<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::StoreId.eq(store_id.0))
        .filter(membership::Column::UserId.eq(user_id.0))
        .one(conn)
        .await?)
}

/// A store the user may act in, with their role there.
#[derive(Debug, Clone)]
pub struct StoreAccess {
    pub store: store::Model,
    pub role: Role,
}

impl StoreAccess {
    pub fn id(&self) -> StoreId {
        StoreId(self.store.id)
    }
}

/// Every store the user belongs to, by name.
pub async fn stores_of(
    conn: &impl ConnectionTrait,
    user_id: UserId,
) -> ServiceResult<Vec<StoreAccess>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id.0))
        .find_also_related(store::Entity)
        .order_by_asc(membership::Column::CreatedAt)
        .limit(500)
        .all(conn)
        .await?;
    let mut stores: Vec<StoreAccess> = rows
        .into_iter()
        .filter_map(|(m, s)| {
            Some(StoreAccess {
                store: s?,
                role: Role::parse(&m.role).ok()?,
            })
        })
        .collect();
    stores.sort_by(|a, b| {
        a.store
            .name
            .to_lowercase()
            .cmp(&b.store.name.to_lowercase())
    });
    Ok(stores)
}

pub struct SettingsInput {
    pub name: String,
    pub slug: String,
    pub currency: String,
    /// Extra hosts link destinations may use, separated by lines, commas or spaces.
    pub link_hosts: String,
}

/// Host names only (no scheme, path or port), lower-cased, one per line.
pub fn parse_link_hosts(input: &str) -> Result<String, String> {
    let hosts: Vec<String> = input
        .split(['\n', ',', ' ', '\r', '\t'])
        .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if hosts.len() > 50 {
        return Err("may list at most 50 hosts".into());
    }
    for h in &hosts {
        let valid = h.len() <= 253
            && (h.contains('.') || h == "localhost")
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            && !h.starts_with(['.', '-']);
        if !valid {
            return Err(format!("{h:?} is not a host name like blog.example.com"));
        }
    }
    Ok(hosts.join("\n"))
}

pub async fn update_settings(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    input: SettingsInput,
) -> ServiceResult<store::Model> {
    if !access.role.can_edit_settings() {
        return Err(ServiceError::Forbidden(
            "Only an owner can change the store's settings.".into(),
        ));
    }
    let mut errors = ValidationErrors::new();
    let parsed = parse_store_fields(&mut errors, &input.name, &input.slug, &input.currency);
    // The form names the field `name`; the shared parser calls it `store_name`.
    for e in &mut errors.0 {
        if e.field == "store_name" {
            e.field = "name".into();
        }
    }
    let link_hosts = errors.check("link_hosts", parse_link_hosts(&input.link_hosts));
    errors.into_result()?;
    let parsed = parsed.expect("no errors means parsed");
    let link_hosts = link_hosts.expect("no errors means parsed");

    let txn = db::begin_write(db).await?;
    let current = store::Entity::find_by_id(access.store.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if parsed.currency.code() != current.currency
        && crate::entities::campaign::Entity::find()
            .filter(crate::entities::campaign::Column::StoreId.eq(current.id))
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(ValidationErrors::single(
            "currency",
            format!(
                "cannot change once campaigns exist: their amounts are in {}",
                current.currency
            ),
        )
        .into());
    }
    let before = json!({"name": current.name, "slug": current.slug, "currency": current.currency, "link_hosts": current.link_hosts});
    let after = json!({"name": parsed.name, "slug": parsed.slug.as_str(), "currency": parsed.currency.code(), "link_hosts": link_hosts});
    let mut active: store::ActiveModel = current.into();
    active.name = Set(parsed.name);
    active.slug = Set(parsed.slug.as_str().to_owned());
    active.currency = Set(parsed.currency.code().to_owned());
    active.link_hosts = Set(link_hosts);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await.on_constraint(&STORE_SLUG)?;
    if before != after {
        audit::record(
            &txn,
            access.id(),
            actor,
            "store.settings_changed",
            "store",
            Some(access.store.id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    super::link_cache::commit(db, txn).await?;
    Ok(updated)
}

/// What pages and the API read of a store.
pub use crate::entities::store::Model as Store;
