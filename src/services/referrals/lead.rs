//! A sign-up: a visitor of a referral becomes a lead (from the store's backend or its site's script).

use super::*;

pub struct LeadInput {
    pub referral_id: Option<String>,
    pub visitor_id: Option<String>,
    pub email: String,
    pub external_customer_id: Option<String>,
    /// From the tracking script (anyone can call it): may only name the
    /// person of a referral that has no email yet, never change one.
    pub from_browser: bool,
}

/// A sign-up: the referral (named by id, or the latest of a visitor) becomes
/// a lead. An affiliate's own email is recorded but never credited. One the
/// store's backend reports (`reported_by`, its API key) is audited, which
/// also makes it the effect of its `Idempotency-Key`.
pub async fn record_lead(
    db: &DatabaseConnection,
    store_id: StoreId,
    reported_by: Option<&Actor>,
    input: LeadInput,
) -> ServiceResult<referral::Model> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let external = errors.check(
        "external_customer_id",
        parse_external(input.external_customer_id.as_deref()),
    );
    let referral_id = match input
        .referral_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => errors.check(
            "referral_id",
            Uuid::parse_str(s).map_err(|_| "is not a referral id".to_string()),
        ),
        None => None,
    };
    let visitor_id = match input
        .visitor_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => errors.check(
            "visitor_id",
            Uuid::parse_str(s).map_err(|_| "is not a visitor id".to_string()),
        ),
        None => None,
    };
    if referral_id.is_none()
        && visitor_id.is_none()
        && errors.get("referral_id").is_none()
        && errors.get("visitor_id").is_none()
    {
        errors.add("referral_id", "or visitor_id is required");
    }
    errors.into_result()?;
    let (email, external) = (email.expect("checked"), external.expect("checked"));

    let txn = db::begin_write(db).await?;
    let found = match (referral_id, visitor_id) {
        (Some(id), _) => {
            referral::Entity::find_by_id(id)
                .filter(referral::Column::StoreId.eq(store_id.0))
                .one(&txn)
                .await?
        }
        (None, Some(v)) => {
            referral::Entity::find()
                .filter(referral::Column::StoreId.eq(store_id.0))
                .filter(referral::Column::VisitorId.eq(v))
                .order_by_desc(referral::Column::Id)
                .one(&txn)
                .await?
        }
        _ => None,
    };
    let Some(current) = found else {
        let field = if referral_id.is_some() {
            "referral_id"
        } else {
            "visitor_id"
        };
        return Err(ValidationErrors::single(field, "names no referral of this store").into());
    };
    let affiliate = affiliates::get(&txn, store_id, AffiliateId(current.affiliate_id)).await?;
    let self_referral = is_self_referral(
        affiliates::identity(&affiliate),
        Some(email.as_str()),
        external.as_deref(),
    );
    if input.from_browser && (current.state != ReferralState::Visitor || current.email.is_some()) {
        txn.commit().await?;
        return Ok(current);
    }
    let becomes_lead = current.state.sign_up() != current.state;
    let mut active: referral::ActiveModel = current.clone().into();
    active.email = Set(Some(email.as_str().to_owned()));
    if external.is_some() {
        active.external_customer_id = Set(external);
    }
    active.self_referral = Set(current.self_referral || self_referral);
    if becomes_lead {
        active.state = Set(current.state.sign_up());
        active.lead_at = Set(Some(Utc::now()));
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    if becomes_lead
        && !updated.self_referral
        && let Some(link_id) = updated.link_id
    {
        link::Entity::update_many()
            .col_expr(link::Column::Leads, Expr::col(link::Column::Leads).add(1))
            .filter(link::Column::Id.eq(link_id))
            .exec(&txn)
            .await?;
    }
    events::emit(&txn, store_id, "referral.lead", snapshot(&updated)).await?;
    if let Some(actor) = reported_by {
        audit::record(
            &txn,
            store_id,
            actor,
            "referral.lead",
            "referral",
            Some(updated.id.to_string()),
            json!({"became_lead": becomes_lead}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}
