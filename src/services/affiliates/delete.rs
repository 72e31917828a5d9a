//! Removing an affiliate: deleted when no money record names them, anonymised otherwise.

use super::*;

/// Whether the affiliate has any money record (a sale attributed to them,
/// a commission, a ledger entry): such an affiliate is never deleted, only
/// anonymised, so the books keep adding up.
pub async fn has_money_history(
    conn: &impl ConnectionTrait,
    a: &affiliate::Model,
) -> ServiceResult<bool> {
    use crate::entities::{commission, ledger_entry, sale};
    if a.balance_minor != 0 {
        return Ok(true);
    }
    let commission = commission::Entity::find()
        .filter(commission::Column::StoreId.eq(a.store_id))
        .filter(commission::Column::AffiliateId.eq(a.id))
        .one(conn)
        .await?;
    let sale = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(a.store_id))
        .filter(sale::Column::AffiliateId.eq(a.id))
        .one(conn)
        .await?;
    let entry = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::AffiliateId.eq(a.id))
        .one(conn)
        .await?;
    Ok(commission.is_some() || sale.is_some() || entry.is_some())
}

/// Why an affiliate was not deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteAffiliateError {
    #[error(
        "This affiliate has money history, so the record is kept; erase their personal data instead."
    )]
    HasMoneyHistory,
}

pub async fn delete(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
) -> UseCaseResult<(), DeleteAffiliateError> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if has_money_history(&txn, &current).await? {
        return Err(UseCaseError::Refused(DeleteAffiliateError::HasMoneyHistory));
    }
    crate::services::email::outbox::forget_affiliate(&txn, store_id, &current.email).await?;
    crate::services::sessions::revoke_all_for_affiliate(&txn, id.0).await?;
    affiliate::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "affiliate.deleted",
        "affiliate",
        Some(id.to_string()),
        json!({"email": current.email}),
    )
    .await?;
    crate::services::link_cache::commit(db, txn).await?;
    Ok(())
}

/// Erases the person (name, emails, external id; link tokens made from the
/// name become random) while the record and its money history stay.
pub async fn anonymize(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
) -> ServiceResult<affiliate::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if current.anonymized_at.is_some() {
        return Ok(current);
    }
    crate::services::email::outbox::forget_affiliate(&txn, store_id, &current.email).await?;
    let mut active: affiliate::ActiveModel = current.into();
    active.email = Set(format!("erased-{}@invalid", id.0.simple()));
    active.first_name = Set("Erased".into());
    active.last_name = Set("affiliate".into());
    active.payout_email = Set(None);
    active.external_customer_id = Set(None);
    active.is_enabled = Set(false);
    active.sort_name = Set("~erased".into());
    active.search_text = Set(String::new());
    active.anonymized_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    active.password_hash = Set(None);
    active.signup_user_agent = Set(None);
    active.signup_answers = Set(None);
    let erased = active.update(&txn).await?;
    crate::services::sessions::revoke_all_for_affiliate(&txn, id.0).await?;
    for l in link::Entity::find()
        .filter(link::Column::AffiliateId.eq(id))
        .all(&txn)
        .await?
    {
        let mut active: link::ActiveModel = l.into();
        active.token = Set(format!(
            "x{}",
            crypto::random_token(9)
                .to_ascii_lowercase()
                .replace('-', "_")
        ));
        active.update(&txn).await?;
    }
    affiliate_status_change::Entity::update_many()
        .col_expr(
            affiliate_status_change::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .filter(affiliate_status_change::Column::AffiliateId.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "affiliate.anonymized",
        "affiliate",
        Some(id.to_string()),
        json!({}),
    )
    .await?;
    crate::services::link_cache::commit(db, txn).await?;
    Ok(erased)
}
