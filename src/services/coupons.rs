//! Coupon codes that attribute a sale to an affiliate without a cookie.
//! Unique per store, matched case-insensitively.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::constraint::{COUPON_CODE, ResultExt};
use super::paging::{Page, PageRequest};
use super::{Actor, ServiceError, ServiceResult, affiliates, audit};
use crate::db;
use crate::domain::link_token::parse_coupon_code;
use crate::domain::text::required_text;
use crate::domain::{AffiliateId, CouponId};
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::coupon;

pub async fn get(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: CouponId,
) -> ServiceResult<coupon::Model> {
    coupon::Entity::find_by_id(id)
        .filter(coupon::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn of_affiliate(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<Vec<coupon::Model>> {
    Ok(coupon::Entity::find()
        .filter(coupon::Column::StoreId.eq(store_id.0))
        .filter(coupon::Column::AffiliateId.eq(affiliate_id))
        .order_by_asc(coupon::Column::Id)
        .limit(500)
        .all(conn)
        .await?)
}

pub async fn list_page(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: Option<AffiliateId>,
    page: PageRequest,
) -> ServiceResult<Page<coupon::Model>> {
    let mut query = coupon::Entity::find()
        .filter(coupon::Column::StoreId.eq(store_id.0))
        .order_by_desc(coupon::Column::Id)
        .limit(page.limit + 1);
    if let Some(a) = affiliate_id {
        query = query.filter(coupon::Column::AffiliateId.eq(a));
    }
    if let Some(after) = page.starting_after {
        query = query.filter(coupon::Column::Id.lt(after));
    }
    Ok(Page::from_overfetch(query.all(conn).await?, page.limit))
}

fn parse_external(input: Option<&str>) -> Result<Option<String>, String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => required_text(s, 255).map(Some),
    }
}

pub struct CouponInput {
    pub code: Option<String>,
    /// `Some("")` clears it.
    pub external_id: Option<String>,
}

/// Changes to a coupon: `None` keeps what the row holds when the write
/// transaction reads it (locked); `external_id: Some("")` clears it.
#[derive(Debug, Clone, Default)]
pub struct CouponForUpdate {
    pub code: Option<String>,
    pub external_id: Option<String>,
}

pub async fn create(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: CouponInput,
) -> ServiceResult<coupon::Model> {
    let mut errors = ValidationErrors::new();
    let code = errors.check(
        "code",
        parse_coupon_code(input.code.as_deref().unwrap_or("")),
    );
    let external = errors.check("external_id", parse_external(input.external_id.as_deref()));
    let txn = db::begin_write(db).await?;
    let owner = affiliates::get(&txn, store_id, affiliate_id).await;
    if owner.is_err() {
        errors.add("affiliate_id", "is not an affiliate of this store");
    }
    errors.into_result()?;
    let ((code, key), external) = (code.expect("checked"), external.expect("checked"));
    let created = coupon::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(affiliate_id.0),
        code: Set(code),
        code_key: Set(key),
        external_id: Set(external),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .on_constraint(&COUPON_CODE)?;
    audit::record(&txn, store_id, actor, "coupon.created", "coupon", Some(created.id.to_string()),
        json!({"affiliate_id": affiliate_id, "code": created.code, "external_id": created.external_id})).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CouponId,
    input: CouponForUpdate,
) -> ServiceResult<coupon::Model> {
    let txn = db::begin_write(db).await?;
    let current = db::for_update(
        &txn,
        coupon::Entity::find_by_id(id).filter(coupon::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound)?;
    let mut errors = ValidationErrors::new();
    let code = match input.code.as_deref() {
        Some(c) => errors.check("code", parse_coupon_code(c)),
        None => Some((current.code.clone(), current.code_key.clone())),
    };
    let external = match input.external_id.as_deref() {
        Some(e) => errors.check("external_id", parse_external(Some(e))),
        None => Some(current.external_id.clone()),
    };
    errors.into_result()?;
    let ((code, key), external) = (code.expect("checked"), external.expect("checked"));
    let before = json!({"code": current.code, "external_id": current.external_id});
    let mut active: coupon::ActiveModel = current.into();
    active.code = Set(code);
    active.code_key = Set(key);
    active.external_id = Set(external);
    let updated = active.update(&txn).await.on_constraint(&COUPON_CODE)?;
    let after = json!({"code": updated.code, "external_id": updated.external_id});
    if before != after {
        audit::record(
            &txn,
            store_id,
            actor,
            "coupon.updated",
            "coupon",
            Some(id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: CouponId,
) -> ServiceResult<()> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    coupon::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "coupon.deleted",
        "coupon",
        Some(id.to_string()),
        json!({"code": current.code}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What pages and the API read of a coupon.
pub use crate::entities::coupon::Model as Coupon;
