//! An affiliate's links, a sub-resource of the affiliate:
//! `POST /admin/affiliates/{id}/links` adds one, `POST /admin/links/{id}/delete`
//! removes one. A refused form is shown again on the affiliate's page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use super::show::{AddForms, show_page};
use crate::domain::{AffiliateId, LinkId};
use crate::services::ServiceError;
use crate::services::links::{self, LinkInput};
use crate::web::extractors::Staff;
use crate::web::shell::flash;
use crate::web::{AppState, WebError, see_other};

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    url: String,
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let input = LinkInput {
        token: Some(form.token.clone()),
        url: Some(form.url.clone()),
    };
    match links::create(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        AffiliateId(*id),
        input,
        &state.config.public_base(),
    )
    .await
    {
        Ok(l) => {
            flash(
                &staff.session,
                "success",
                format!("Link {} added.", l.token),
            );
            Ok(see_other(&format!("/admin/affiliates/{id}#links")))
        }
        Err(ServiceError::Validation(errors)) => {
            show_page(
                &state,
                &staff,
                *id,
                StatusCode::UNPROCESSABLE_ENTITY,
                AddForms {
                    link: (form.token, form.url),
                    link_errors: errors,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let l = links::get(&state.db, staff.access.id(), LinkId(*id)).await?;
    links::delete(&state.db, staff.access.id(), &staff.actor(), LinkId(*id)).await?;
    flash(
        &staff.session,
        "success",
        format!("Link {} deleted.", l.token),
    );
    Ok(see_other(&format!(
        "/admin/affiliates/{}#links",
        l.affiliate_id
    )))
}
