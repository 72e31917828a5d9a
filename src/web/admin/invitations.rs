//! The invitee's side of an invitation link: open it, then accept it signed
//! in, or choose a password for a new account (which accepts it too).
//!
//! Not behind `Staff`: someone invited may have no store yet, or no account.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::auth::sign_in;
use crate::domain::{UserId, ValidationErrors};
use crate::services::invitations::{self, Invitation};
use crate::services::{ServiceError, auth, sessions};
use crate::web::extractors::{ClientIp, STORE_KEY, csrf_token};
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, render, see_other};

#[derive(Template)]
#[template(path = "auth/invitation.html")]
struct InvitationPage {
    shell: Shell,
    token: String,
    /// None: the link does not work (any more).
    invitation: Option<Invitation>,
    /// The email of whoever is signed in in this browser.
    signed_in_as: Option<String>,
    message: Option<String>,
    errors: ValidationErrors,
}

async fn signed_in_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<auth::User>, WebError> {
    let Some(id) = session.get::<Uuid>(sessions::USER_KEY)? else {
        return Ok(None);
    };
    Ok(auth::session_user(&state.db, UserId(id)).await?)
}

struct Answer {
    status: StatusCode,
    message: Option<String>,
    errors: ValidationErrors,
}

async fn page(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    token: &str,
    answer: Answer,
) -> Result<HttpResponse, WebError> {
    let invitation = invitations::find_by_token(&state.db, token).await?;
    let signed_in_as = signed_in_user(state, session).await?.map(|u| u.email);
    let status = if invitation.is_none() {
        StatusCode::NOT_FOUND
    } else {
        answer.status
    };
    render(
        status,
        &InvitationPage {
            shell: Shell::anonymous(csrf_token(req), Some(session)),
            token: token.to_owned(),
            invitation,
            signed_in_as,
            message: answer.message,
            errors: answer.errors,
        },
    )
}

fn plain(status: StatusCode) -> Answer {
    Answer {
        status,
        message: None,
        errors: ValidationErrors::new(),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    page(&state, &req, &session, &path, plain(StatusCode::OK)).await
}

fn joined(session: &Session, invitation: &Invitation) -> Result<(), WebError> {
    session.insert(STORE_KEY, invitation.store_id.0)?;
    flash(
        session,
        "success",
        format!(
            "You joined {} as {}.",
            invitation.store_name,
            invitation.role.as_str()
        ),
    );
    Ok(())
}

pub async fn accept(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = path.into_inner();
    let Some(user) = signed_in_user(&state, &session).await? else {
        let back: String =
            url::form_urlencoded::byte_serialize(format!("/invitations/{token}").as_bytes())
                .collect();
        return Ok(see_other(&format!("/login?next={back}")));
    };
    match invitations::accept(&state.db, &token, &user, Some(ip.0)).await {
        Ok(invitation) => {
            joined(&session, &invitation)?;
            Ok(see_other("/admin"))
        }
        Err(ServiceError::Forbidden(message)) => {
            let answer = Answer {
                message: Some(message),
                ..plain(StatusCode::FORBIDDEN)
            };
            page(&state, &req, &session, &token, answer).await
        }
        Err(ServiceError::Conflict(message)) => {
            let answer = Answer {
                message: Some(message),
                ..plain(StatusCode::CONFLICT)
            };
            page(&state, &req, &session, &token, answer).await
        }
        Err(ServiceError::NotFound) => {
            page(&state, &req, &session, &token, plain(StatusCode::NOT_FOUND)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn create_account(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    path: web::Path<String>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, WebError> {
    let token = path.into_inner();
    let result = invitations::accept_with_new_account(
        &state.db,
        &token,
        &form.password,
        &form.confirm_password,
        Some(ip.0),
    )
    .await;
    match result {
        Ok((user, invitation)) => {
            let device = sessions::device::new_id();
            let response = sign_in(
                &state,
                &session,
                &user,
                Some(invitation.store_id.0),
                &device,
                see_other("/admin"),
            )?;
            joined(&session, &invitation)?;
            Ok(response)
        }
        Err(ServiceError::Validation(errors)) => {
            let answer = Answer {
                errors,
                ..plain(StatusCode::UNPROCESSABLE_ENTITY)
            };
            page(&state, &req, &session, &token, answer).await
        }
        Err(ServiceError::Conflict(message)) => {
            let answer = Answer {
                message: Some(message),
                ..plain(StatusCode::CONFLICT)
            };
            page(&state, &req, &session, &token, answer).await
        }
        Err(ServiceError::NotFound) => {
            page(&state, &req, &session, &token, plain(StatusCode::NOT_FOUND)).await
        }
        Err(e) => Err(e.into()),
    }
}
