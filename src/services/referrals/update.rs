//! Correcting a referral, and erasing a person's data while money records keep an anonymous reference.

use super::*;

/// Changes to a referral: `None` keeps what the row holds when the write
/// transaction reads it (locked).
#[derive(Debug, Clone, Default)]
pub struct ReferralForUpdate {
    pub email: Option<String>,
    /// `Some("")` clears it.
    pub external_customer_id: Option<String>,
}

pub async fn update(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: ReferralId,
    changes: ReferralForUpdate,
) -> ServiceResult<referral::Model> {
    let mut errors = ValidationErrors::new();
    let email = match changes.email.as_deref() {
        Some(e) => errors.check("email", Email::parse(e)).map(Some),
        None => Some(None),
    };
    let external = match changes.external_customer_id.as_deref() {
        Some(e) => errors
            .check("external_customer_id", parse_external(Some(e)))
            .map(Some),
        None => Some(None),
    };
    let txn = db::begin_write(db).await?;
    let current = db::for_update(
        &txn,
        referral::Entity::find_by_id(id).filter(referral::Column::StoreId.eq(store_id.0)),
    )
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound)?;
    errors.into_result()?;
    if current.erased_at.is_some() {
        return Err(ServiceError::Conflict(
            "This referral's personal data was erased.".into(),
        ));
    }
    let before = snapshot(&current);
    let mut active: referral::ActiveModel = current.into();
    if let Some(Some(e)) = email {
        active.email = Set(Some(e.as_str().to_owned()));
    }
    if let Some(Some(x)) = external {
        active.external_customer_id = Set(x);
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "referral.updated",
        "referral",
        Some(id.to_string()),
        json!({"before": before, "after": snapshot(&updated)}),
    )
    .await?;
    events::emit(&txn, store_id, "referral.updated", snapshot(&updated)).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The GDPR erasure: the person's email, address hash, browser and pages
/// visited are removed; the referral, its sales and commissions stay as an
/// anonymous record so the money still adds up.
pub async fn erase(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: ReferralId,
) -> ServiceResult<referral::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    let mut active: referral::ActiveModel = current.into();
    active.email = Set(None);
    active.external_customer_id = Set(None);
    active.ip_hash = Set(None);
    active.user_agent = Set(None);
    active.visitor_id = Set(None);
    active.erased_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    let erased = active.update(&txn).await?;
    visit::Entity::update_many()
        .col_expr(visit::Column::IpHash, Expr::value(Option::<String>::None))
        .col_expr(
            visit::Column::UserAgent,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            visit::Column::LandingUrl,
            Expr::value(Option::<String>::None),
        )
        .col_expr(visit::Column::Referrer, Expr::value(Option::<String>::None))
        .filter(visit::Column::ReferralId.eq(id))
        .exec(&txn)
        .await?;
    sale::Entity::update_many()
        .col_expr(
            sale::Column::CustomerEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            sale::Column::ExternalCustomerId,
            Expr::value(Option::<String>::None),
        )
        .filter(sale::Column::StoreId.eq(store_id.0))
        .filter(sale::Column::ReferralId.eq(id))
        .exec(&txn)
        .await?;
    // The outbox and the audit log must not keep what was erased.
    let marker = id.to_string();
    crate::entities::event::Entity::update_many()
        .col_expr(
            crate::entities::event::Column::Payload,
            Expr::value(json!({"id": id, "erased": true}).to_string()),
        )
        .filter(crate::entities::event::Column::StoreId.eq(store_id.0))
        .filter(crate::entities::event::Column::EventType.starts_with("referral."))
        .filter(crate::entities::event::Column::Payload.contains(&marker))
        .exec(&txn)
        .await?;
    crate::entities::audit_entry::Entity::update_many()
        .col_expr(
            crate::entities::audit_entry::Column::Details,
            Expr::value(json!({"erased": true}).to_string()),
        )
        .filter(crate::entities::audit_entry::Column::StoreId.eq(store_id.0))
        .filter(crate::entities::audit_entry::Column::EntityType.eq("referral"))
        .filter(crate::entities::audit_entry::Column::EntityId.eq(marker))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "referral.erased",
        "referral",
        Some(id.to_string()),
        json!({}),
    )
    .await?;
    events::emit(&txn, store_id, "referral.erased", json!({"id": id})).await?;
    txn.commit().await?;
    Ok(erased)
}
