//! Recording a sale: idempotent by external id, attributed, converted and credited in one unit of work.

use super::*;

pub fn sale_snapshot(s: &sale::Model) -> serde_json::Value {
    json!({
        "id": s.id, "external_id": s.external_id, "referral_id": s.referral_id, "affiliate_id": s.affiliate_id,
        "amount_minor": s.amount_minor, "tax_minor": s.tax_minor, "currency": s.currency,
        "refunded_minor": s.refunded_minor, "attribution": s.attribution, "occurred_at": s.occurred_at,
    })
}

/// Records one sale in a transaction of its own (the sales writer batches
/// them; this is its fallback, and what webhooks call).
pub async fn record(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: SaleInput,
) -> ServiceResult<Recorded> {
    let currency = campaigns::currency_of(store);
    let p = parse(&input, currency, db::stored_now())?;
    record_parsed(db, store, actor, &p).await
}

pub(super) async fn record_parsed(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    match record_in_txn(db, store, actor, p).await {
        Err(ServiceError::Db(e)) if db::is_unique_violation(&e) => {
            // A concurrent delivery of the same payment won the race.
            let mut work = Work::default();
            let (sale, commission) = work
                .booked(db, StoreId(store.id), &p.external_id)
                .await?
                .ok_or(ServiceError::Db(e))?;
            Ok(Recorded {
                sale,
                commission,
                created: false,
                note: None,
                warnings: vec![],
            })
        }
        other => other,
    }
}

pub(super) async fn record_in_txn(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    let txn = db::begin_write(db).await?;
    let mut work = Work::default();
    let recorded = record_in(&mut work, &txn, store, actor, p).await?;
    work.flush(&txn).await?;
    txn.commit().await?;
    Ok(recorded)
}

/// Stages the sale and everything it changes in `work`; when it fails,
/// nothing of it stays staged.
pub(super) async fn record_in(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    let mark = work.mark();
    let result = stage_sale(work, conn, store, actor, p).await;
    if result.is_err() {
        work.rollback(mark);
    }
    result
}

pub(super) async fn stage_sale(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store: &store::Model,
    actor: &Actor,
    p: &Parsed,
) -> ServiceResult<Recorded> {
    let store_id = StoreId(store.id);
    let currency = campaigns::currency_of(store);
    if let Some((sale, commission)) = work.booked(conn, store_id, &p.external_id).await? {
        return Ok(Recorded {
            sale,
            commission,
            created: false,
            note: None,
            warnings: vec![],
        });
    }
    let (found, how) = attribution::attribute(work, conn, store, p).await?;
    let sale = sale::Model {
        id: Uuid::now_v7(),
        store_id: store.id,
        external_id: p.external_id.clone(),
        referral_id: found.as_ref().map(|r| r.id),
        affiliate_id: found.as_ref().map(|r| r.affiliate_id),
        amount_minor: p.amount,
        tax_minor: p.tax,
        currency: currency.code().to_owned(),
        refunded_minor: 0,
        attribution: how.to_owned(),
        coupon_code: p.coupon_key.clone(),
        customer_email: p.customer_email.as_ref().map(|e| e.as_str().to_owned()),
        external_customer_id: p.external_customer_id.clone(),
        occurred_at: p.occurred_at,
        created_at: db::stored_now(),
    };
    // Everything that can refuse the sale runs before anything is staged.
    let (made, note, converting) = match found {
        Some(mut r) => {
            let hold_from = p.hold_from(sale.created_at);
            let (made, note) =
                credit(work, conn, store_id, currency, &mut r, &sale, hold_from).await?;
            (made, note, Some(r))
        }
        None => (
            None,
            Some("no referral matched this sale; it is kept as unattributed".to_owned()),
            None,
        ),
    };
    work.add_sale(sale.clone(), actor);
    if let Some(c) = &made {
        work.add_commission(c.clone());
        work.stage_commission_mail(conn, store, c).await?;
    }
    if let Some(r) = converting {
        let customer = Customer {
            external_id: p.external_customer_id.as_deref(),
            email: p.customer_email.as_ref().map(Email::as_str),
        };
        convert(work, store_id, r, customer, &sale);
    }
    let warnings = if coupon_was_unknown(p, how) {
        vec![("coupon_code", UNKNOWN_COUPON)]
    } else {
        vec![]
    };
    Ok(Recorded {
        sale,
        commission: made,
        created: true,
        note,
        warnings,
    })
}

/// What a sale tells about its buyer.
#[derive(Clone, Copy)]
pub(super) struct Customer<'a> {
    pub(super) external_id: Option<&'a str>,
    pub(super) email: Option<&'a str>,
}

/// Moves the referral on: customer remembered, converted, one more sale.
pub(super) fn convert(
    work: &mut Work,
    store_id: StoreId,
    r: referral::Model,
    customer: Customer<'_>,
    sale: &sale::Model,
) {
    let first_conversion = !r.state.is_converted();
    let now = db::stored_now();
    let mut updated = r;
    if updated.external_customer_id.is_none() {
        updated.external_customer_id = customer.external_id.map(str::to_owned);
    }
    if updated.email.is_none() && updated.erased_at.is_none() {
        updated.email = customer.email.map(str::to_owned);
    }
    updated.state = updated.state.convert();
    updated.sale_count = updated.sale_count.saturating_add(1);
    if updated.first_sale_at.is_none() {
        updated.first_sale_at = Some(sale.occurred_at);
    }
    if first_conversion {
        updated.converted_at = Some(now);
    }
    updated.updated_at = now;
    work.put_referral(updated.clone());
    if first_conversion {
        if !updated.self_referral
            && let Some(link_id) = updated.link_id
        {
            work.count_conversion(link_id);
        }
        work.emit(
            store_id,
            "referral.converted",
            referrals::snapshot(&updated),
        );
    }
}
