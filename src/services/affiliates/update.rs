//! Changing an affiliate's profile and campaign.

use super::*;

pub struct AffiliateUpdate {
    pub fields: AffiliateFields,
    pub campaign_id: Option<CampaignId>,
}

pub async fn update(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    input: AffiliateUpdate,
) -> ServiceResult<affiliate::Model> {
    let txn = db::begin_write(db).await?;
    let current = get(&txn, store_id, id).await?;
    if current.anonymized_at.is_some() {
        return Err(ServiceError::Conflict(
            "This affiliate's personal data was erased; the record can no longer be edited.".into(),
        ));
    }
    let profile = AffiliateProfile::parse(&input.fields)?;
    let campaign_id = match input.campaign_id {
        Some(cid) if cid != CampaignId(current.campaign_id) => {
            resolve_campaign(&txn, store_id, Some(cid.0)).await?.id
        }
        _ => current.campaign_id,
    };
    if email_in_use(&txn, store_id, profile.email.as_str(), Some(id)).await? {
        return Err(email_taken());
    }
    let before = snapshot(&current);
    let mut active: affiliate::ActiveModel = current.into();
    active.campaign_id = Set(campaign_id);
    active.email = Set(profile.email.as_str().to_owned());
    active.first_name = Set(profile.first_name.clone());
    active.last_name = Set(profile.last_name.clone());
    active.payout_email = Set(profile.payout_email.as_ref().map(|e| e.as_str().to_owned()));
    active.is_enabled = Set(profile.is_enabled);
    active.external_customer_id = Set(profile.external_customer_id.clone());
    active.commission_bp = Set(profile.commission_bp);
    active.discount_bp = Set(profile.discount_bp);
    active.sort_name = Set(profile.sort_name());
    active.search_text = Set(profile.search_text());
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await.map_err(|e| {
        if db::is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    let after = snapshot(&updated);
    if before != after {
        let action = if before["campaign_id"] != after["campaign_id"] {
            "affiliate.campaign_changed"
        } else {
            "affiliate.updated"
        };
        audit::record(
            &txn,
            store_id,
            actor,
            action,
            "affiliate",
            Some(id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    crate::services::link_cache::commit(db, txn).await?;
    Ok(updated)
}
