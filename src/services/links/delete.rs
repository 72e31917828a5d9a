//! A link removed. An affiliate keeps at least one link: the last one is
//! refused (the affiliate would have nothing to share), so a store that
//! wants another token adds the new link first.

use sea_orm::PaginatorTrait;

use super::*;
use crate::services::{UseCaseError, UseCaseResult};

/// Why a link was not deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteLinkError {
    #[error(
        "The link {token} is the affiliate's only link: add another link first, then delete this one."
    )]
    OnlyLink { token: String },
}

pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: LinkId,
) -> UseCaseResult<(), DeleteLinkError> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    // The affiliate's row is the lock two concurrent deletes of its last
    // two links meet at (SQLite's write transaction is one already).
    db::for_update(
        &txn,
        affiliate::Entity::find_by_id(current.affiliate_id)
            .filter(affiliate::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?;
    let links = link::Entity::find()
        .filter(link::Column::StoreId.eq(store_id.0))
        .filter(link::Column::AffiliateId.eq(current.affiliate_id))
        .count(&txn)
        .await?;
    if links <= 1 {
        return Err(UseCaseError::Refused(DeleteLinkError::OnlyLink {
            token: current.token,
        }));
    }
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
