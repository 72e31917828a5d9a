//! The campaign form: `GET /admin/campaigns/new` and `POST /admin/campaigns`,
//! `GET /admin/campaigns/{id}/edit` and `POST /admin/campaigns/{id}`. A
//! refused form comes back with each field's message next to it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::CampaignId;
use crate::domain::ValidationErrors;
use crate::domain::campaign::CampaignFields;
use crate::services::ServiceError;
use crate::services::campaigns::{self, currency_of};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, render, see_other};

type Options = Vec<(&'static str, &'static str)>;

#[derive(Template)]
#[template(path = "admin/campaigns/form.html")]
struct FormPage {
    shell: Shell,
    campaign_id: Option<Uuid>,
    archived: bool,
    form: CampaignFields,
    errors: ValidationErrors,
    currency: &'static str,
    visibility_options: Options,
    commission_types: Options,
    recurring_options: Options,
    first_payment_types: Options,
    attribution_options: Options,
}

fn form_page(
    staff: &Staff,
    id: Option<Uuid>,
    archived: bool,
    form: CampaignFields,
    errors: ValidationErrors,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    render(
        status,
        &FormPage {
            shell: Shell::for_staff(staff, "campaigns"),
            campaign_id: id,
            archived,
            form,
            errors,
            currency: currency_of(&staff.access.store).code(),
            visibility_options: vec![("public", "Public"), ("invite_only", "Invite only")],
            commission_types: vec![
                ("percentage", "Percentage of the sale"),
                ("fixed", "Fixed amount"),
            ],
            recurring_options: vec![
                ("lifetime", "Every payment (lifetime)"),
                ("first_payment", "First payment only"),
                ("payments", "A number of payments"),
                ("months", "A number of months"),
            ],
            first_payment_types: vec![
                ("", "None"),
                ("percentage", "Percentage"),
                ("fixed", "Fixed amount"),
            ],
            attribution_options: vec![("first_click", "First click"), ("last_click", "Last click")],
        },
    )
}

/// The form as posted; unchecked boxes are absent, hence false.
#[derive(Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    website_url: String,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    approval_required: bool,
    #[serde(default)]
    show_customer_emails: bool,
    #[serde(default)]
    affiliates_can_create_links: bool,
    #[serde(default)]
    commission_type: String,
    #[serde(default)]
    commission_value: String,
    #[serde(default)]
    recurring: String,
    #[serde(default)]
    recurring_limit: String,
    #[serde(default)]
    first_payment_type: String,
    #[serde(default)]
    first_payment_value: String,
    #[serde(default)]
    cookie_days: String,
    #[serde(default)]
    attribution: String,
    #[serde(default)]
    discount_percent: String,
    #[serde(default)]
    hold_days: String,
    #[serde(default)]
    minimum_payout: String,
}

impl From<CampaignForm> for CampaignFields {
    fn from(f: CampaignForm) -> Self {
        CampaignFields {
            name: f.name,
            website_url: f.website_url,
            is_default: f.is_default,
            visibility: f.visibility,
            approval_required: f.approval_required,
            show_customer_emails: f.show_customer_emails,
            affiliates_can_create_links: f.affiliates_can_create_links,
            commission_type: f.commission_type,
            commission_value: f.commission_value,
            recurring: f.recurring,
            recurring_limit: f.recurring_limit,
            first_payment_type: f.first_payment_type,
            first_payment_value: f.first_payment_value,
            cookie_days: f.cookie_days,
            attribution: f.attribution,
            discount_percent: f.discount_percent,
            hold_days: f.hold_days,
            minimum_payout: f.minimum_payout,
        }
    }
}

pub async fn new(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let mut fields = CampaignFields::defaults();
    // The store's first campaign becomes its default whatever the switch
    // says: the switch shows it.
    fields.is_default = campaigns::default_campaign(&state.db, staff.access.id())
        .await?
        .is_none();
    form_page(
        &staff,
        None,
        false,
        fields,
        ValidationErrors::new(),
        StatusCode::OK,
    )
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<CampaignForm>,
) -> Result<HttpResponse, WebError> {
    let fields: CampaignFields = form.into_inner().into();
    match campaigns::create(&state.db, &staff.access.store, &staff.actor(), &fields).await {
        Ok(c) => {
            flash(
                &staff.session,
                "success",
                format!("Campaign “{}” created.", c.name),
            );
            Ok(see_other("/admin/campaigns"))
        }
        Err(ServiceError::Validation(errors)) => form_page(
            &staff,
            None,
            false,
            fields,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = campaigns::get(&state.db, staff.access.id(), CampaignId(*id)).await?;
    let fields = campaigns::fields_of(&c, currency_of(&staff.access.store));
    form_page(
        &staff,
        Some(c.id),
        c.archived_at.is_some(),
        fields,
        ValidationErrors::new(),
        StatusCode::OK,
    )
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<CampaignForm>,
) -> Result<HttpResponse, WebError> {
    let fields: CampaignFields = form.into_inner().into();
    match campaigns::update(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        CampaignId(*id),
        campaigns::CampaignForUpdate::all(fields.clone()),
    )
    .await
    {
        Ok(c) => {
            flash(
                &staff.session,
                "success",
                format!("Campaign “{}” saved.", c.name),
            );
            Ok(see_other("/admin/campaigns"))
        }
        Err(ServiceError::Validation(errors)) => {
            let archived = campaigns::get(&state.db, staff.access.id(), CampaignId(*id))
                .await?
                .archived_at
                .is_some();
            form_page(
                &staff,
                Some(*id),
                archived,
                fields,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}
