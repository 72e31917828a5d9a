//! Password log-in and log-out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::principal::{end_session, path_store, start_session, status_path};
use super::shell::PortalShell;
use crate::domain::portal::Standing;
use crate::services::portal::PortalStore;
use crate::services::portal::login::{self, PortalLogin};
use crate::services::throttle;
use crate::web::extractors::{ClientIp, csrf_token};
use crate::web::{AppState, WebError, render, see_other};

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    shell: PortalShell,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    signed_out: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    render(
        StatusCode::OK,
        &LoginPage {
            shell: PortalShell::anonymous(&store, csrf_token(&req), &session),
            email: String::new(),
            error: None,
            notice: query
                .signed_out
                .as_ref()
                .map(|_| "You have been logged out."),
        },
    )
}

/// Where a signed-in affiliate goes: the dashboard, or the status page.
pub fn after_sign_in(
    session: &Session,
    store: &PortalStore,
    affiliate: &crate::services::portal::PortalAffiliate,
) -> Result<HttpResponse, WebError> {
    match affiliate.standing {
        Standing::Active => {
            start_session(session, store.id, affiliate.id)?;
            Ok(see_other(&format!("/a/{}/", store.slug)))
        }
        Standing::Pending => {
            start_session(session, store.id, affiliate.id)?;
            Ok(see_other(&status_path(&store.slug)))
        }
        // Right password, but no session for them: the page says why.
        ended => {
            end_session(session, store.id, ended)?;
            Ok(see_other(&status_path(&store.slug)))
        }
    }
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    let form = form.into_inner();
    let refused = |status: StatusCode, message: String| {
        render(
            status,
            &LoginPage {
                shell: PortalShell::anonymous(&store, csrf_token(&req), &session),
                email: form.email.clone(),
                error: Some(message),
                notice: None,
            },
        )
    };
    match login::login(&state.db, store.id, &form.email, &form.password, &ip.0).await? {
        PortalLogin::SignedIn(affiliate) => after_sign_in(&session, &store, &affiliate),
        PortalLogin::BadCredentials => {
            refused(StatusCode::UNAUTHORIZED, login::BAD_CREDENTIALS.to_owned())
        }
        PortalLogin::Throttled { retry_at, message } => {
            let mut response = refused(StatusCode::TOO_MANY_REQUESTS, message)?;
            let secs = throttle::retry_after_secs(retry_at, chrono::Utc::now());
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(secs),
            );
            Ok(response)
        }
    }
}

pub async fn logout(session: Session, path: web::Path<String>) -> HttpResponse {
    // Deletes the session row: the old cookie is worthless from now on.
    session.purge();
    see_other(&format!("/a/{}/login?signed_out=1", path.into_inner()))
}
