//! Staff "Forgot password?": ask for a link by email, then choose a new
//! password through it (`services::password_reset`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::ValidationErrors;
use crate::services::{ServiceError, password_reset};
use crate::web::extractors::{ClientIp, csrf_token};
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, render, see_other};

#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
struct ForgotPage {
    shell: Shell,
    email: String,
    errors: ValidationErrors,
    /// Set once a request was taken: the same words whether or not the
    /// account exists.
    sent: bool,
    error: Option<String>,
    lifetime_minutes: i64,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn forgot_page(req: &HttpRequest, email: String) -> ForgotPage {
    ForgotPage {
        shell: Shell::anonymous(csrf_token(req), None),
        email,
        errors: ValidationErrors::new(),
        sent: false,
        error: None,
        lifetime_minutes: password_reset::LIFETIME.num_minutes(),
    }
}

pub async fn form(req: HttpRequest) -> Result<HttpResponse, WebError> {
    render(StatusCode::OK, &forgot_page(&req, String::new()))
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    ip: ClientIp,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, WebError> {
    let email = form.into_inner().email;
    let base = state.config.public_base();
    match password_reset::request(&state.db, &email, &ip.0, &base).await {
        Ok(()) => render(
            StatusCode::OK,
            &ForgotPage {
                sent: true,
                ..forgot_page(&req, email)
            },
        ),
        Err(ServiceError::Validation(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                errors,
                ..forgot_page(&req, email)
            },
        ),
        Err(ServiceError::RateLimited(message)) => render(
            StatusCode::TOO_MANY_REQUESTS,
            &ForgotPage {
                error: Some(message),
                ..forgot_page(&req, email)
            },
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "auth/reset_password.html")]
struct ResetPage {
    shell: Shell,
    token: String,
    live: bool,
    errors: ValidationErrors,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

fn dead_link(req: &HttpRequest) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::NOT_FOUND,
        &ResetPage {
            shell: Shell::anonymous(csrf_token(req), None),
            token: String::new(),
            live: false,
            errors: ValidationErrors::new(),
        },
    )
}

pub async fn reset_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    if !password_reset::is_live(&state.db, &token).await? {
        return dead_link(&req);
    }
    render(
        StatusCode::OK,
        &ResetPage {
            shell: Shell::anonymous(csrf_token(&req), None),
            token,
            live: true,
            errors: ValidationErrors::new(),
        },
    )
}

pub async fn reset_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    ip: ClientIp,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let form = form.into_inner();
    match password_reset::complete(
        &state.db,
        &token,
        &form.password,
        &form.confirm_password,
        Some(ip.0),
    )
    .await
    {
        Ok(_) => Ok(see_other("/login?password_reset=1")),
        Err(ServiceError::NotFound) => dead_link(&req),
        Err(ServiceError::Validation(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage {
                shell: Shell::anonymous(csrf_token(&req), None),
                token,
                live: true,
                errors,
            },
        ),
        Err(e) => Err(e.into()),
    }
}
