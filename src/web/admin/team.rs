//! The Team page: members and roles, invitations (made, listed, revoked),
//! removing a member and leaving the store.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::MembershipId;
use crate::domain::{Role, ValidationErrors};
use crate::services::invitations::{self, Pending};
use crate::services::team::{self, Member};
use crate::services::{ServiceError, UseCaseError};
use crate::web::extractors::{Htmx, STORE_KEY, Staff};
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, partial_with_flash, render, see_other};

#[derive(Template)]
#[template(path = "admin/team/index.html")]
struct TeamPage {
    shell: Shell,
    members: Vec<Member>,
    invitations: Vec<Pending>,
    roles: [Role; 2],
    form_email: String,
    form_role: String,
    errors: ValidationErrors,
    /// The link just made: shown on this response only.
    created: Option<CreatedLink>,
    me: Uuid,
}

struct CreatedLink {
    email: String,
    role: &'static str,
    url: String,
    expires_at: chrono::DateTime<chrono::Utc>,
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

struct PageForm {
    email: String,
    role: String,
    errors: ValidationErrors,
    created: Option<CreatedLink>,
}

impl PageForm {
    fn empty() -> Self {
        Self {
            email: String::new(),
            role: "admin".into(),
            errors: ValidationErrors::new(),
            created: None,
        }
    }
}

async fn team_page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    form: PageForm,
) -> Result<HttpResponse, WebError> {
    let members = team::list(&state.db, staff.access.id()).await?;
    let invitations = if staff.access.role.can_manage_team() {
        invitations::pending(&state.db, staff.access.id()).await?
    } else {
        vec![]
    };
    render(
        status,
        &TeamPage {
            shell: Shell::for_staff(staff, "team"),
            members,
            invitations,
            roles: Role::ALL,
            form_email: form.email,
            form_role: form.role,
            errors: form.errors,
            created: form.created,
            me: staff.user_id.0,
        },
    )
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    team_page(&state, &staff, StatusCode::OK, PageForm::empty()).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// The same answer whether the email has an account or not: a link.
pub async fn invite(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, WebError> {
    match invitations::create(
        &state.db,
        &staff.access,
        &staff.actor(),
        &form.email,
        &form.role,
        &state.config.public_base(),
    )
    .await
    {
        Ok(created) => {
            let link = CreatedLink {
                email: created.email,
                role: created.role.as_str(),
                url: created.url,
                expires_at: created.expires_at,
            };
            team_page(
                &state,
                &staff,
                StatusCode::OK,
                PageForm {
                    created: Some(link),
                    ..PageForm::empty()
                },
            )
            .await
        }
        Err(ServiceError::Validation(errors)) => {
            team_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                PageForm {
                    email: form.email.clone(),
                    role: form.role.clone(),
                    errors,
                    created: None,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_invitation(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let email = invitations::revoke(&state.db, &staff.access, &staff.actor(), *path).await?;
    flash(
        &staff.session,
        "success",
        format!("The invitation for {email} was revoked: its link no longer works."),
    );
    Ok(see_other("/admin/team"))
}

/// Leaving the current store. The last owner is told why not, on the page.
pub async fn leave(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    match team::leave(&state.db, &staff.access, &staff.actor(), staff.user_id).await {
        Ok(()) => {
            if staff.stores.len() <= 1 {
                // No store left to act in: signed out, as a fresh account would be.
                staff.session.purge();
                return Ok(see_other("/login?signed_out=1"));
            }
            staff.session.remove(STORE_KEY);
            flash(
                &staff.session,
                "success",
                format!("You left {}.", staff.access.store.name),
            );
            Ok(see_other("/admin"))
        }
        Err(UseCaseError::Refused(why)) => {
            flash(&staff.session, "error", why.to_string());
            Ok(see_other("/admin/team"))
        }
        Err(UseCaseError::Failed(e)) => Err(e.into()),
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
