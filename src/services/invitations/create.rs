//! Inviting (the link is emailed in the same transaction) and revoking.
//! An invitation revoked, or replaced by a new one, takes its mail with it
//! if that is still queued: it is cancelled, never sent, in the same
//! transaction (the Emails page shows it cancelled).

use super::*;
use crate::domain::mail::EmailKind;
use crate::services::email::outbox::cancel_queued;
use crate::services::email::{self as mail, enqueue as enqueue_mail, messages};

/// A new invitation: `url` is its link (with the token), shown once and
/// emailed.
pub struct Created {
    pub email: String,
    pub role: Role,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// The link that accepts an invitation, under the public URL.
pub fn link(public_base: &str, token: &str) -> String {
    format!("{}/invitations/{token}", public_base.trim_end_matches('/'))
}

pub async fn create(
    db: &DatabaseConnection,
    access: &StoreAccess,
    actor: &Actor,
    email: &str,
    role: &str,
    public_base: &str,
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
        && crate::services::stores::membership(&txn, access.id(), UserId(u.id))
            .await?
            .is_some()
    {
        return Err(ValidationErrors::single("email", "is already a member of this store").into());
    }
    let now = Utc::now();
    // A new link for the same email replaces the one before (and its mail,
    // if it still waits: the new one carries the link that works).
    cancel_queued(&txn, access.id(), email.as_str(), EmailKind::TeamInvitation).await?;
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
    // The event carries no token: the link goes by email only (below).
    events::emit(
        &txn,
        access.id(),
        "team.invitation_created",
        json!({"invitation_id": id, "store_id": access.store.id, "email": email.as_str(),
            "role": role.as_str(), "expires_at": expires_at}),
    )
    .await?;
    let url = link(public_base, &token);
    let message = messages::team_invitation(
        &mail::Sender::store(&access.store.name),
        &email,
        &messages::Invitation {
            role: role.as_str().to_owned(),
            invited_by: actor.label.clone(),
            url: url.clone(),
            expires_at,
        },
    )?;
    enqueue_mail(&txn, access.id(), message).await?;
    txn.commit().await?;
    Ok(Created {
        email: email.as_str().to_owned(),
        role,
        url,
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
    // One pending invitation per email (a new one replaces the old), so the
    // queued invitation mail to this address is this invitation's.
    let emails_cancelled =
        cancel_queued(&txn, access.id(), &email, EmailKind::TeamInvitation).await?;
    audit::record(
        &txn,
        access.id(),
        actor,
        "member.invitation_revoked",
        "invitation",
        Some(id.to_string()),
        json!({"email": email, "emails_cancelled": emails_cancelled}),
    )
    .await?;
    txn.commit().await?;
    Ok(email)
}
