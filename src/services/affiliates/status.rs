//! Status moves (approve, reject, suspend, enable), one by one or in bulk, and their history.

use super::*;

pub(super) async fn record_status(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: Uuid,
    from: Option<AffiliateStatus>,
    to: AffiliateStatus,
    reason: Option<String>,
    actor: &Actor,
) -> ServiceResult<()> {
    affiliate_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(affiliate_id),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        reason: Set(reason),
        actor_label: Set(actor.label.chars().take(254).collect()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub(super) async fn change_status_in(
    txn: &impl ConnectionTrait,
    store_id: StoreId,
    actor: &Actor,
    current: affiliate::Model,
    to: AffiliateStatus,
    reason: Option<String>,
) -> ServiceResult<affiliate::Model> {
    let from = current.status;
    let id = current.id;
    let mut active: affiliate::ActiveModel = current.into();
    active.status = Set(to);
    active.rejection_reason = Set(if to == AffiliateStatus::Rejected {
        reason.clone()
    } else {
        None
    });
    active.status_changed_at = Set(Utc::now());
    active.updated_at = Set(Utc::now());
    let updated = active.update(txn).await?;
    if !crate::domain::portal::Standing::of(to, updated.is_enabled, false).keeps_session() {
        // Their portal sessions end now, not at their next request.
        crate::services::sessions::revoke_all_for_affiliate(txn, id).await?;
    }
    record_status(txn, store_id, id, Some(from), to, reason.clone(), actor).await?;
    crate::services::email::notify::status_changed(txn, store_id, from, &updated).await?;
    audit::record(
        txn,
        store_id,
        actor,
        &format!("affiliate.{}", to.as_str()),
        "affiliate",
        Some(id.to_string()),
        json!({"from": from.as_str(), "to": to.as_str(), "reason": reason, "email": updated.email}),
    )
    .await?;
    Ok(updated)
}

pub(super) fn clean_reason(reason: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) if r.chars().count() > 1000 => Err(ValidationErrors::single(
            "reason",
            "must be at most 1000 characters",
        )),
        Some(r) => Ok(Some(r.to_owned())),
    }
}

/// Why a status move was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeStatusError {
    /// The action does not apply to the affiliate's status (the rule's own words).
    #[error("{0}")]
    NotAllowed(String),
}

pub async fn change_status(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    action: StatusAction,
    reason: Option<&str>,
) -> UseCaseResult<affiliate::Model, ChangeStatusError> {
    let reason = clean_reason(reason)?;
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    let to = action
        .apply(current.status)
        .map_err(|why| UseCaseError::Refused(ChangeStatusError::NotAllowed(why)))?;
    let updated = change_status_in(&txn, store_id, actor, current, to, reason).await?;
    crate::services::link_cache::commit(db, txn).await?;
    Ok(updated)
}

pub struct BulkOutcome {
    pub changed: Vec<affiliate::Model>,
    /// Ids that exist but could not make the move (already approved, …).
    pub skipped: usize,
}

/// Applies one action to many affiliates in one transaction; ids of other
/// stores or that do not exist are ignored, moves that do not apply skipped.
pub async fn bulk_change_status(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    ids: &[AffiliateId],
    action: StatusAction,
) -> ServiceResult<BulkOutcome> {
    if ids.is_empty() {
        return Err(ValidationErrors::single("ids", "select at least one affiliate").into());
    }
    if ids.len() > 500 {
        return Err(ValidationErrors::single("ids", "at most 500 at a time").into());
    }
    let txn = db::begin_write(db).await?;
    let rows = affiliate::Entity::find()
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Id.is_in(ids.to_vec()))
        .all(&txn)
        .await?;
    let mut changed = Vec::new();
    let mut skipped = 0;
    for row in rows {
        let Ok(to) = action.apply(row.status) else {
            skipped += 1;
            continue;
        };
        changed.push(change_status_in(&txn, store_id, actor, row, to, None).await?);
    }
    crate::services::link_cache::commit(db, txn).await?;
    Ok(BulkOutcome { changed, skipped })
}

pub async fn status_history(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<Vec<affiliate_status_change::Model>> {
    Ok(affiliate_status_change::Entity::find()
        .filter(affiliate_status_change::Column::StoreId.eq(store_id.0))
        .filter(affiliate_status_change::Column::AffiliateId.eq(id))
        .order_by_desc(affiliate_status_change::Column::Id)
        .limit(200)
        .all(conn)
        .await?)
}
