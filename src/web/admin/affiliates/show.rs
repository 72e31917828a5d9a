//! One affiliate's page: profile, the commission that applies (as the engine
//! decides it), performance, links, coupons and status history; delete, and
//! erasure with a confirmation step.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::{ActionButton, buttons_for};
use crate::domain::Currency;
use crate::domain::campaign::Recurring;
use crate::domain::commission::{RuleSource, Terms, rule_for};
use crate::domain::money::format_minor;
use crate::domain::payout::PayoutMethod;
use crate::domain::percent::format_bp;
use crate::domain::{AffiliateId, CampaignId, ValidationErrors};
use crate::services::UseCaseError;
use crate::services::affiliates::{self, DeleteAffiliateError, StatusChange, display_name};
use crate::services::campaigns::{self, currency_of, terms_of};
use crate::services::coupons::{self, Coupon};
use crate::services::links;
use crate::services::portal::staff::{self as portal_staff, PortalReview};
use crate::web::admin::campaigns::{describe_commission, describe_recurring};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, render, see_other};

pub struct AffiliateView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub status: String,
    pub enabled: bool,
    pub anonymized: bool,
    pub campaign: String,
    pub payout_email: String,
    /// How the affiliate would like to be paid (their portal setting);
    /// staff still choose the method when they create a payout.
    pub prefers: &'static str,
    /// What a referral's first sale earns, and what later ones earn.
    pub first_payment: String,
    pub later_payments: String,
    pub discount: String,
    pub external_customer_id: Option<String>,
    pub balance: String,
    pub joined: String,
    pub rejection_reason: Option<String>,
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
    pub has_money_history: bool,
    pub actions: Vec<ActionButton>,
}

pub struct LinkView {
    pub id: Uuid,
    pub token: String,
    pub share_url: String,
    pub destination: String,
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
}

