//! The store's team: staff members and their roles. Only owners change it
//! (people join by invitation, `invitations`), anyone may leave it, and a
//! store always keeps at least one owner.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::stores::StoreAccess;
use super::{Actor, ServiceError, ServiceResult, UseCaseError, UseCaseResult, audit};
use crate::db;
use crate::domain::MembershipId;
use crate::domain::{Role, StoreId, UserId, ValidationErrors};
use crate::entities::{membership, store, user};

#[derive(Debug, Clone)]
pub struct Member {
    pub membership_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub joined_at: chrono::DateTime<Utc>,
}

pub async fn list(conn: &impl ConnectionTrait, store_id: StoreId) -> ServiceResult<Vec<Member>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::StoreId.eq(store_id.0))
        .find_also_related(user::Entity)
        .order_by_asc(membership::Column::CreatedAt)
        .limit(1000)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| {
            let u = u?;
            Some(Member {
                membership_id: m.id,
                user_id: u.id,
                email: u.email,
                role: Role::parse(&m.role).ok()?,
                joined_at: m.created_at,
            })
        })
        .collect())
}

pub(super) fn require_owner(access: &StoreAccess) -> ServiceResult<()> {
    if access.role.can_manage_team() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "Only an owner can change the team.".into(),
        ))
    }
}

/// Serialises team changes of one store: `FOR UPDATE` on PostgreSQL; on
/// SQLite the write transaction already holds the database's write lock.
pub(super) async fn lock_store(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<()> {
    let mut query = store::Entity::find_by_id(store_id.0);
    if !db::is_sqlite(conn) {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.ok_or(ServiceError::NotFound)?;
    Ok(())
}

async fn owner_count(conn: &impl ConnectionTrait, store_id: StoreId) -> ServiceResult<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::StoreId.eq(store_id.0))
        .filter(membership::Column::Role.eq(Role::Owner.as_str()))
        .count(conn)
        .await?)
}

async fn find_member(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    membership_id: Uuid,
) -> ServiceResult<(membership::Model, user::Model)> {
    let (m, u) = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::StoreId.eq(store_id.0))
        .find_also_related(user::Entity)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((m, u.ok_or(ServiceError::NotFound)?))
}

/// Why a role was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeRoleError {
    #[error("The last owner cannot be demoted: make someone else an owner first.")]
    LastOwner,
}

pub async fn change_role(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    membership_id: MembershipId,
    role: &str,
) -> UseCaseResult<Member, ChangeRoleError> {
    let txn = db::begin_write(db).await?;
    // Lock first, then read: the owner count and this member's role must be
    // the ones the change is made against. A store's ids are looked up before
    // the permission check, so another store's id is a 404 for everyone.
    lock_store(&txn, access.id()).await?;
    let (m, u) = find_member(&txn, access.id(), membership_id.0).await?;
    require_owner(access)?;
    let role = Role::parse(role).map_err(|msg| ValidationErrors::single("role", msg))?;
    let before = Role::parse(&m.role).unwrap_or(Role::Admin);
    if before == Role::Owner && role != Role::Owner && owner_count(&txn, access.id()).await? <= 1 {
        return Err(UseCaseError::Refused(ChangeRoleError::LastOwner));
    }
    let joined_at = m.created_at;
    let mut active: membership::ActiveModel = m.into();
    active.role = Set(role.as_str().to_owned());
    active.update(&txn).await?;
    if before != role {
        audit::record(
            &txn,
            access.id(),
            actor,
            "member.role_changed",
            "membership",
            Some(membership_id.to_string()),
            json!({"email": u.email, "before": before.as_str(), "after": role.as_str()}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Member {
        membership_id: membership_id.0,
        user_id: u.id,
        email: u.email,
        role,
        joined_at,
    })
}

/// Why a member was not removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveMemberError {
    #[error("The last owner cannot be removed: make someone else an owner first.")]
    LastOwner,
}

pub async fn remove(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    membership_id: MembershipId,
) -> UseCaseResult<String, RemoveMemberError> {
    let txn = db::begin_write(db).await?;
    lock_store(&txn, access.id()).await?;
    let (m, u) = find_member(&txn, access.id(), membership_id.0).await?;
    require_owner(access)?;
    if m.role == Role::Owner.as_str() && owner_count(&txn, access.id()).await? <= 1 {
        return Err(UseCaseError::Refused(RemoveMemberError::LastOwner));
    }
    membership::Entity::delete_by_id(m.id).exec(&txn).await?;
    audit::record(
        &txn,
        access.id(),
        actor,
        "member.removed",
        "membership",
        Some(membership_id.to_string()),
        json!({"email": u.email, "role": m.role}),
    )
    .await?;
    txn.commit().await?;
    Ok(u.email)
}

/// Why a member could not leave.
#[derive(Debug, thiserror::Error)]
pub enum LeaveError {
    #[error("You are the last owner of {store}: make someone else an owner first, then leave.")]
    LastOwner { store: String },
}

/// The signed-in member leaves the store they are in. The last owner
/// cannot: the store would have nobody to manage it.
pub async fn leave(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    user_id: UserId,
) -> UseCaseResult<(), LeaveError> {
    let txn = db::begin_write(db).await?;
    lock_store(&txn, access.id()).await?;
    let m = super::stores::membership(&txn, access.id(), user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if m.role == Role::Owner.as_str() && owner_count(&txn, access.id()).await? <= 1 {
        return Err(UseCaseError::Refused(LeaveError::LastOwner {
            store: access.store.name.clone(),
        }));
    }
    membership::Entity::delete_by_id(m.id).exec(&txn).await?;
    // The next sign-in must not aim at a store they left.
    user::Entity::update_many()
        .col_expr(
            user::Column::LastStoreId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .filter(user::Column::Id.eq(user_id.0))
        .filter(user::Column::LastStoreId.eq(access.store.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        access.id(),
        actor,
        "member.left",
        "membership",
        Some(m.id.to_string()),
        json!({"email": actor.label, "role": m.role}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
