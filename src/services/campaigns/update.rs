//! Changing a campaign: the changes are merged onto the row as the write
//! transaction reads it (locked), so concurrent changes of different fields
//! both survive.

use super::*;

/// Changes to a campaign, as the form or JSON sent them: `None` keeps what
/// the row holds. `Some("")` clears an optional text field
/// (`recurring_limit`, `first_payment_type`/`first_payment_value`).
#[derive(Debug, Clone, Default)]
pub struct CampaignForUpdate {
    pub name: Option<String>,
    pub website_url: Option<String>,
    pub is_default: Option<bool>,
    pub visibility: Option<String>,
    pub approval_required: Option<bool>,
    pub show_customer_emails: Option<bool>,
    pub affiliates_can_create_links: Option<bool>,
    pub commission_type: Option<String>,
    pub commission_value: Option<String>,
    pub recurring: Option<String>,
    pub recurring_limit: Option<String>,
    pub first_payment_type: Option<String>,
    pub first_payment_value: Option<String>,
    pub cookie_days: Option<String>,
    pub attribution: Option<String>,
    pub discount_percent: Option<String>,
    pub hold_days: Option<String>,
    pub minimum_payout: Option<String>,
}

impl CampaignForUpdate {
    /// Every field (the edit page sends the whole form).
    pub fn all(f: CampaignFields) -> Self {
        CampaignForUpdate {
            name: Some(f.name),
            website_url: Some(f.website_url),
            is_default: Some(f.is_default),
            visibility: Some(f.visibility),
            approval_required: Some(f.approval_required),
            show_customer_emails: Some(f.show_customer_emails),
            affiliates_can_create_links: Some(f.affiliates_can_create_links),
            commission_type: Some(f.commission_type),
            commission_value: Some(f.commission_value),
            recurring: Some(f.recurring),
            recurring_limit: Some(f.recurring_limit),
            first_payment_type: Some(f.first_payment_type),
            first_payment_value: Some(f.first_payment_value),
            cookie_days: Some(f.cookie_days),
            attribution: Some(f.attribution),
            discount_percent: Some(f.discount_percent),
            hold_days: Some(f.hold_days),
            minimum_payout: Some(f.minimum_payout),
        }
    }

    /// These changes over `f` (a stored campaign's fields, or a new one's
    /// defaults).
    pub fn merge_onto(self, mut f: CampaignFields) -> CampaignFields {
        macro_rules! set {
            ($($field:ident),*) => {
                $(if let Some(v) = self.$field {
                    f.$field = v;
                })*
            };
        }
        set!(
            name,
            website_url,
            is_default,
            visibility,
            approval_required,
            show_customer_emails,
            affiliates_can_create_links,
            commission_type,
            commission_value,
            recurring,
            first_payment_type,
            first_payment_value,
            cookie_days,
            attribution,
            discount_percent,
            hold_days,
            minimum_payout
        );
        match self.recurring_limit {
            Some(limit) => f.recurring_limit = limit,
            // Moving to first_payment/lifetime drops a limit that no longer applies.
            None if !matches!(f.recurring.as_str(), "payments" | "months") => {
                f.recurring_limit.clear()
            }
            None => {}
        }
        f
    }
}

async fn get_for_update(
    txn: &db::Txn,
    store_id: StoreId,
    id: CampaignId,
) -> ServiceResult<campaign::Model> {
    let query = campaign::Entity::find_by_id(id).filter(campaign::Column::StoreId.eq(store_id.0));
    db::for_update(txn, query)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn update(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    id: CampaignId,
    changes: CampaignForUpdate,
) -> ServiceResult<campaign::Model> {
    let currency = currency_of(store);
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    let current = get_for_update(&txn, store_id, id).await?;
    let fields = changes.merge_onto(fields_of(&current, currency));
    let rules = CampaignRules::parse(&fields, currency)?;
    if current.is_default && !rules.is_default {
        return Err(ValidationErrors::single(
            "is_default",
            "cannot be turned off here: make another campaign the default instead",
        )
        .into());
    }
    if rules.is_default && current.archived_at.is_some() {
        return Err(ValidationErrors::single(
            "is_default",
            "an archived campaign cannot be the default",
        )
        .into());
    }
    if rules.is_default && !current.is_default {
        clear_other_defaults(&txn, store_id, id).await?;
    }
    let before = snapshot(&current, currency);
    let mut active: campaign::ActiveModel = current.into();
    active.is_default = Set(rules.is_default);
    apply(&mut active, &rules);
    let updated = active.update(&txn).await?;
    let after = snapshot(&updated, currency);
    if before != after {
        audit::record(
            &txn,
            store_id,
            actor,
            "campaign.updated",
            "campaign",
            Some(id.to_string()),
            json!({"before": before, "after": after}),
        )
        .await?;
    }
    crate::services::link_cache::commit(db, txn).await?;
    Ok(updated)
}