/// The add-a-link and add-a-coupon forms as they were sent, with their
/// messages (empty on a plain visit).
#[derive(Default)]
pub struct AddForms {
    /// (token, url)
    pub link: (String, String),
    pub link_errors: ValidationErrors,
    /// (code, external id)
    pub coupon: (String, String),
    pub coupon_errors: ValidationErrors,
    /// A portal invite link just made (shown once) and until when it works.
    pub invite_link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin/affiliates/show.html")]
struct ShowPage {
    shell: Shell,
    a: AffiliateView,
    links: Vec<LinkView>,
    coupons: Vec<Coupon>,
    history: Vec<StatusChange>,
    forms: AddForms,
    portal: PortalReview,
    portal_url: String,
}

/// The rule that prices a referral's first sale or a later one, with where
/// it comes from: `rule_for` is what the commission engine prices with.
fn describe_rule(terms: &Terms, first: bool, currency: Currency) -> String {
    let (rule, source) = rule_for(terms, first);
    let source = match source {
        RuleSource::FirstPayment => "campaign's first-payment rule",
        RuleSource::AffiliateOverride => "override",
        RuleSource::Campaign => "campaign",
    };
    format!("{} ({source})", describe_commission(rule, currency))
}

fn later_payments(terms: &Terms, currency: Currency) -> String {
    match terms.recurring {
        Recurring::FirstPayment => "none: the campaign pays on the first payment only".into(),
        Recurring::Lifetime => describe_rule(terms, false, currency),
        limited => format!(
            "{}, up to {}",
            describe_rule(terms, false, currency),
            describe_recurring(limited, terms.recurring_limit)
        ),
    }
}

pub async fn show_page(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    status: StatusCode,
    forms: AddForms,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let currency = currency_of(&staff.access.store);
    let a = affiliates::get(&state.db, store_id, AffiliateId(id)).await?;
    let campaign = campaigns::get(&state.db, store_id, CampaignId(a.campaign_id)).await?;
    let counters = affiliates::counters(&state.db, store_id, &[AffiliateId(a.id)])
        .await?
        .get(&a.id)
        .copied()
        .unwrap_or_default();
    let affiliate_links = links::of_affiliate(&state.db, store_id, AffiliateId(a.id)).await?;
    let share_urls = links::share_urls(
        &state.db,
        &state.config.public_base(),
        &staff.access.store.slug,
        &affiliate_links,
    )
    .await?;
    let links = affiliate_links
        .into_iter()
        .zip(share_urls)
        .map(|(l, share_url)| LinkView {
            id: l.id,
            share_url,
            destination: l
                .url
                .clone()
                .unwrap_or_else(|| format!("{} (campaign website)", campaign.website_url)),
            token: l.token,
            visitors: l.visitors,
            leads: l.leads,
            conversions: l.conversions,
        })
        .collect();
    let terms = terms_of(&campaign, a.commission_bp);
    let discount = match a.discount_bp {
        Some(bp) => format!("{}% (override)", format_bp(bp)),
        None => format!("{}% (campaign)", format_bp(campaign.discount_bp)),
    };
    let view = AffiliateView {
        id: a.id,
        name: display_name(&a),
        email: a.email.clone(),
        status: a.status.to_string(),
        enabled: a.is_enabled,
        anonymized: a.anonymized_at.is_some(),
        campaign: campaign.name.clone(),
        payout_email: a.payout_email.clone().unwrap_or_else(|| a.email.clone()),
        prefers: match a.payout_method {
            PayoutMethod::External => "to their payout email",
            PayoutMethod::StoreCredit => "as store credit",
        },
        first_payment: describe_rule(&terms, true, currency),
        later_payments: later_payments(&terms, currency),
        discount,
        external_customer_id: a.external_customer_id.clone(),
        balance: format!("{} {}", format_minor(a.balance_minor, currency), currency),
        joined: a.created_at.format("%Y-%m-%d").to_string(),
        rejection_reason: a.rejection_reason.clone(),
        visitors: counters.visitors,
        leads: counters.leads,
        conversions: counters.conversions,
        has_money_history: affiliates::has_money_history(&state.db, &a).await?,
        actions: if a.anonymized_at.is_some() {
            vec![]
        } else {
            buttons_for(a.status)
        },
    };
    render(
        status,
        &ShowPage {
            shell: Shell::for_staff(staff, "affiliates"),
            a: view,
            links,
            coupons: coupons::of_affiliate(&state.db, store_id, AffiliateId(a.id)).await?,
            history: affiliates::status_history(&state.db, store_id, AffiliateId(a.id)).await?,
            forms,
            portal: portal_staff::review(&state.db, store_id, AffiliateId(a.id)).await?,
            portal_url: format!(
                "{}/a/{}/",
                state.config.public_base(),
                staff.access.store.slug
            ),
        },
    )
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    show_page(&state, &staff, *id, StatusCode::OK, AddForms::default()).await
}

pub async fn delete(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    match affiliates::delete(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        AffiliateId(*id),
    )
    .await
    {
        Ok(()) => {
            flash(&staff.session, "success", "Affiliate deleted.");
            Ok(see_other("/admin/affiliates"))
        }
        Err(UseCaseError::Refused(why @ DeleteAffiliateError::HasMoneyHistory)) => {
            flash(&staff.session, "error", why.to_string());
            Ok(see_other(&format!("/admin/affiliates/{id}")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/affiliates/erase.html")]
struct ErasePage {
    shell: Shell,
    id: Uuid,
    name: String,
}

pub async fn erase_confirm(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let a = affiliates::get(&state.db, staff.access.id(), AffiliateId(*id)).await?;
    page(&ErasePage {
        name: display_name(&a),
        id: a.id,
        shell: Shell::for_staff(&staff, "affiliates"),
    })
}

pub async fn erase(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    affiliates::anonymize(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        AffiliateId(*id),
    )
    .await?;
    flash(
        &staff.session,
        "success",
        "Personal data erased. The anonymous record and its money history remain.",
    );
    Ok(see_other(&format!("/admin/affiliates/{id}")))
}
