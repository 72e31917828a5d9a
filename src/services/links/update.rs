//! A link's token or destination changed.

use super::*;

pub async fn update(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    id: LinkId,
    input: LinkForUpdate,
) -> ServiceResult<link::Model> {
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    let current = db::for_update(
        &txn,
        link::Entity::find_by_id(id).filter(link::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound)?;
    let a = affiliates::get(&txn, store_id, AffiliateId(current.affiliate_id)).await?;
    let mut errors = ValidationErrors::new();
    let token = match input.token.as_deref() {
        Some(t) => errors.check("token", parse_link_token(t)),
        None => Some(current.token.clone()),
    };
    let url = match &input.url {
        None => current.url.clone(),
        Some(u) => match destination(&txn, store, &a, u).await {
            Ok(u) => u,
            Err(ServiceError::Validation(e)) => {
                errors.0.extend(e.0);
                None
            }
            Err(other) => return Err(other),
        },
    };
    errors.into_result()?;
    let token = token.expect("checked");
    let before = json!({"token": current.token, "url": current.url});
    let mut active: link::ActiveModel = current.into();
    active.token = Set(token);
    active.url = Set(url);
    let updated = active.update(&txn).await.on_constraint(&LINK_TOKEN)?;
    let after = json!({"token": updated.token, "url": updated.url});
    if before != after {
        audit::record(
            &txn,
            store_id,
            actor,
            "link.updated",
            "link",
            Some(id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    crate::services::link_cache::commit(db, txn).await?;
    Ok(updated)
}
