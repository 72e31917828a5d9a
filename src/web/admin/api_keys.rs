//! API keys: create (the key is shown once), list, revoke in place.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::ApiKeyId;
use crate::domain::ValidationErrors;
use crate::services::ServiceError;
use crate::services::api_keys::{self, ApiKey};
use crate::web::extractors::{Htmx, Staff};
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, partial_with_flash, render, see_other};

#[derive(Template)]
#[template(path = "admin/api_keys/index.html")]
struct KeysPage {
    shell: Shell,
    keys: Vec<ApiKey>,
    form_name: String,
    errors: ValidationErrors,
    /// The whole key, on the response that created it and never again.
    new_key: Option<String>,
    api_base: String,
}

#[derive(Template)]
#[template(path = "admin/api_keys/_row.html")]
struct KeyRow {
    key: ApiKey,
}

async fn keys_page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    form_name: String,
    errors: ValidationErrors,
    new_key: Option<String>,
) -> Result<HttpResponse, WebError> {
    let keys = api_keys::list(&state.db, staff.access.id()).await?;
    render(
        status,
        &KeysPage {
            shell: Shell::for_staff(staff, "api_keys"),
            keys,
            form_name,
            errors,
            new_key,
            api_base: format!("{}/api/v1", state.config.public_base()),
        },
    )
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    keys_page(
        &state,
        &staff,
        StatusCode::OK,
        String::new(),
        ValidationErrors::new(),
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, WebError> {
    match api_keys::create(&state.db, staff.access.id(), &staff.actor(), &form.name).await {
        Ok(created) => {
            flash(
                &staff.session,
                "success",
                format!(
                    "API key “{}” created. Copy it now: it will not be shown again.",
                    created.key.name
                ),
            );
            let mut response = keys_page(
                &state,
                &staff,
                StatusCode::CREATED,
                String::new(),
                ValidationErrors::new(),
                Some(created.secret),
            )
            .await?;
            // The one page that shows a secret must not be kept by any cache.
            response.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static("no-store"),
            );
            Ok(response)
        }
        Err(ServiceError::Validation(errors)) => {
            keys_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.name.clone(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke(
    state: web::Data<AppState>,
    staff: Staff,
    htmx: Htmx,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let key = api_keys::revoke(&state.db, &staff.access, &staff.actor(), ApiKeyId(*path)).await?;
    let message = format!(
        "API key “{}” revoked. Requests using it are refused from now on.",
        key.name
    );
    if htmx.request {
        return Ok(partial_with_flash(KeyRow { key }.render()?, &message));
    }
    flash(&staff.session, "success", message);
    Ok(see_other("/admin/api-keys"))
}
