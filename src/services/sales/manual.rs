//! Attribution after the fact: staff attribute a sale by hand, and a customer named later brings their earlier sales.

use super::*;

/// Why a sale was not attributed by hand.
#[derive(Debug, thiserror::Error)]
pub enum AttributeSaleError {
    #[error("This sale is already attributed.")]
    AlreadyAttributed,
    #[error("This sale was fully refunded; there is nothing to attribute.")]
    FullyRefunded,
}

/// Staff attribute an unattributed sale to an affiliate: a manual referral
/// is made for the customer and the commission computed as for any sale.
pub async fn attribute_manually(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    affiliate_id: AffiliateId,
) -> UseCaseResult<Recorded, AttributeSaleError> {
    let txn = db::begin_write(db).await?;
    let recorded = attribute_in(&txn, store, actor, sale_id, affiliate_id).await?;
    txn.commit().await?;
    Ok(recorded)
}

/// What attributing would do, said before staff confirm: the same use case
/// run to the end and rolled back, so the preview is the engine's own
/// answer (commission, or why none) and nothing of it is kept.
pub async fn preview_attribution(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    affiliate_id: AffiliateId,
) -> UseCaseResult<Recorded, AttributeSaleError> {
    let txn = db::begin_write(db).await?;
    let recorded = attribute_in(&txn, store, actor, sale_id, affiliate_id).await;
    txn.rollback().await?;
    recorded
}

/// Attribution inside the caller's write transaction (attribute, preview,
/// move).
pub(super) async fn attribute_in(
    txn: &db::Txn,
    store: &store::Model,
    actor: &Actor,
    sale_id: SaleId,
    affiliate_id: AffiliateId,
) -> UseCaseResult<Recorded, AttributeSaleError> {
    let store_id = StoreId(store.id);
    let current = get(txn, store_id, sale_id).await?;
    if current.affiliate_id.is_some() {
        return Err(UseCaseError::Refused(AttributeSaleError::AlreadyAttributed));
    }
    if current.refunded_minor >= current.amount_minor {
        return Err(UseCaseError::Refused(AttributeSaleError::FullyRefunded));
    }
    let mut work = Work::default();
    let affiliate = work
        .affiliate(txn, store_id, affiliate_id.0)
        .await
        .map_err(|_| {
            ServiceError::from(ValidationErrors::single(
                "affiliate_id",
                "is not an affiliate of this store",
            ))
        })?;
    let campaign = work.campaign(txn, store_id, affiliate.campaign_id).await?;
    let r = referrals::known_row(
        store_id,
        &campaign,
        referrals::KnownPerson {
            affiliate: &affiliate,
            source: ReferralSource::Manual,
            email: current.customer_email.clone(),
            external_customer_id: current.external_customer_id.clone(),
            coupon_id: None,
        },
    );
    work.add_referral(r.clone());
    work.emit(store_id, "referral.created", referrals::snapshot(&r));
    let (updated, commission, note) = attach(&mut work, txn, store, &current, r, "manual")
        .await?
        .ok_or(UseCaseError::Refused(AttributeSaleError::AlreadyAttributed))?;
    work.flush(txn).await?;
    audit::record(
        txn,
        store_id,
        actor,
        "sale.attributed",
        "sale",
        Some(updated.id.to_string()),
        json!({"affiliate_id": affiliate.id, "email": affiliate.email}),
    )
    .await?;
    Ok(Recorded {
        sale: updated,
        commission,
        created: false,
        note,
        warnings: vec![],
    })
}

/// A sale given to a referral, its commission (if any) and why not.
pub(super) type Attached = (
    sale::Model,
    Option<commission_entity::Model>,
    Option<String>,
);

/// Gives an unattributed sale to a referral: claimed with a condition (so
/// two attributions of one sale cannot both succeed), credited as any sale
/// (scaled down by what was already refunded), and the referral moved on.
/// `None` when someone else attributed it first.
pub(super) async fn attach(
    work: &mut Work,
    txn: &impl ConnectionTrait,
    store: &store::Model,
    current: &sale::Model,
    r: referral::Model,
    how: &str,
) -> ServiceResult<Option<Attached>> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    let claimed = sale::Entity::update_many()
        .col_expr(sale::Column::ReferralId, Expr::value(Some(r.id)))
        .col_expr(sale::Column::AffiliateId, Expr::value(Some(r.affiliate_id)))
        .col_expr(sale::Column::Attribution, Expr::value(how))
        .filter(sale::Column::Id.eq(current.id))
        .filter(sale::Column::AffiliateId.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    // Read again after the claim: a refund may have committed since
    // `current` was read (PostgreSQL), and the claim's row lock keeps any
    // further one out until this commits.
    let updated = get(txn, store_id, SaleId(current.id)).await?;
    let mut r = r;
    // Attributed after it was recorded: the hold runs from when the store
    // learned of the sale (whether it came as an import is not stored).
    let hold_from = updated.created_at.max(updated.occurred_at);
    let (commission, note) =
        credit(work, txn, store_id, currency, &mut r, &updated, hold_from).await?;
    if let Some(c) = &commission {
        work.add_commission(c.clone());
        work.stage_commission_mail(txn, store, c).await?;
    }
    let customer = Customer {
        external_id: updated.external_customer_id.as_deref(),
        email: None,
    };
    convert(work, store_id, r, customer, &updated);
    Ok(Some((updated, commission, note)))
}

/// Payments that arrived before their customer was known (Stripe may send a
/// subscription's first `invoice.paid` before `checkout.session.completed`):
/// once the referral learns its customer id, its unattributed sales are
/// attributed to it, oldest first.
pub async fn attach_customer_sales(
    db: &DatabaseConnection,
    store: &store::Model,
    referral_id: ReferralId,
    customer: &str,
) -> ServiceResult<usize> {
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    let orphans = sale::Entity::find()
        .filter(sale::Column::StoreId.eq(store.id))
        .filter(sale::Column::AffiliateId.is_null())
        .filter(sale::Column::ExternalCustomerId.eq(customer))
        .order_by_asc(sale::Column::OccurredAt)
        .limit(100)
        .all(&txn)
        .await?;
    let mut work = Work::default();
    let mut attached = 0;
    for orphan in orphans {
        // The referral as the previous orphan left it (its sale count).
        let r = work
            .referral(&txn, store_id, referral_id.0)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if attach(&mut work, &txn, store, &orphan, r, "customer")
            .await?
            .is_some()
        {
            attached += 1;
        }
    }
    work.flush(&txn).await?;
    txn.commit().await?;
    Ok(attached)
}
