//! The store's Settings page: name, slug, currency; tracking and Stripe;
//! the affiliate portal's look and join questions.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::{Currency, ValidationErrors};
use crate::services::ServiceError;
use crate::services::portal::look::{self, LookInput};
use crate::services::stores::{self, SettingsInput, Store};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, render, see_other};

/// The tracking script as this store pastes it, and whether it ran yet.
pub struct TrackingSetup {
    pub snippet: String,
    pub script_seen: Option<String>,
    /// Where the store's Stripe webhook endpoint points.
    pub webhook_url: String,
}

impl TrackingSetup {
    pub fn of(state: &AppState, store: &Store) -> Self {
        let base = state.config.public_base();
        TrackingSetup {
            snippet: format!(
                r#"<script src="{base}/t.js" data-store="{}" async></script>"#,
                store.slug
            ),
            webhook_url: format!("{base}/webhooks/stripe/{}", store.slug),
            script_seen: store
                .script_seen_at
                .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    shell: Shell,
    tracking: TrackingSetup,
    form: SettingsForm,
    errors: ValidationErrors,
    currencies: Vec<&'static str>,
    can_edit: bool,
    public_base: String,
    stripe_configured: bool,
    look: LookInput,
    portal_url: String,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    link_hosts: String,
}

/// The page, with `form` and `look` as given and `errors` beside them.
fn settings_page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    form: SettingsForm,
    look: LookInput,
    errors: ValidationErrors,
) -> Result<HttpResponse, WebError> {
    let store = &staff.access.store;
    render(
        status,
        &SettingsPage {
            can_edit: staff.access.role.can_edit_settings(),
            shell: Shell::for_staff(staff, "settings"),
            tracking: TrackingSetup::of(state, store),
            form,
            errors,
            currencies: Currency::all_codes(),
            public_base: state.config.public_base(),
            stripe_configured: store.stripe_secret_sealed.is_some(),
            look,
            portal_url: format!("{}/a/{}/join", state.config.public_base(), store.slug),
        },
    )
}

fn saved_form(store: &Store) -> SettingsForm {
    SettingsForm {
        name: store.name.clone(),
        slug: store.slug.clone(),
        currency: store.currency.clone(),
        link_hosts: store.link_hosts.clone(),
    }
}

pub async fn form(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let store = &staff.access.store;
    settings_page(
        &state,
        &staff,
        StatusCode::OK,
        saved_form(store),
        look::current(store),
        ValidationErrors::new(),
    )
}

pub async fn submit(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let input = SettingsInput {
        name: form.name.clone(),
        slug: form.slug.clone(),
        currency: form.currency.clone(),
        link_hosts: form.link_hosts.clone(),
    };
    match stores::update_settings(&state.db, &staff.access, &staff.actor(), input).await {
        Ok(_) => {
            flash(&staff.session, "success", "Settings saved.");
            Ok(see_other("/admin/settings"))
        }
        Err(ServiceError::Validation(errors)) => settings_page(
            &state,
            &staff,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            look::current(&staff.access.store),
            errors,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StripeForm {
    #[serde(default)]
    stripe_secret: String,
}

pub async fn stripe(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<StripeForm>,
) -> Result<HttpResponse, WebError> {
    match crate::services::stripe::set_secret(
        &state.db,
        &state.config.secret_key,
        &staff.access,
        &staff.actor(),
        Some(&form.stripe_secret),
    )
    .await
    {
        Ok(()) => {
            flash(&staff.session, "success", "Stripe signing secret saved.");
            Ok(see_other("/admin/settings#stripe"))
        }
        Err(ServiceError::Validation(errors)) => {
            let store = &staff.access.store;
            settings_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                saved_form(store),
                look::current(store),
                errors,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PortalForm {
    #[serde(default)]
    logo_url: String,
    #[serde(default)]
    accent_color: String,
    #[serde(default)]
    signup_questions: String,
}

pub async fn portal(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<PortalForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let input = LookInput {
        logo_url: form.logo_url,
        accent_color: form.accent_color,
        signup_questions: form.signup_questions,
    };
    match look::update(&state.db, &staff.access, &staff.actor(), input.clone()).await {
        Ok(_) => {
            flash(&staff.session, "success", "Portal settings saved.");
            Ok(see_other("/admin/settings#portal"))
        }
        Err(ServiceError::Validation(errors)) => settings_page(
            &state,
            &staff,
            StatusCode::UNPROCESSABLE_ENTITY,
            saved_form(&staff.access.store),
            input,
            errors,
        ),
        Err(e) => Err(e.into()),
    }
}
