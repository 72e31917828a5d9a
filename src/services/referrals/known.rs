//! Referrals of people the store already knows (manual, coupon customers, hand-attributed sales), and the click a browser adopts.

use super::*;

/// A referral for a person the store already knows (a manual referral, a
/// coupon customer, a sale attributed by hand): a lead from the start, with
/// the affiliate's current campaign and cookie duration.
pub struct KnownPerson<'a> {
    pub affiliate: &'a affiliate::Model,
    pub source: ReferralSource,
    pub email: Option<String>,
    pub external_customer_id: Option<String>,
    pub coupon_id: Option<CouponId>,
}

pub async fn insert_known(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    person: KnownPerson<'_>,
) -> ServiceResult<referral::Model> {
    let campaign = campaigns::get(conn, store_id, CampaignId(person.affiliate.campaign_id)).await?;
    let created = known_row(store_id, &campaign, person);
    let created = referral::ActiveModel::from(created).insert(conn).await?;
    events::emit(conn, store_id, "referral.created", snapshot(&created)).await?;
    Ok(created)
}

/// The referral row of a person the store knows, under the affiliate's campaign
/// (for callers that stage it rather than insert it at once).
pub fn known_row(
    store_id: StoreId,
    campaign: &campaign::Model,
    person: KnownPerson<'_>,
) -> referral::Model {
    let now = db::stored_now();
    referral::Model {
        id: Uuid::now_v7(),
        store_id: store_id.0,
        affiliate_id: person.affiliate.id,
        campaign_id: campaign.id,
        link_id: None,
        coupon_id: person.coupon_id.map(|i| i.0),
        visitor_id: None,
        state: ReferralState::Lead,
        self_referral: is_self_referral(
            affiliates::identity(person.affiliate),
            person.email.as_deref(),
            person.external_customer_id.as_deref(),
        ),
        email: person.email,
        external_customer_id: person.external_customer_id,
        ip_hash: None,
        user_agent: None,
        source: person.source,
        sale_count: 0,
        first_sale_at: None,
        expires_at: now + Duration::days(campaign.cookie_days as i64),
        lead_at: Some(now),
        converted_at: None,
        erased_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Claims a click for the one browser that takes its referral from
/// `tb_ref`; false when another browser took it first.
pub async fn adopt_click(
    conn: &impl ConnectionTrait,
    visit_id: VisitId,
    now: chrono::DateTime<Utc>,
) -> ServiceResult<bool> {
    let claimed = visit::Entity::update_many()
        .col_expr(visit::Column::AdoptedAt, Expr::value(Some(now)))
        .filter(visit::Column::Id.eq(visit_id))
        .filter(visit::Column::AdoptedAt.is_null())
        .exec(conn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

pub struct ManualReferral {
    pub affiliate_id: AffiliateId,
    pub email: String,
    pub external_customer_id: Option<String>,
}

/// A referral recorded by hand (the store knows who sent this customer).
pub async fn create_manual(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    input: ManualReferral,
) -> ServiceResult<referral::Model> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let external = errors.check(
        "external_customer_id",
        parse_external(input.external_customer_id.as_deref()),
    );
    let txn = db::begin_write(db).await?;
    let affiliate = affiliates::get(&txn, store_id, input.affiliate_id)
        .await
        .ok();
    if affiliate.is_none() {
        errors.add("affiliate_id", "is not an affiliate of this store");
    }
    errors.into_result()?;
    let (email, external, affiliate) = (
        email.expect("checked"),
        external.expect("checked"),
        affiliate.expect("checked"),
    );
    let created = insert_known(
        &txn,
        store_id,
        KnownPerson {
            affiliate: &affiliate,
            source: ReferralSource::Manual,
            email: Some(email.as_str().to_owned()),
            external_customer_id: external,
            coupon_id: None,
        },
    )
    .await?;
    audit::record(
        &txn,
        store_id,
        actor,
        "referral.created",
        "referral",
        Some(created.id.to_string()),
        snapshot(&created),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}
