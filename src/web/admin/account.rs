//! The signed-in user's own account: changing the password.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::ValidationErrors;
use crate::services::auth::{self, ChangePasswordInput};
use crate::services::{ServiceError, sessions};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, render, see_other};

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    shell: Shell,
    email: String,
    errors: ValidationErrors,
}

pub async fn show(staff: Staff) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::OK,
        &AccountPage {
            email: staff.email.clone(),
            shell: Shell::for_staff(&staff, "account"),
            errors: ValidationErrors::new(),
        },
    )
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
    staff: Staff,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let input = ChangePasswordInput {
        current_password: form.current_password,
        new_password: form.new_password,
        confirm_password: form.confirm_password,
    };
    match auth::change_password(&state.db, staff.user_id, Some(staff.ip.clone()), input).await {
        Ok(_) => {
            // Every session of the user is gone, this one included; carry this
            // browser over to a new session id so it alone stays signed in.
            staff.session.renew();
            staff.session.insert(sessions::USER_KEY, staff.user_id.0)?;
            flash(
                &staff.session,
                "success",
                "Password changed. You have been signed out everywhere else.",
            );
            Ok(see_other("/admin/account"))
        }
        Err(ServiceError::Validation(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                email: staff.email.clone(),
                shell: Shell::for_staff(&staff, "account"),
                errors,
            },
        ),
        Err(e) => Err(e.into()),
    }
}
