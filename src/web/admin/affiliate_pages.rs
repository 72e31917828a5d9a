//! One affiliate: create, edit (incl. moving campaign), the detail page
//! with links and coupons, delete, and erasure with a confirmation step.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::affiliates::{actions_for, display_name};
use super::campaigns::describe_commission;
use crate::domain::ValidationErrors;
use crate::domain::affiliate::{AffiliateFields, AffiliateStatus};
use crate::domain::campaign::{Commission, CommissionType};
use crate::domain::money::format_minor;
use crate::domain::percent::format_bp;
use crate::domain::{AffiliateId, CampaignId, CouponId, LinkId};
use crate::entities::{affiliate_status_change, coupon};
use crate::services::ServiceError;
use crate::services::affiliates::{self, AffiliateUpdate, NewAffiliate};
use crate::services::campaigns::{self, commission_of, currency_of};
use crate::services::coupons::{self, CouponInput};
use crate::services::links::{self, LinkInput};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, render, see_other};

#[derive(Template)]
#[template(path = "admin/affiliates/form.html")]
struct FormPage {
    shell: Shell,
    affiliate_id: Option<Uuid>,
    form: AffiliateFields,
    campaign_id: String,
    campaigns: Vec<(String, String)>,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    link_token: String,
    errors: ValidationErrors,
}

#[derive(Deserialize)]
pub struct AffiliateForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    payout_email: String,
    #[serde(default)]
    is_enabled: bool,
    #[serde(default)]
    external_customer_id: String,
    #[serde(default)]
    commission_percent: String,
    #[serde(default)]
    discount_percent: String,
    #[serde(default)]
    campaign_id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    link_token: String,
}

