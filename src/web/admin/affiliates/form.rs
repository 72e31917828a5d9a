//! Creating and editing an affiliate (incl. moving them to another campaign).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::affiliate::{AffiliateFields, AffiliateStatus};
use crate::domain::{AffiliateId, CampaignId, ValidationErrors};
use crate::services::ServiceError;
use crate::services::affiliates::{self, AffiliateForUpdate, NewAffiliate, display_name};
use crate::services::campaigns;
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, render, see_other};

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
    /// The opening balance (new affiliates only).
    balance: String,
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
    #[serde(default)]
    balance: String,
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
    balance: String,
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
            balance,
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
            affiliates::create_with_balance(
                &state.db,
                &staff.access.store,
                &staff.actor(),
                NewAffiliate {
                    fields: form.fields(),
                    campaign_id: campaign_id.map(CampaignId),
                    status: Some(form.status.clone()),
                    link_token: Some(form.link_token.clone()),
                    signup: None,
                },
                Some(form.balance.as_str()),
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
                form.balance,
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
                AffiliateForUpdate::all(form.fields(), campaign_id.map(CampaignId)),
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
                String::new(),
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
