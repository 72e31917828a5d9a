//! The Team page: members, roles, adding and removing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::MembershipId;
use crate::domain::{Role, ValidationErrors};
use crate::services::ServiceError;
use crate::services::team::{self, Member};
use crate::web::extractors::{Htmx, Staff};
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, partial_with_flash, render, see_other};

#[derive(Template)]
#[template(path = "admin/team/index.html")]
struct TeamPage {
    shell: Shell,
    members: Vec<Member>,
    roles: [Role; 2],
    form_email: String,
    form_role: String,
    errors: ValidationErrors,
    created: Option<(String, String)>,
    me: Uuid,
}

#[derive(Template)]
#[template(path = "admin/team/_row.html")]
struct MemberRow {
    m: Member,
    roles: [Role; 2],
    can_manage: bool,
    me: Uuid,
    csrf: String,
}

async fn team_page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    form_email: String,
    form_role: String,
    errors: ValidationErrors,
    created: Option<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let members = team::list(&state.db, staff.access.id()).await?;
    render(
        status,
        &TeamPage {
            shell: Shell::for_staff(staff, "team"),
            members,
            roles: Role::ALL,
            form_email,
            form_role,
            errors,
            created,
            me: staff.user_id.0,
        },
    )
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    team_page(
        &state,
        &staff,
        StatusCode::OK,
        String::new(),
        "admin".into(),
        ValidationErrors::new(),
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn add(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, WebError> {
    match team::add(
        &state.db,
        &staff.access,
        &staff.actor(),
        &form.email,
        &form.role,
    )
    .await
    {
        Ok(added) => match added.temporary_password {
            // Shown once, on this response only: not stored anywhere readable.
            Some(password) => {
                team_page(
                    &state,
                    &staff,
                    StatusCode::OK,
                    String::new(),
                    "admin".into(),
                    ValidationErrors::new(),
                    Some((added.email, password)),
                )
                .await
            }
            None => {
                flash(
                    &staff.session,
                    "success",
                    format!("{} now has access to this store.", added.email),
                );
                Ok(see_other("/admin/team"))
            }
        },
        Err(ServiceError::Validation(errors)) => {
            team_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.email.clone(),
                form.role.clone(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    state: web::Data<AppState>,
    staff: Staff,
    htmx: Htmx,
    path: web::Path<Uuid>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, WebError> {
    let member = team::change_role(
        &state.db,
        &staff.access,
        &staff.actor(),
        MembershipId(*path),
        &form.role,
    )
    .await?;
    let message = format!("{} is now {}.", member.email, member.role.as_str());
    if htmx.request {
        let row = MemberRow {
            m: member,
            roles: Role::ALL,
            can_manage: true,
            me: staff.user_id.0,
            csrf: staff.csrf.clone(),
        }
        .render()?;
        return Ok(partial_with_flash(row, &message));
    }
    flash(&staff.session, "success", message);
    Ok(see_other("/admin/team"))
}

pub async fn remove(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let email = team::remove(
        &state.db,
        &staff.access,
        &staff.actor(),
        MembershipId(*path),
    )
    .await?;
    flash(
        &staff.session,
        "success",
        format!("{email} no longer has access to this store."),
    );
    Ok(see_other("/admin/team"))
}
