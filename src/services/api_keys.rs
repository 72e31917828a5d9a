//! API keys: `tb_` + 256 random bits, shown once at creation. The database
//! keeps only the SHA-256 of the key (a fast hash is right here: the key is
//! random, not a password) and a short visible prefix.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;

use super::stores::StoreAccess;
use super::{Actor, ServiceError, ServiceResult, audit, crypto};
use crate::db;
use crate::domain::{ApiKeyId, StoreId, ValidationErrors, text};
use crate::entities::{api_key, store};

pub const KEY_PREFIX: &str = "tb_";
const VISIBLE_CHARS: usize = 10;

pub struct CreatedKey {
    pub key: api_key::Model,
    /// The whole key, to show once and never again.
    pub secret: String,
}

pub async fn create(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    name: &str,
) -> ServiceResult<CreatedKey> {
    let name = text::required_text(name, 100).map_err(|m| ValidationErrors::single("name", m))?;
    let secret = format!("{KEY_PREFIX}{}", crypto::random_token(32));
    let model = api_key::ActiveModel {
        id: Set(ApiKeyId::new_v7().0),
        store_id: Set(store_id.0),
        name: Set(name.clone()),
        prefix: Set(secret.chars().take(VISIBLE_CHARS).collect()),
        secret_hash: Set(crypto::sha256_hex(secret.as_bytes())),
        scopes: Set("all".into()),
        created_by_user_id: Set(actor.id.filter(|_| actor.kind == super::ActorKind::User)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    let txn = db::begin_write(db).await?;
    let key = model.insert(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "api_key.created",
        "api_key",
        Some(key.id.to_string()),
        json!({"name": name, "prefix": key.prefix}),
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedKey { key, secret })
}

pub async fn list(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::StoreId.eq(store_id.0))
        .order_by_desc(api_key::Column::CreatedAt)
        .limit(500)
        .all(conn)
        .await?)
}

pub async fn revoke(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    key_id: ApiKeyId,
) -> ServiceResult<api_key::Model> {
    let txn = db::begin_write(db).await?;
    let key = api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::StoreId.eq(access.store.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active: api_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(Utc::now()));
    let key = active.update(&txn).await?;
    audit::record(
        &txn,
        access.id(),
        actor,
        "api_key.revoked",
        "api_key",
        Some(key.id.to_string()),
        json!({"name": key.name, "prefix": key.prefix}),
    )
    .await?;
    txn.commit().await?;
    Ok(key)
}

/// The store and key behind a bearer token, or `None` (unknown or revoked).
/// Looked up on every request, so revocation takes effect at once.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    presented: &str,
) -> ServiceResult<Option<(store::Model, api_key::Model)>> {
    if !presented.starts_with(KEY_PREFIX) || presented.len() > 200 {
        return Ok(None);
    }
    let hash = crypto::sha256_hex(presented.as_bytes());
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::SecretHash.eq(hash))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(store) = store::Entity::find_by_id(key.store_id).one(conn).await? else {
        return Ok(None);
    };
    // "Last used" to the minute is enough; writing on every call would make
    // every API read a write.
    let now = Utc::now();
    if key
        .last_used_at
        .is_none_or(|t| t < now - Duration::seconds(60))
    {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(conn)
            .await?;
    }
    Ok(Some((store, key)))
}

/// `tributary api-key create --store SLUG --name NAME`.
pub async fn create_from_cli(
    db: &DatabaseConnection,
    slug: &str,
    name: &str,
) -> ServiceResult<CreatedKey> {
    let store = super::stores::find_by_slug(db, slug)
        .await?
        .ok_or_else(|| {
            ValidationErrors::single("store", format!("no store has the slug {slug:?}"))
        })?;
    create(db, StoreId(store.id), &Actor::cli(), name).await
}

/// What pages and the API read of a key (never its secret: only the hash is stored).
pub use crate::entities::api_key::Model as ApiKey;
