//! One-time links: asking for a magic sign-in or password-reset link by
//! email, signing in with a magic or SSO link, and choosing a password with
//! a reset or invite link.
//!
//! A mailed link is opened by a GET that only shows a button (mail
//! scanners open links too: a GET must not use the link up); the button's
//! POST uses it. An SSO link is the exception: the store's own site sends
//! the browser to it at once and it lives 60 seconds, so its GET signs in.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::login::after_sign_in;
use super::principal::path_store;
use super::shell::PortalShell;
use crate::domain::ValidationErrors;
use crate::domain::portal_token::TokenPurpose;
use crate::services::portal::password::{self, NewPassword};
use crate::services::portal::tokens::{self, LinkRefused};
use crate::services::portal::{PortalStore, login};
use crate::services::{ServiceError, UseCaseError};
use crate::web::extractors::{ClientIp, csrf_token};
use crate::web::{AppState, WebError, render};

#[derive(Template)]
#[template(path = "portal/link_request.html")]
struct LinkRequestPage {
    shell: PortalShell,
    heading: &'static str,
    action: String,
    email: String,
    sent: bool,
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

fn request_page(
    store: &PortalStore,
    req: &HttpRequest,
    session: &Session,
    purpose: TokenPurpose,
    email: String,
    sent: bool,
) -> LinkRequestPage {
    let (heading, action) = match purpose {
        TokenPurpose::PasswordReset => ("Reset your password", "password/forgot"),
        _ => ("Email me a sign-in link", "login/link"),
    };
    LinkRequestPage {
        shell: PortalShell::anonymous(store, csrf_token(req), session),
        heading,
        action: format!("/a/{}/{action}", store.slug),
        email,
        sent,
    }
}

async fn link_form(
    state: &AppState,
    req: HttpRequest,
    session: Session,
    purpose: TokenPurpose,
) -> Result<HttpResponse, WebError> {
    let store = path_store(state, &req).await?;
    render(
        StatusCode::OK,
        &request_page(&store, &req, &session, purpose, String::new(), false),
    )
}

async fn link_request(
    state: &AppState,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    form: EmailForm,
    purpose: TokenPurpose,
) -> Result<HttpResponse, WebError> {
    let store = path_store(state, &req).await?;
    // The same page whether the email has an account here or not.
    login::request_link(
        &state.db,
        &state.config.public_base(),
        store.id,
        &form.email,
        purpose,
        &ip.0,
        Utc::now(),
    )
    .await?;
    render(
        StatusCode::OK,
        &request_page(&store, &req, &session, purpose, form.email, true),
    )
}

pub async fn magic_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    link_form(&state, req, session, TokenPurpose::MagicLogin).await
}

pub async fn magic_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, WebError> {
    link_request(
        &state,
        req,
        session,
        ip,
        form.into_inner(),
        TokenPurpose::MagicLogin,
    )
    .await
}

pub async fn reset_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    link_form(&state, req, session, TokenPurpose::PasswordReset).await
}

pub async fn reset_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, WebError> {
    link_request(
        &state,
        req,
        session,
        ip,
        form.into_inner(),
        TokenPurpose::PasswordReset,
    )
    .await
}

#[derive(Template)]
#[template(path = "portal/link_confirm.html")]
struct ConfirmPage {
    shell: PortalShell,
    action: String,
}

#[derive(Template)]
#[template(path = "portal/link_invalid.html")]
struct InvalidPage {
    shell: PortalShell,
    message: String,
}

fn invalid(
    store: &PortalStore,
    req: &HttpRequest,
    session: &Session,
) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::GONE,
        &InvalidPage {
            shell: PortalShell::anonymous(store, csrf_token(req), session),
            message: LinkRefused::Unusable.to_string(),
        },
    )
}

pub async fn login_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    let token = &path.1;
    match tokens::peek(&state.db, store.id, token, Utc::now()).await? {
        Some((_, TokenPurpose::Sso)) => sign_in(&state, &req, &session, &store, token).await,
        Some((_, TokenPurpose::MagicLogin)) => render(
            StatusCode::OK,
            &ConfirmPage {
                shell: PortalShell::anonymous(&store, csrf_token(&req), &session),
                action: format!("/a/{}/login/{token}", store.slug),
            },
        ),
        _ => invalid(&store, &req, &session),
    }
}

async fn sign_in(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    store: &PortalStore,
    token: &str,
) -> Result<HttpResponse, WebError> {
    match login::sign_in_with_link(&state.db, store.id, token, Utc::now()).await {
        Ok(affiliate) => after_sign_in(session, store, &affiliate),
        Err(UseCaseError::Refused(_)) => invalid(store, req, session),
        Err(e) => Err(e.into()),
    }
}

pub async fn login_with_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    sign_in(&state, &req, &session, &store, &path.1).await
}

#[derive(Template)]
#[template(path = "portal/password.html")]
struct PasswordPage {
    shell: PortalShell,
    action: String,
    errors: ValidationErrors,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

fn password_page(
    store: &PortalStore,
    req: &HttpRequest,
    session: &Session,
    token: &str,
    errors: ValidationErrors,
) -> PasswordPage {
    PasswordPage {
        shell: PortalShell::anonymous(store, csrf_token(req), session),
        action: format!("/a/{}/password/{token}", store.slug),
        errors,
    }
}

pub async fn password_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    match tokens::peek(&state.db, store.id, &path.1, Utc::now()).await? {
        Some((_, purpose)) if purpose.sets_password() => render(
            StatusCode::OK,
            &password_page(&store, &req, &session, &path.1, ValidationErrors::new()),
        ),
        _ => invalid(&store, &req, &session),
    }
}

pub async fn password_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    path: web::Path<(String, String)>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    let form = form.into_inner();
    let input = NewPassword {
        password: form.password,
        confirm_password: form.confirm_password,
    };
    match password::set_with_link(&state.db, store.id, &path.1, input, Some(ip.0), Utc::now()).await
    {
        Ok(affiliate) => {
            let response = after_sign_in(&session, &store, &affiliate)?;
            crate::web::shell::flash(&session, "success", "Your password is set.");
            Ok(response)
        }
        Err(UseCaseError::Failed(ServiceError::Validation(errors))) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &password_page(&store, &req, &session, &path.1, errors),
        ),
        Err(UseCaseError::Refused(_)) => invalid(&store, &req, &session),
        Err(e) => Err(e.into()),
    }
}
