//! Adding an affiliate (staff, the API): profile, campaign, first link, and
//! Komerza's opening `balance`: money owed from before, written as an
//! opening adjustment through the ledger in the same transaction.

use super::*;

pub struct NewAffiliate {
    pub fields: AffiliateFields,
    pub campaign_id: Option<CampaignId>,
    /// `pending` or `approved`; `None` follows the campaign's approval rule.
    pub status: Option<String>,
    /// A token for the default link; `None` makes one from the name.
    pub link_token: Option<String>,
    /// Set when the affiliate joins through the portal themselves.
    pub signup: Option<PortalSignup>,
}

/// What a portal signup adds to the row: credentials and what fraud review
/// needs (`services::portal::join` parses and hashes it).
pub struct PortalSignup {
    pub password_hash: String,
    pub ip_hash: String,
    pub user_agent: Option<String>,
    pub answers: Vec<crate::domain::portal::SignupAnswer>,
}

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: NewAffiliate,
) -> ServiceResult<affiliate::Model> {
    create_with_balance(db, store, actor, input, None).await
}

/// `create`, with an opening balance (≥ 0 in the store's currency; blank
/// or 0: none), a field error naming `balance` when it is bad.
pub async fn create_with_balance(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: NewAffiliate,
    opening_balance: Option<&str>,
) -> ServiceResult<affiliate::Model> {
    let store_id = StoreId(store.id);
    let mut errors = ValidationErrors::new();
    let opening = match opening_balance.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => errors
            .check(
                "balance",
                crate::domain::money::parse_amount(
                    text,
                    crate::services::campaigns::currency_of(store),
                )
                .map_err(String::from),
            )
            .filter(|minor| *minor > 0),
    };
    let profile = match AffiliateProfile::parse(&input.fields) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let status = match input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match AffiliateStatus::parse(s) {
            Ok(st @ (AffiliateStatus::Pending | AffiliateStatus::Approved)) => Some(st),
            _ => {
                errors.add("status", "must be pending or approved for a new affiliate");
                None
            }
        },
    };
    let token = match input
        .link_token
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(t) => errors.check("link_token", crate::domain::link_token::parse_link_token(t)),
    };
    errors.into_result()?;
    let profile = profile.expect("no errors");

    let txn = db::begin_write(db).await?;
    let campaign = resolve_campaign(&txn, store_id, input.campaign_id.map(|i| i.0)).await?;
    let status = status.unwrap_or(if campaign.approval_required {
        AffiliateStatus::Pending
    } else {
        AffiliateStatus::Approved
    });
    let now = Utc::now();
    let id = Uuid::now_v7();
    let signup = input.signup;
    let answers = match signup.as_ref().map(|s| &s.answers) {
        Some(a) if !a.is_empty() => Some(serde_json::to_string(a).map_err(anyhow::Error::from)?),
        _ => None,
    };
    let created = affiliate::ActiveModel {
        id: Set(id),
        store_id: Set(store.id),
        campaign_id: Set(campaign.id),
        email: Set(profile.email.as_str().to_owned()),
        first_name: Set(profile.first_name.clone()),
        last_name: Set(profile.last_name.clone()),
        payout_email: Set(profile.payout_email.as_ref().map(|e| e.as_str().to_owned())),
        status: Set(status),
        is_enabled: Set(profile.is_enabled),
        external_customer_id: Set(profile.external_customer_id.clone()),
        commission_bp: Set(profile.commission_bp),
        discount_bp: Set(profile.discount_bp),
        rejection_reason: Set(None),
        balance_minor: Set(0),
        sort_name: Set(profile.sort_name()),
        search_text: Set(profile.search_text()),
        status_changed_at: Set(now),
        anonymized_at: Set(None),
        notify_new_commission: Set(true),
        payout_method: Set(crate::domain::payout::PayoutMethod::External),
        notify_payout_paid: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        password_hash: Set(signup.as_ref().map(|s| s.password_hash.clone())),
        signup_ip_hash: Set(signup.as_ref().map(|s| s.ip_hash.clone())),
        signup_user_agent: Set(signup.as_ref().and_then(|s| s.user_agent.clone())),
        signup_answers: Set(answers),
    }
    .insert(&txn)
    .await
    .on_constraint(&AFFILIATE_EMAIL)?;
    record_status(&txn, store_id, id, None, status, None, actor).await?;
    let default_link = links::insert_default(&txn, store_id, &created, token).await?;
    if status == AffiliateStatus::Pending {
        crate::services::email::notify::application(&txn, store, &created, &campaign.name).await?;
    }
    audit::record(&txn, store_id, actor, "affiliate.created", "affiliate", Some(id.to_string()),
        json!({"profile": snapshot(&created), "status": status.as_str(), "link_token": default_link.token, "via_portal": signup.is_some()})).await?;
    let created = match opening {
        None => created,
        Some(minor) => {
            let reason = "Opening balance";
            crate::services::payouts::adjust_in(&txn, store, actor, &created, minor, reason)
                .await?;
            get(&txn, store_id, AffiliateId(id)).await?
        }
    };
    crate::services::link_cache::commit(db, txn).await?;
    Ok(created)
}
