//! First-run setup, sign in and sign out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use actix_web::cookie::{Cookie, SameSite};

use crate::domain::{Currency, UserId, ValidationErrors};
use crate::services::auth::LoginOutcome;
use crate::services::crypto::{MacKey, derive_key};
use crate::services::{ServiceError, auth, sessions, setup, throttle};
use crate::web::extractors::{ClientIp, STORE_KEY, csrf_token};
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, csrf, render, see_other};

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    shell: Shell,
    form: SetupForm,
    errors: ValidationErrors,
    currencies: Vec<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    store_name: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    slug: String,
}

pub async fn setup_form(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, WebError> {
    if state.setup_done().await? {
        // A bookmark from the first run: the way in is signing in now.
        return Ok(see_other("/login"));
    }
    let form = SetupForm {
        currency: Currency::USD.code().into(),
        ..Default::default()
    };
    render(
        StatusCode::OK,
        &SetupPage {
            shell: Shell::anonymous(csrf_token(&req), None),
            form,
            errors: ValidationErrors::new(),
            currencies: Currency::all_codes(),
        },
    )
}

pub async fn setup_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, WebError> {
    if state.setup_done().await? {
        return Err(WebError::NotFound);
    }
    let form = form.into_inner();
    let input = setup::SetupInput {
        email: form.email.clone(),
        password: form.password.clone(),
        store_name: form.store_name.clone(),
        currency: form.currency.clone(),
        slug: form.slug.clone(),
    };
    match setup::run(&state.db, input, Some(ip.0)).await {
        Ok(owner) => {
            session.renew();
            session.insert(sessions::USER_KEY, owner.user_id.0)?;
            session.insert(STORE_KEY, owner.store_id.0)?;
            crate::web::shell::flash(
                &session,
                "success",
                "Your store is ready. Welcome to Tributary!",
            );
            Ok(see_other("/admin"))
        }
        Err(ServiceError::Validation(errors)) => {
            let form = SetupForm {
                password: String::new(),
                ..form
            };
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SetupPage {
                    shell: Shell::anonymous(csrf_token(&req), None),
                    form,
                    errors,
                    currencies: Currency::all_codes(),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    shell: Shell,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
    password_reset: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a local path may be a post-login destination (no open redirect).
fn safe_next(next: &str) -> String {
    // Browsers drop tabs and newlines from URLs ("/\t/evil.com" becomes
    // "//evil.com"), so only printable, non-space ASCII is accepted.
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 512
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if ok {
        next.to_owned()
    } else {
        "/admin".to_owned()
    }
}

pub async fn login_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    if !state.setup_done().await? {
        return Ok(see_other("/setup"));
    }
    render(
        StatusCode::OK,
        &LoginPage {
            shell: Shell::anonymous(csrf_token(&req), Some(&session)),
            email: String::new(),
            next: safe_next(query.next.as_deref().unwrap_or("/admin")),
            error: None,
            notice: if query.password_reset.is_some() {
                Some(
                    "Your password was changed and every session ended. Sign in with the new password.",
                )
            } else {
                query
                    .signed_out
                    .as_ref()
                    .map(|_| "You have been signed out.")
            },
        },
    )
}

pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    ip: ClientIp,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    if !state.setup_done().await? {
        return Ok(see_other("/setup"));
    }
    let form = form.into_inner();
    let next = safe_next(&form.next);
    let refused = |status: StatusCode, message: String| {
        render(
            status,
            &LoginPage {
                shell: Shell::anonymous(csrf_token(&req), None),
                email: form.email.clone(),
                next: next.clone(),
                error: Some(message),
                notice: None,
            },
        )
    };
    let device_key = device_key(&state);
    let known_device = req
        .cookie(&device_cookie_name(state.config.is_https()))
        .and_then(|c| sessions::device::open(&device_key, c.value()))
        .map(|(user, device)| (UserId(user), device));
    match auth::login(&state.db, &form.email, &form.password, &ip.0, known_device).await? {
        LoginOutcome::SignedIn { user, device_id } => {
            let store = user.last_store_id;
            sign_in(&state, &session, &user, store, &device_id, see_other(&next))
        }
        LoginOutcome::BadCredentials => {
            refused(StatusCode::UNAUTHORIZED, auth::BAD_CREDENTIALS.to_owned())
        }
        LoginOutcome::Throttled { retry_at, message } => {
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

/// The key that signs the known-device cookie (derived from the master
/// secret for this purpose only).
fn device_key(state: &AppState) -> MacKey {
    MacKey::new(&derive_key(&state.config.secret_key, "device-cookie"))
}

fn device_cookie_name(https: bool) -> String {
    if https {
        format!("__Host-{}", sessions::device::COOKIE)
    } else {
        sessions::device::COOKIE.to_owned()
    }
}

/// Starts a signed-in session for `user` in `store` (when given; the
/// extractor checks membership and falls back to the first store), with a
/// new session id, a new CSRF token and the known-device cookie.
pub(super) fn sign_in(
    state: &AppState,
    session: &Session,
    user: &auth::User,
    store: Option<uuid::Uuid>,
    device_id: &str,
    mut response: HttpResponse,
) -> Result<HttpResponse, WebError> {
    // A new session id at sign-in: a planted id is worthless.
    session.clear();
    session.renew();
    session.insert(sessions::USER_KEY, user.id)?;
    if let Some(store) = store {
        session.insert(STORE_KEY, store)?;
    }
    // A new CSRF token too, so a token seen before sign-in is worthless after it.
    let https = state.config.is_https();
    response
        .add_cookie(&csrf::build_cookie(
            crate::services::crypto::random_token(32),
            https,
        ))
        .map_err(|e| WebError::Internal(e.into()))?;
    let device = Cookie::build(
        device_cookie_name(https),
        sessions::device::seal(&device_key(state), user.id, device_id),
    )
    .path("/")
    .http_only(true)
    .secure(https)
    .same_site(SameSite::Lax)
    .max_age(actix_web::cookie::time::Duration::days(
        sessions::device::MAX_AGE_DAYS,
    ))
    .finish();
    response
        .add_cookie(&device)
        .map_err(|e| WebError::Internal(e.into()))?;
    Ok(response)
}

pub async fn logout(session: Session) -> HttpResponse {
    // Deletes the session row: the old cookie is worthless from now on.
    session.purge();
    see_other("/login?signed_out=1")
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/admin/team?x=1"), "/admin/team?x=1");
        for bad in [
            "//evil.com",
            "/\t/evil.com",
            "/\\evil.com",
            "https://evil.com",
            "/\n/evil.com",
            "/ /evil.com",
            "evil",
        ] {
            assert_eq!(safe_next(bad), "/admin", "{bad:?}");
        }
    }
}
