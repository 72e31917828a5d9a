//! Campaign pages: list, create, edit, archive/restore, delete.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::CampaignId;
use crate::domain::campaign::{CampaignFields, Commission, Recurring};
use crate::domain::money::format_minor;
use crate::domain::{Currency, ValidationErrors};
use crate::services::campaigns::{self, Campaign, commission_of, currency_of};
use crate::services::{ServiceError, UseCaseError};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, render, see_other};

/// A campaign as its list row shows it.
pub struct CampaignRow {
    pub id: Uuid,
    pub name: String,
    pub website_url: String,
    pub is_default: bool,
    pub archived: bool,
    pub commission: String,
    pub first_payment: Option<String>,
    pub recurring: String,
    pub cookie_days: i32,
    pub hold_days: i32,
    pub signup: String,
    /// Filled by the list page (`with_figures`); empty elsewhere.
    pub affiliates: i64,
    pub revenue: String,
    pub commissions: String,
}

pub fn describe_commission(c: Commission, currency: Currency) -> String {
    match c.kind {
        crate::domain::campaign::CommissionType::Percentage => {
            format!("{}%", c.value_text(currency))
        }
        crate::domain::campaign::CommissionType::Fixed => {
            format!("{} {} per sale", c.value_text(currency), currency)
        }
    }
}

/// How long a referral keeps earning.
pub fn describe_recurring(recurring: Recurring, limit: Option<i32>) -> String {
    match (recurring, limit) {
        (Recurring::FirstPayment, _) => "first payment only".into(),
        (Recurring::Payments, Some(n)) => format!("{n} payments"),
        (Recurring::Months, Some(n)) => format!("{n} months"),
        _ => "lifetime".into(),
    }
}

impl CampaignRow {
    pub fn new(c: &Campaign, currency: Currency) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            website_url: c.website_url.clone(),
            is_default: c.is_default,
            archived: c.archived_at.is_some(),
            commission: describe_commission(
                commission_of(&c.commission_type, c.commission_value),
                currency,
            ),
            first_payment: match (&c.first_payment_type, c.first_payment_value) {
                (Some(k), Some(v)) => Some(describe_commission(commission_of(k, v), currency)),
                _ => None,
            },
            recurring: describe_recurring(
                Recurring::parse(&c.recurring).unwrap_or(Recurring::Lifetime),
                c.recurring_limit,
            ),
            cookie_days: c.cookie_days,
            hold_days: c.hold_days,
            signup: format!(
                "{}{}",
                if c.visibility == "public" {
                    "public"
                } else {
                    "invite only"
                },
                if c.approval_required {
                    ", approval"
                } else {
                    ", automatic"
                }
            ),
            affiliates: 0,
            revenue: String::new(),
            commissions: String::new(),
        }
    }

    fn with_figures(mut self, f: campaigns::CampaignFigures, currency: Currency) -> Self {
        self.affiliates = f.affiliates;
        self.revenue = format!("{} {currency}", format_minor(f.revenue_minor, currency));
        self.commissions = format!("{} {currency}", format_minor(f.commission_minor, currency));
        self
    }
}

#[derive(Template)]
#[template(path = "admin/campaigns/index.html")]
struct IndexPage {
    shell: Shell,
    campaigns: Vec<CampaignRow>,
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let currency = currency_of(&staff.access.store);
    let campaigns = campaigns::list_all(&state.db, staff.access.id()).await?;
    let figures = campaigns::figures(&state.db, staff.access.id()).await?;
    page(&IndexPage {
        shell: Shell::for_staff(&staff, "campaigns"),
        campaigns: campaigns
            .iter()
            .map(|c| {
                CampaignRow::new(c, currency)
                    .with_figures(figures.get(&c.id).copied().unwrap_or_default(), currency)
            })
            .collect(),
    })
}

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

/// A refusal (default campaign, campaign in use) is a message on the page
/// the person came from, not an error page.
fn refused<R: std::fmt::Display>(
    staff: &Staff,
    id: Uuid,
    err: UseCaseError<R>,
) -> Result<HttpResponse, WebError> {
    match err {
        UseCaseError::Refused(why) => {
            flash(&staff.session, "error", why.to_string());
            Ok(see_other(&format!("/admin/campaigns/{id}/edit")))
        }
        UseCaseError::Failed(other) => Err(other.into()),
    }
}

pub async fn archive(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    match campaigns::archive(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CampaignId(*id),
    )
    .await
    {
        Ok(c) => {
            flash(
                &staff.session,
                "success",
                format!("Campaign “{}” archived.", c.name),
            );
            Ok(see_other("/admin/campaigns"))
        }
        Err(e) => refused(&staff, *id, e),
    }
}

pub async fn restore(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = campaigns::restore(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CampaignId(*id),
    )
    .await?;
    flash(
        &staff.session,
        "success",
        format!("Campaign “{}” restored.", c.name),
    );
    Ok(see_other("/admin/campaigns"))
}

pub async fn delete(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    match campaigns::delete(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CampaignId(*id),
        false,
    )
    .await
    {
        Ok(_) => {
            flash(&staff.session, "success", "Campaign deleted.");
            Ok(see_other("/admin/campaigns"))
        }
        Err(e) => refused(&staff, *id, e),
    }
}
