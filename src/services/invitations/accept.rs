//! Accepting a link: signed in as the invited email, or by choosing a
//! password for a new account.

use super::*;

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
    if crate::services::stores::membership(conn, invitation.store_id, user_id)
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
