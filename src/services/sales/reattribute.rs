//! Correcting a sale's attribution: staff undo it (the sale becomes
//! unattributed) or move it to another affiliate, while nothing it earned
//! has been paid. The commissions it earns are voided through the ledger
//! (reason `tracking_error`), and a move then attributes the sale afresh,
//! exactly as a first manual attribution does. All in one transaction,
//! with its audit entry.

use sea_orm::{ActiveModelTrait, PaginatorTrait, Set};

use super::*;
use crate::domain::CommissionId;
use crate::domain::commission_void::{VoidReason, Voiding};
use crate::domain::reattribution::may_reattribute;
use crate::services::commissions;

/// Why a sale's attribution stays as it is.
#[derive(Debug, thiserror::Error)]
pub enum ReattributeError {
    #[error("This sale is not attributed to anyone.")]
    NotAttributed,
    #[error("This sale is already attributed to that affiliate.")]
    SameAffiliate,
    #[error("{0}")]
    Paid(String),
    #[error("{0}")]
    Attribute(AttributeSaleError),
}

/// What undoing took back.
pub struct Undone {
    pub sale: sale::Model,
    pub voided: Vec<commission_entity::Model>,
}

/// The sale becomes unattributed and its commissions are voided.
pub async fn undo_attribution(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
) -> UseCaseResult<Undone, ReattributeError> {
    let txn = db::begin_write(db).await?;
    let undone = detach(&txn, store, actor, sale_id, None).await?;
    audit::record(
        &txn,
        StoreId(store.id),
        actor,
        "sale.attribution_undone",
        "sale",
        Some(sale_id.0.to_string()),
        json!({
            "affiliate_id": undone.from,
            "voided_commissions": undone.undone.voided.iter().map(|c| c.id).collect::<Vec<_>>(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(undone.undone)
}

/// The sale's commissions are voided and the sale attributed to `to` as a
/// manual attribution would (its commission, or why none, in `Recorded`).
pub async fn move_attribution(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    to: AffiliateId,
) -> UseCaseResult<Recorded, ReattributeError> {
    let txn = db::begin_write(db).await?;
    let (detached, recorded) = move_in(&txn, store, actor, sale_id, to).await?;
    audit::record(
        &txn,
        StoreId(store.id),
        actor,
        "sale.attribution_moved",
        "sale",
        Some(sale_id.0.to_string()),
        json!({
            "from_affiliate_id": detached.from,
            "affiliate_id": to.0,
            "voided_commissions": detached.undone.voided.iter().map(|c| c.id).collect::<Vec<_>>(),
            "commission_id": recorded.commission.as_ref().map(|c| c.id),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(recorded)
}

/// What moving would do (the commission the new affiliate gets, or why
/// none): the move run and rolled back, as `preview_attribution` does.
pub async fn preview_move(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    to: AffiliateId,
) -> UseCaseResult<Recorded, ReattributeError> {
    let txn = db::begin_write(db).await?;
    let moved = move_in(&txn, store, actor, sale_id, to).await;
    txn.rollback().await?;
    moved.map(|(_, recorded)| recorded)
}

async fn move_in(
    txn: &db::Txn,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    to: AffiliateId,
) -> UseCaseResult<(Detached, Recorded), ReattributeError> {
    let detached = detach(txn, store, actor, sale_id, Some(to)).await?;
    let recorded = attribute_in(txn, store, actor, sale_id, to)
        .await
        .map_err(|e| e.map_refusal(ReattributeError::Attribute))?;
    Ok((detached, recorded))
}

struct Detached {
    from: Uuid,
    undone: Undone,
}

/// Voids what the sale earns and clears its attribution. The customer's
/// referral: one made by hand for this sale alone goes with it (it
/// existed only because of the attribution, and would attribute their next
/// sale the same wrong way); a tracked one stays, one sale fewer.
async fn detach(
    txn: &db::Txn,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    moving_to: Option<AffiliateId>,
) -> UseCaseResult<Detached, ReattributeError> {
    let store_id = StoreId(store.id);
    let current = db::for_update(txn, sale::Entity::find_by_id(sale_id.0))
        .filter(sale::Column::StoreId.eq(store_id.0))
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(from) = current.affiliate_id else {
        return Err(UseCaseError::Refused(ReattributeError::NotAttributed));
    };
    if moving_to.is_some_and(|to| to.0 == from) {
        return Err(UseCaseError::Refused(ReattributeError::SameAffiliate));
    }
    let mut earned = Vec::new();
    for c in commissions_of(txn, store_id, sale_id).await? {
        earned.push(commissions::lock(txn, store_id, CommissionId(c.id)).await?);
    }
    may_reattribute(earned.iter().map(|c| (c.status, c.payout_id)))
        .map_err(|e| UseCaseError::Refused(ReattributeError::Paid(e.0)))?;
    let voiding = Voiding {
        reason: VoidReason::TrackingError,
        note: Some(match moving_to {
            Some(_) => "Attribution moved to another affiliate.".into(),
            None => "Attribution undone.".into(),
        }),
    };
    let mut voided = Vec::new();
    for c in earned.into_iter().filter(|c| c.status.is_live()) {
        voided.push(commissions::void_locked(txn, store_id, actor, c, &voiding).await?);
    }
    let mut cleared: sale::ActiveModel = current.clone().into();
    cleared.affiliate_id = Set(None);
    cleared.referral_id = Set(None);
    cleared.attribution = Set("none".into());
    let sale = cleared.update(txn).await?;
    if let Some(referral_id) = current.referral_id {
        release_referral(txn, store_id, referral_id, sale_id).await?;
    }
    crate::services::events::emit(
        txn,
        store_id,
        "sale.updated",
        json!({"id": sale.id, "affiliate_id": null}),
    )
    .await?;
    Ok(Detached {
        from,
        undone: Undone { sale, voided },
    })
}

async fn release_referral(
    txn: &db::Txn,
    store_id: StoreId,
    referral_id: Uuid,
    sale_id: SaleId,
) -> ServiceResult<()> {
    let Some(r) = referral::Entity::find_by_id(referral_id)
        .filter(referral::Column::StoreId.eq(store_id.0))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let other_sales = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(store_id.0))
        .filter(sale::Column::ReferralId.eq(r.id))
        .filter(sale::Column::Id.ne(sale_id.0))
        .count(txn)
        .await?;
    if r.source == ReferralSource::Manual && other_sales == 0 {
        // Its voided commissions keep their history but no longer point at it.
        commission_entity::Entity::update_many()
            .col_expr(
                commission_entity::Column::ReferralId,
                Expr::value(Option::<Uuid>::None),
            )
            .filter(commission_entity::Column::StoreId.eq(store_id.0))
            .filter(commission_entity::Column::ReferralId.eq(r.id))
            .exec(txn)
            .await?;
        referral::Entity::delete_by_id(r.id).exec(txn).await?;
        crate::services::events::emit(txn, store_id, "referral.deleted", json!({"id": r.id}))
            .await?;
        return Ok(());
    }
    let mut active: referral::ActiveModel = r.clone().into();
    active.sale_count = Set(r.sale_count.saturating_sub(1).max(0));
    active.updated_at = Set(db::stored_now());
    active.update(txn).await?;
    Ok(())
}