impl AffiliateForm {
    fn fields(&self) -> AffiliateFields {
        AffiliateFields {
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            payout_email: self.payout_email.clone(),
            is_enabled: self.is_enabled,
            external_customer_id: self.external_customer_id.clone(),
            commission_percent: self.commission_percent.clone(),
            discount_percent: self.discount_percent.clone(),
        }
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    status_code: StatusCode,
    affiliate_id: Option<Uuid>,
    form: AffiliateFields,
    campaign_id: String,
    status: String,
    link_token: String,
    errors: ValidationErrors,
) -> Result<HttpResponse, WebError> {
    let all = campaigns::list_all(&state.db, staff.access.id()).await?;
    let campaign_id = if campaign_id.is_empty() {
        all.iter()
            .find(|c| c.is_default)
            .map(|c| c.id.to_string())
            .unwrap_or_default()
    } else {
        campaign_id
    };
    let campaigns = all
        .iter()
        .filter(|c| c.archived_at.is_none() || c.id.to_string() == campaign_id)
        .map(|c| {
            (
                c.id.to_string(),
                if c.is_default {
                    format!("{} (default)", c.name)
                } else {
                    c.name.clone()
                },
            )
        })
        .collect();
    render(
        status_code,
        &FormPage {
            shell: Shell::for_staff(staff, "affiliates"),
            affiliate_id,
            form,
            campaign_id,
            campaigns,
            status,
            statuses: vec![
                ("", "As the campaign says"),
                (AffiliateStatus::Pending.as_str(), "Pending approval"),
                (AffiliateStatus::Approved.as_str(), "Approved"),
            ],
            link_token,
            errors,
        },
    )
}

pub async fn new(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let form = AffiliateFields {
        is_enabled: true,
        ..Default::default()
    };
    form_page(
        &state,
        &staff,
        StatusCode::OK,
        None,
        form,
        String::new(),
        String::new(),
        String::new(),
        ValidationErrors::new(),
    )
    .await
}

fn parse_campaign(text: &str) -> Result<Option<Uuid>, ServiceError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(text.trim()).map(Some).map_err(|_| {
        ValidationErrors::single("campaign_id", "is not a campaign of this store").into()
    })
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<AffiliateForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let result = match parse_campaign(&form.campaign_id) {
        Ok(campaign_id) => {
            affiliates::create(
                &state.db,
                &staff.access.store,
                &staff.actor(),
                NewAffiliate {
                    fields: form.fields(),
                    campaign_id: campaign_id.map(CampaignId),
                    status: Some(form.status.clone()),
                    link_token: Some(form.link_token.clone()),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => {
            flash(
                &staff.session,
                "success",
                format!("{} added as {}.", display_name(&a), a.status),
            );
            Ok(see_other(&format!("/admin/affiliates/{}", a.id)))
        }
        Err(ServiceError::Validation(errors)) => {
            form_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                form.fields(),
                form.campaign_id,
                form.status,
                form.link_token,
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let a = affiliates::get(&state.db, staff.access.id(), AffiliateId(*id)).await?;
    form_page(
        &state,
        &staff,
        StatusCode::OK,
        Some(a.id),
        affiliates::fields_of(&a),
        a.campaign_id.to_string(),
        String::new(),
        String::new(),
        ValidationErrors::new(),
    )
    .await
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<AffiliateForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let result = match parse_campaign(&form.campaign_id) {
        Ok(campaign_id) => {
            affiliates::update(
                &state.db,
                staff.access.id(),
                &staff.actor(),
                AffiliateId(*id),
                AffiliateUpdate {
                    fields: form.fields(),
                    campaign_id: campaign_id.map(CampaignId),
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => {
            flash(
                &staff.session,
                "success",
                format!("{} saved.", display_name(&a)),
            );
            Ok(see_other(&format!("/admin/affiliates/{}", a.id)))
        }
        Err(ServiceError::Validation(errors)) => {
            form_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(*id),
                form.fields(),
                form.campaign_id,
                String::new(),
                String::new(),
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct AffiliateView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub status: String,
    pub enabled: bool,
    pub anonymized: bool,
    pub campaign: String,
    pub payout_email: String,
    pub commission: String,
    pub discount: String,
    pub external_customer_id: Option<String>,
    pub balance: String,
    pub joined: String,
    pub rejection_reason: Option<String>,
    pub visitors: i64,
    pub leads: i64,
    pub conversions: i64,
    pub has_money_history: bool,
    pub actions: Vec<(&'static str, &'static str, &'static str)>,
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

#[derive(Template)]
#[template(path = "admin/affiliates/show.html")]
struct ShowPage {
    shell: Shell,
    a: AffiliateView,
    links: Vec<LinkView>,
    coupons: Vec<coupon::Model>,
    history: Vec<affiliate_status_change::Model>,
    link_form: (String, String),
    link_errors: ValidationErrors,
    coupon_form: (String, String),
    coupon_errors: ValidationErrors,
}

async fn show_page(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    status: StatusCode,
    link_form: (String, String),
    link_errors: ValidationErrors,
    coupon_form: (String, String),
    coupon_errors: ValidationErrors,
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
    let base = state.config.public_base();
    let mut links = Vec::new();
    for l in links::of_affiliate(&state.db, store_id, AffiliateId(a.id)).await? {
        links.push(LinkView {
            id: l.id,
            share_url: links::share_url_of(&state.db, &base, &staff.access.store.slug, &l).await?,
            destination: l
                .url
                .clone()
                .unwrap_or_else(|| format!("{} (campaign website)", campaign.website_url)),
            token: l.token,
            visitors: l.visitors,
            leads: l.leads,
            conversions: l.conversions,
        });
    }
    let commission = match a.commission_bp {
        Some(bp) => format!(
            "{} (override)",
            describe_commission(
                Commission {
                    kind: CommissionType::Percentage,
                    value: bp
                },
                currency
            )
        ),
        None => format!(
            "{} (campaign)",
            describe_commission(
                commission_of(&campaign.commission_type, campaign.commission_value),
                currency
            )
        ),
    };
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
        commission,
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
            actions_for(a.status)
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
            link_form,
            link_errors,
            coupon_form,
            coupon_errors,
        },
    )
}

fn empty() -> (String, String) {
    (String::new(), String::new())
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    show_page(
        &state,
        &staff,
        *id,
        StatusCode::OK,
        empty(),
        ValidationErrors::new(),
        empty(),
        ValidationErrors::new(),
    )
    .await
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
        Err(ServiceError::Conflict(message)) => {
            flash(&staff.session, "error", message);
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

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    url: String,
}

pub async fn add_link(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let input = LinkInput {
        token: Some(form.token.clone()),
        url: Some(form.url.clone()),
    };
    match links::create(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        AffiliateId(*id),
        input,
    )
    .await
    {
        Ok(l) => {
            flash(
                &staff.session,
                "success",
                format!("Link {} added.", l.token),
            );
            Ok(see_other(&format!("/admin/affiliates/{id}#links")))
        }
        Err(ServiceError::Validation(errors)) => {
            show_page(
                &state,
                &staff,
                *id,
                StatusCode::UNPROCESSABLE_ENTITY,
                (form.token, form.url),
                errors,
                empty(),
                ValidationErrors::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_link(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let l = links::get(&state.db, staff.access.id(), LinkId(*id)).await?;
    links::delete(&state.db, staff.access.id(), &staff.actor(), LinkId(*id)).await?;
    flash(
        &staff.session,
        "success",
        format!("Link {} deleted.", l.token),
    );
    Ok(see_other(&format!(
        "/admin/affiliates/{}#links",
        l.affiliate_id
    )))
}

#[derive(Deserialize)]
pub struct CouponForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    external_id: String,
}

pub async fn add_coupon(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<CouponForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    // Another store's affiliate is a 404 before any field check.
    affiliates::get(&state.db, staff.access.id(), AffiliateId(*id)).await?;
    let input = CouponInput {
        code: Some(form.code.clone()),
        external_id: Some(form.external_id.clone()),
    };
    match coupons::create(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        AffiliateId(*id),
        input,
    )
    .await
    {
        Ok(c) => {
            flash(
                &staff.session,
                "success",
                format!("Coupon {} added.", c.code),
            );
            Ok(see_other(&format!("/admin/affiliates/{id}#coupons")))
        }
        Err(ServiceError::Validation(errors)) => {
            show_page(
                &state,
                &staff,
                *id,
                StatusCode::UNPROCESSABLE_ENTITY,
                empty(),
                ValidationErrors::new(),
                (form.code, form.external_id),
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_coupon(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = coupons::get(&state.db, staff.access.id(), CouponId(*id)).await?;
    coupons::delete(&state.db, staff.access.id(), &staff.actor(), CouponId(*id)).await?;
    flash(
        &staff.session,
        "success",
        format!("Coupon {} deleted.", c.code),
    );
    Ok(see_other(&format!(
        "/admin/affiliates/{}#coupons",
        c.affiliate_id
    )))
}
