//! The commission a sale earns its affiliate, if any (the engine's decision, applied to the rows).

use super::*;

/// The commission a sale earns its referral's affiliate, if any, and why
/// not; its hold period runs from `hold_from`. A sale already partly refunded (attributed late) earns its share of
/// what it kept. The caller stages it.
pub(super) async fn credit(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    currency: Currency,
    r: &mut referral::Model,
    sale: &sale::Model,
    hold_from: DateTime<Utc>,
) -> ServiceResult<(Option<commission_entity::Model>, Option<String>)> {
    let affiliate = work.affiliate(conn, store_id, r.affiliate_id).await?;
    // Caught here too, not only at sign-up: the buyer may name themselves
    // only at checkout.
    let me = affiliates::identity(&affiliate);
    if is_self_referral(
        me,
        sale.customer_email.as_deref(),
        sale.external_customer_id.as_deref(),
    ) || is_self_referral(me, r.email.as_deref(), None)
    {
        r.self_referral = true;
    }
    if r.self_referral {
        return Ok((
            None,
            Some("self-referral: an affiliate cannot earn on their own purchase".into()),
        ));
    }
    if let Some(why) = affiliates::not_earning(&affiliate) {
        return Ok((
            None,
            Some(format!("the affiliate is {why} and earns nothing new")),
        ));
    }
    let campaign = work.campaign(conn, store_id, affiliate.campaign_id).await?;
    let terms = campaigns::terms_of(&campaign, affiliate.commission_bp);
    let history = History {
        prior_sales: Ord::max(r.sale_count, 0) as u32,
        first_sale_at: r.first_sale_at,
    };
    let decision = commission::decide(
        &terms,
        commission::Sale {
            amount_minor: sale.amount_minor,
            tax_minor: sale.tax_minor,
            occurred_at: sale.occurred_at,
            hold_from,
        },
        history,
    )
    .map_err(|e| ServiceError::from(ValidationErrors::single("amount", e.to_string())))?;
    let (amount, due_at) = match decision {
        Decision::Pay {
            amount_minor,
            due_at,
            ..
        } => (amount_minor, due_at),
        Decision::NotEligible(why) => return Ok((None, Some(why.to_owned()))),
    };
    let kept = if sale.refunded_minor > 0 {
        commission::after_refund(amount, sale.amount_minor, sale.refunded_minor)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?
    } else {
        amount
    };
    if sale.refunded_minor >= sale.amount_minor {
        return Ok((
            None,
            Some("the sale was refunded in full; it earns nothing".into()),
        ));
    }
    let now = db::stored_now();
    Ok((
        Some(commission_entity::Model {
            id: Uuid::now_v7(),
            store_id: store_id.0,
            affiliate_id: affiliate.id,
            campaign_id: Some(campaign.id),
            referral_id: Some(r.id),
            sale_id: Some(sale.id),
            kind: CommissionKind::Sale,
            sale_amount_minor: sale.amount_minor,
            amount_minor: kept,
            original_amount_minor: amount,
            currency: currency.code().to_owned(),
            status: CommissionStatus::Pending,
            due_at,
            paid_at: None,
            payout_id: None,
            clawback_of: None,
            split_of: None,
            remarks: None,
            admin_earned_minor: None,
            external_payment_id: None,
            void_reason: None,
            void_note: None,
            created_by: "system".into(),
            created_at: now,
            updated_at: now,
        }),
        None,
    ))
}
