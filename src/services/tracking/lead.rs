//! `POST /api/track/lead`: `Tributary.lead({email})` on a store page names
//! the person of the referral the page holds. Only from the store's own
//! pages (servers use `POST /api/v1/leads`), and never renames a referral
//! that already has a person (`referrals::record_lead`, `from_browser`).

use super::Tracking;
use super::site::{self, Site};
use crate::domain::ReferralId;
use crate::domain::states::ReferralState;
use crate::services::referrals::{self, LeadInput};
use crate::services::{ServiceError, ServiceResult};

#[derive(Debug, Clone, Default)]
pub struct ScriptLead {
    /// The store's slug (the script's `data-store`).
    pub store: String,
    pub referral_id: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LeadOutcome {
    pub referral_id: ReferralId,
    /// The referral's state after the call.
    pub state: ReferralState,
    pub site: Site,
}

pub async fn record(
    t: &Tracking<'_>,
    lead: ScriptLead,
    origin: Option<&str>,
) -> ServiceResult<LeadOutcome> {
    let site = site::resolve(t, &lead.store, origin).await?;
    if site.origin.is_none() {
        return Err(ServiceError::Forbidden(
            "Leads from the tracking script must come from the store's website.".into(),
        ));
    }
    // Clicks may still sit in the writer's queue.
    t.clicks.flush().await;
    let updated = referrals::record_lead(
        t.db,
        site.store_id,
        None,
        LeadInput {
            referral_id: lead.referral_id,
            visitor_id: None,
            email: lead.email.unwrap_or_default(),
            external_customer_id: None,
            from_browser: true,
        },
    )
    .await?;
    Ok(LeadOutcome {
        referral_id: ReferralId(updated.id),
        state: updated.state,
        site,
    })
}
