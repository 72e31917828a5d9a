//! Joining a store's team by invitation: an owner names an email and a role,
//! Tributary makes a one-time link (only its SHA-256 is stored) that the
//! owner hands over, and the person with that email accepts it, signed in or
//! by choosing a password for a new account. Nobody becomes a member without
//! accepting, and inviting answers the same whether the email has an account
//! or not.
//!
//! The link is shown to the owner once. When email delivery exists (issue
//! 11), it hangs off the `team.invitation_created` outbox event, which
//! carries no token: the mailer will need a link of its own.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::setup::{FilterByEmail, add_membership};
use super::stores::StoreAccess;
use super::{Actor, ServiceError, ServiceResult, audit, auth, crypto, events, team};
use crate::db;
use crate::domain::{Email, Password, Role, StoreId, UserId, ValidationErrors};
use crate::entities::{invitation, store, user};

/// How long a link works.
pub const LIFETIME: Duration = Duration::days(7);

/// A pending invitation as the Team page lists it.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn pending(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
) -> ServiceResult<Vec<Pending>> {
    let rows = invitation::Entity::find()
        .filter(invitation::Column::StoreId.eq(store_id.0))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .order_by_asc(invitation::Column::CreatedAt)
        .limit(500)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|i| {
            Some(Pending {
                id: i.id,
                role: Role::parse(&i.role).ok()?,
                email: i.email,
                created_at: i.created_at,
                expires_at: i.expires_at,
            })
        })
        .collect())
}

/// A new invitation: `token` goes into the link, shown once.
pub struct Created {
    pub email: String,
    pub role: Role,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn create(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    email: &str,
    role: &str,
) -> ServiceResult<Created> {
    team::require_owner(access)?;
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(email));
    let role = errors.check("role", Role::parse(role));
    errors.into_result()?;
    let (email, role) = (email.unwrap(), role.unwrap());

    let txn = db::begin_write(db).await?;
    team::lock_store(&txn, access.id()).await?;
    // Whether the email has an account is not told; whether it is already
    // on this store's own team is (the owner sees the team anyway).
    if let Some(u) = user::Entity::find()
        .filter_by_email(email.as_str())
        .one(&txn)
        .await?
        && super::stores::membership(&txn, access.id(), UserId(u.id))
            .await?
            .is_some()
    {
        return Err(ValidationErrors::single("email", "is already a member of this store").into());
    }
    let now = Utc::now();
    // A new link for the same email replaces the one before.
    for old in invitation::Entity::find()
        .filter(invitation::Column::StoreId.eq(access.store.id))
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .all(&txn)
        .await?
    {
        let id = old.id;
        let mut active: invitation::ActiveModel = old.into();
        active.revoked_at = Set(Some(now));
        active.update(&txn).await?;
        audit::record(
            &txn,
            access.id(),
            actor,
            "member.invitation_revoked",
            "invitation",
            Some(id.to_string()),
            json!({"email": email.as_str(), "reason": "replaced by a new invitation"}),
        )
        .await?;
    }
    let token = crypto::random_token(32);
    let id = Uuid::now_v7();
    let expires_at = now + LIFETIME;
    invitation::ActiveModel {
        id: Set(id),
        store_id: Set(access.store.id),
        email: Set(email.as_str().to_owned()),
        role: Set(role.as_str().to_owned()),
        token_hash: Set(crypto::sha256_hex(token.as_bytes())),
        invited_by: Set(actor.id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        accepted_at: Set(None),
        accepted_by: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let details = json!({"email": email.as_str(), "role": role.as_str(), "expires_at": expires_at});
    audit::record(
        &txn,
        access.id(),
        actor,
        "member.invited",
        "invitation",
        Some(id.to_string()),
        details.clone(),
    )
    .await?;
    // The seam for emailing the link (issue 11): no token in the event.
    events::emit(
        &txn,
        access.id(),
        "team.invitation_created",
        json!({"invitation_id": id, "store_id": access.store.id, "email": email.as_str(),
            "role": role.as_str(), "expires_at": expires_at}),
    )
    .await?;
    txn.commit().await?;
    Ok(Created {
        email: email.as_str().to_owned(),
        role,
        token,
        expires_at,
    })
}

pub async fn revoke(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<String> {
    let txn = db::begin_write(db).await?;
    team::lock_store(&txn, access.id()).await?;
    // Another store's invitation does not exist here, for everyone.
    let found = invitation::Entity::find_by_id(id)
        .filter(invitation::Column::StoreId.eq(access.store.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    team::require_owner(access)?;
    let email = found.email.clone();
    let mut active: invitation::ActiveModel = found.into();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(&txn).await?;
    audit::record(
        &txn,
        access.id(),
        actor,
        "member.invitation_revoked",
        "invitation",
        Some(id.to_string()),
        json!({"email": email}),
    )
    .await?;
    txn.commit().await?;
    Ok(email)
}

/// What the person opening a link sees of it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: Uuid,
    pub store_id: StoreId,
    pub store_name: String,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// The pending invitation a link's token names, if it still works.
pub async fn find_by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> ServiceResult<Option<Invitation>> {
    if token.len() > 64 {
        return Ok(None);
    }
    let now = Utc::now();
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(crypto::sha256_hex(token.as_bytes())))
        .find_also_related(store::Entity)
        .one(conn)
        .await?;
    Ok(match found {
        Some((i, Some(s)))
            if i.accepted_at.is_none() && i.revoked_at.is_none() && i.expires_at > now =>
        {
            Some(Invitation {
                id: i.id,
                store_id: StoreId(s.id),
                store_name: s.name,
                role: Role::parse(&i.role).unwrap_or(Role::Admin),
                email: i.email,
                expires_at: i.expires_at,
            })
        }
        _ => None,
    })
}

/// Inside the accepting transaction: the invitation again, locked, so a link
/// is used once however many tabs press Accept.
async fn claim(conn: &impl ConnectionTrait, token: &str) -> ServiceResult<Invitation> {
    let found = find_by_token(conn, token)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut query = invitation::Entity::find_by_id(found.id);
    if !db::is_sqlite(conn) {
        query = query.lock_exclusive();
    }
    let row = query.one(conn).await?.ok_or(ServiceError::NotFound)?;
    if row.accepted_at.is_some() || row.revoked_at.is_some() {
        return Err(ServiceError::NotFound);
    }
    Ok(found)
}

async fn join(
    conn: &impl ConnectionTrait,
    invitation: &Invitation,
    user_id: UserId,
    actor: &Actor,
    account_created: bool,
) -> ServiceResult<()> {
    if super::stores::membership(conn, invitation.store_id, user_id)
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(format!(
            "You are already a member of {}.",
            invitation.store_name
        )));
    }
    let membership_id = add_membership(conn, invitation.store_id, user_id, invitation.role).await?;
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::AcceptedAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now())),
        )
        .col_expr(
            invitation::Column::AcceptedBy,
            sea_orm::sea_query::Expr::value(Some(user_id.0)),
        )
        .filter(invitation::Column::Id.eq(invitation.id))
        .exec(conn)
        .await?;
    auth::remember_store(conn, user_id, invitation.store_id).await?;
    audit::record(
        conn,
        invitation.store_id,
        actor,
        "member.invitation_accepted",
        "membership",
        Some(membership_id.to_string()),
        json!({"email": invitation.email, "role": invitation.role.as_str(),
            "invitation_id": invitation.id, "account_created": account_created}),
    )
    .await?;
    Ok(())
}

