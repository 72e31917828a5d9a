//! Changing an affiliate's profile and campaign.

use super::*;
use crate::domain::payout::PayoutMethod;

/// Changes to an affiliate, as the form or JSON sent them: `None` keeps what
/// the row holds when the write transaction reads it (locked), so two
/// concurrent changes of different fields both survive. `Some("")` clears an
/// optional text field.
#[derive(Debug, Clone, Default)]
pub struct AffiliateForUpdate {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub payout_email: Option<String>,
    pub is_enabled: Option<bool>,
    pub external_customer_id: Option<String>,
    pub commission_percent: Option<String>,
    pub discount_percent: Option<String>,
    /// Moves the affiliate to another campaign.
    pub campaign_id: Option<CampaignId>,
    /// The affiliate's own settings (the portal's Settings page).
    pub payout_method: Option<PayoutMethod>,
    pub notify_new_commission: Option<bool>,
    pub notify_payout_paid: Option<bool>,
}

impl AffiliateForUpdate {
    /// Every field (the edit page sends the whole form).
    pub fn all(f: AffiliateFields, campaign_id: Option<CampaignId>) -> Self {
        AffiliateForUpdate {
            email: Some(f.email),
            first_name: Some(f.first_name),
            last_name: Some(f.last_name),
            payout_email: Some(f.payout_email),
            is_enabled: Some(f.is_enabled),
            external_customer_id: Some(f.external_customer_id),
            commission_percent: Some(f.commission_percent),
            discount_percent: Some(f.discount_percent),
            campaign_id,
            ..Default::default()
        }
    }

    fn merge_onto(self, mut f: AffiliateFields) -> AffiliateFields {
        fn keep_or<T>(slot: &mut T, new: Option<T>) {
            if let Some(v) = new {
                *slot = v;
            }
        }
        keep_or(&mut f.email, self.email);
        keep_or(&mut f.first_name, self.first_name);
        keep_or(&mut f.last_name, self.last_name);
        keep_or(&mut f.payout_email, self.payout_email);
        keep_or(&mut f.is_enabled, self.is_enabled);
        keep_or(&mut f.external_customer_id, self.external_customer_id);
        keep_or(&mut f.commission_percent, self.commission_percent);
        keep_or(&mut f.discount_percent, self.discount_percent);
        f
    }
}

/// The affiliate's own settings after the change.
struct Settings {
    payout_method: PayoutMethod,
    notify_new_commission: bool,
    notify_payout_paid: bool,
}

/// `snapshot` plus the affiliate's own settings, so a Settings change is
/// audited with its before and after.
fn snapshot_with_settings(a: &affiliate::Model) -> serde_json::Value {
    let mut v = snapshot(a);
    v["payout_method"] = json!(a.payout_method.as_str());
    v["notify_new_commission"] = json!(a.notify_new_commission);
    v["notify_payout_paid"] = json!(a.notify_payout_paid);
    v
}

async fn get_for_update(
    txn: &db::Txn,
    store_id: StoreId,
    id: AffiliateId,
) -> ServiceResult<affiliate::Model> {
    let query = affiliate::Entity::find_by_id(id).filter(affiliate::Column::StoreId.eq(store_id.0));
    db::for_update(txn, query)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn update(
    db: &DatabaseConnection,
    store_id: StoreId,
    actor: &Actor,
    id: AffiliateId,
    changes: AffiliateForUpdate,
) -> ServiceResult<affiliate::Model> {
    let txn = db::begin_write(db).await?;
    let current = get_for_update(&txn, store_id, id).await?;
    if current.anonymized_at.is_some() {
        return Err(ServiceError::Conflict(
            "This affiliate's personal data was erased; the record can no longer be edited.".into(),
        ));
    }
    let campaign_change = changes.campaign_id;
    let settings = Settings {
        payout_method: changes.payout_method.unwrap_or(current.payout_method),
        notify_new_commission: changes
            .notify_new_commission
            .unwrap_or(current.notify_new_commission),
        notify_payout_paid: changes
            .notify_payout_paid
            .unwrap_or(current.notify_payout_paid),
    };
    let profile = AffiliateProfile::parse(&changes.merge_onto(fields_of(&current)))?;
    // Store credit is granted to the store's customer account: without one
    // the payouts code refuses it (`payouts::create`), so it is not offered.
    if settings.payout_method == PayoutMethod::StoreCredit && profile.external_customer_id.is_none()
    {
        return Err(ValidationErrors::single(
            "payout_method",
            "store credit needs a customer account in the store; ask the store to link yours",
        )
        .into());
    }
    let campaign_id = match campaign_change {
        Some(cid) if cid != CampaignId(current.campaign_id) => {
            resolve_campaign(&txn, store_id, Some(cid.0)).await?.id
        }
        _ => current.campaign_id,
    };
    let before = snapshot_with_settings(&current);
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
    active.payout_method = Set(settings.payout_method);
    active.notify_new_commission = Set(settings.notify_new_commission);
    active.notify_payout_paid = Set(settings.notify_payout_paid);
    active.sort_name = Set(profile.sort_name());
    active.search_text = Set(profile.search_text());
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await.on_constraint(&AFFILIATE_EMAIL)?;
    if !updated.is_enabled {
        // Disabled: their portal sessions end now.
        crate::services::sessions::revoke_all_for_affiliate(&txn, updated.id).await?;
    }
    let after = snapshot_with_settings(&updated);
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
