//! A link removed.

use super::*;

pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: LinkId,
) -> ServiceResult<()> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    link::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "link.deleted",
        "link",
        Some(id.to_string()),
        json!({"token": current.token, "affiliate_id": current.affiliate_id}),
    )
    .await?;
    crate::services::link_cache::commit(db, txn).await?;
    Ok(())
}