/// The signed-in `user` accepts: they must be the invited email.
pub async fn accept(
    db: &DatabaseConnection,
    token: &str,
    user: &auth::User,
    ip: Option<String>,
) -> ServiceResult<Invitation> {
    let txn = db::begin_write(db).await?;
    let invitation = claim(&txn, token).await?;
    if !invitation.email.eq_ignore_ascii_case(&user.email) {
        return Err(ServiceError::Forbidden(wrong_account(
            &invitation,
            &user.email,
        )));
    }
    let actor = Actor::user(user.id, &user.email, ip);
    join(&txn, &invitation, UserId(user.id), &actor, false).await?;
    txn.commit().await?;
    Ok(invitation)
}

pub fn wrong_account(invitation: &Invitation, signed_in_as: &str) -> String {
    format!(
        "This invitation is for {}, but you are signed in as {}. Sign out, then open the link again.",
        invitation.email, signed_in_as
    )
}

/// No account exists for the invited email: choosing a password creates it
/// and accepts.
pub async fn accept_with_new_account(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    confirm_password: &str,
    ip: Option<String>,
) -> ServiceResult<(auth::User, Invitation)> {
    let mut errors = ValidationErrors::new();
    let password = errors.check("password", Password::parse(password));
    if password.is_some() && password.as_ref().map(|p| p.expose()) != Some(confirm_password) {
        errors.add("confirm_password", "does not match the password");
    }
    // A dead link says so before any form error.
    find_by_token(db, token)
        .await?
        .ok_or(ServiceError::NotFound)?;
    errors.into_result()?;
    let hash = crypto::hash_password_async(password.expect("checked").expose().to_owned()).await?;

    let txn = db::begin_write(db).await?;
    let invitation = claim(&txn, token).await?;
    if user::Entity::find()
        .filter_by_email(&invitation.email)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(format!(
            "An account for {} exists already: sign in with it to accept the invitation.",
            invitation.email
        )));
    }
    let now = Utc::now();
    let user_id = UserId::new_v7();
    let created = user::ActiveModel {
        id: Set(user_id.0),
        email: Set(invitation.email.clone()),
        password_hash: Set(hash),
        password_changed_at: Set(now),
        created_at: Set(now),
        last_store_id: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            ServiceError::Conflict(
                "That account was being created at this very moment; sign in to accept.".into(),
            )
        } else {
            ServiceError::from(e)
        }
    })?;
    let actor = Actor::user(user_id.0, &invitation.email, ip);
    join(&txn, &invitation, user_id, &actor, true).await?;
    txn.commit().await?;
    let created = user::Model {
        last_store_id: Some(invitation.store_id.0),
        ..created
    };
    Ok((created, invitation))
}
