//! `/a/{slug}/settings`: the affiliate's profile (name, payout email and
//! method), notification preferences and password. Three forms, each with
//! the CSRF token; a refused field is named next to it on the page. While
//! staff view as the affiliate every POST is refused (`guard`, and
//! `require_writable` here as the second lock).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::principal::{CurrentAffiliate, start_session};
use super::shell::PortalShell;
use crate::domain::ValidationErrors;
use crate::domain::payout::PayoutMethod;
use crate::services::ServiceError;
use crate::services::portal::settings::{self, AffiliateSettings, PasswordChange, ProfileInput};
use crate::web::shell::flash;
use crate::web::{AppState, WebError, render, see_other};

/// Which form the errors belong to (each form keeps its own messages).
#[derive(PartialEq, Eq, Clone, Copy)]
enum Section {
    None,
    Profile,
    Password,
}

#[derive(Template)]
#[template(path = "portal/settings.html")]
struct SettingsPage {
    shell: PortalShell,
    read_only: bool,
    profile: ProfileInput,
    methods: Vec<(String, String)>,
    settings: AffiliateSettings,
    profile_errors: ValidationErrors,
    password_errors: ValidationErrors,
}

fn method_label(m: PayoutMethod) -> &'static str {
    match m {
        PayoutMethod::External => "To my payout email (e.g. PayPal)",
        PayoutMethod::StoreCredit => "As store credit",
    }
}

fn page(
    current: &CurrentAffiliate,
    settings: AffiliateSettings,
    profile: Option<ProfileInput>,
    section: Section,
    errors: ValidationErrors,
) -> SettingsPage {
    let methods = PayoutMethod::ALL
        .iter()
        .filter(|m| **m != PayoutMethod::StoreCredit || settings.store_credit_offered)
        .map(|m| (m.as_str().to_owned(), method_label(*m).to_owned()))
        .collect();
    let profile = profile.unwrap_or_else(|| ProfileInput {
        first_name: settings.first_name.clone(),
        last_name: settings.last_name.clone(),
        payout_email: settings.payout_email.clone(),
        payout_method: settings.payout_method.as_str().to_owned(),
    });
    let (profile_errors, password_errors) = match section {
        Section::Profile => (errors, ValidationErrors::new()),
        Section::Password => (ValidationErrors::new(), errors),
        Section::None => (ValidationErrors::new(), ValidationErrors::new()),
    };
    SettingsPage {
        shell: PortalShell::for_affiliate(current),
        read_only: current.read_only,
        profile,
        methods,
        settings,
        profile_errors,
        password_errors,
    }
}

fn settings_path(current: &CurrentAffiliate) -> String {
    format!("/a/{}/settings", current.store.slug)
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
) -> Result<HttpResponse, WebError> {
    let s = settings::get(&state.db, current.store_id(), current.affiliate_id()).await?;
    render(
        StatusCode::OK,
        &page(&current, s, None, Section::None, ValidationErrors::new()),
    )
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    payout_email: String,
    #[serde(default)]
    payout_method: String,
}

pub async fn save_profile(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, WebError> {
    current.require_writable()?;
    let f = form.into_inner();
    let input = ProfileInput {
        first_name: f.first_name,
        last_name: f.last_name,
        payout_email: f.payout_email,
        payout_method: f.payout_method,
    };
    let (store_id, id) = (current.store_id(), current.affiliate_id());
    match settings::save_profile(&state.db, store_id, &current.actor(), id, input.clone()).await {
        Ok(_) => {
            flash(&current.session, "success", "Your details were saved.");
            Ok(see_other(&settings_path(&current)))
        }
        Err(ServiceError::Validation(errors)) => {
            let s = settings::get(&state.db, store_id, id).await?;
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&current, s, Some(input), Section::Profile, errors),
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NotificationsForm {
    #[serde(default)]
    notify_new_commission: Option<String>,
    #[serde(default)]
    notify_payout_paid: Option<String>,
}

pub async fn save_notifications(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    form: web::Form<NotificationsForm>,
) -> Result<HttpResponse, WebError> {
    current.require_writable()?;
    // An unticked checkbox is not sent at all.
    settings::save_notifications(
        &state.db,
        current.store_id(),
        &current.actor(),
        current.affiliate_id(),
        form.notify_new_commission.is_some(),
        form.notify_payout_paid.is_some(),
    )
    .await?;
    flash(
        &current.session,
        "success",
        "Your email preferences were saved.",
    );
    Ok(see_other(&settings_path(&current)))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change_password(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    current.require_writable()?;
    let f = form.into_inner();
    let input = PasswordChange {
        current_password: f.current_password,
        new_password: f.new_password,
        confirm_password: f.confirm_password,
    };
    let (store_id, id) = (current.store_id(), current.affiliate_id());
    match settings::change_password(&state.db, store_id, &current.actor(), id, input).await {
        Ok(_) => {
            // Every session ended, this one too: the browser that made the
            // change gets a new one (new id) and stays signed in.
            start_session(&current.session, store_id, id)?;
            flash(
                &current.session,
                "success",
                "Your password was changed. Other devices were signed out.",
            );
            Ok(see_other(&settings_path(&current)))
        }
        Err(ServiceError::Validation(errors)) => {
            let s = settings::get(&state.db, store_id, id).await?;
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&current, s, None, Section::Password, errors),
            )
        }
        Err(e) => Err(e.into()),
    }
}
