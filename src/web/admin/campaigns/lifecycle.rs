//! A campaign's state changes: archive, restore, delete. A refusal (the
//! default campaign, a campaign in use) is a flash on the form.

use actix_web::{HttpResponse, web};
use uuid::Uuid;

use crate::domain::CampaignId;
use crate::services::{UseCaseError, campaigns};
use crate::web::extractors::Staff;
use crate::web::shell::flash;
use crate::web::{AppState, WebError, see_other};

/// A refusal (default campaign, campaign in use) is a message on the page
/// the person came from, not an error page.
fn refused<R: std::fmt::Display>(
    staff: &Staff,
    id: Uuid,
    err: UseCaseError<R>,
) -> Result<HttpResponse, WebError> {
    match err {
        UseCaseError::Refused(why) => {
            flash(&staff.session, "error", why.to_string());
            Ok(see_other(&format!("/admin/campaigns/{id}/edit")))
        }
        UseCaseError::Failed(other) => Err(other.into()),
    }
}

pub async fn archive(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    match campaigns::archive(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CampaignId(*id),
    )
    .await
    {
        Ok(c) => {
            flash(
                &staff.session,
                "success",
                format!("Campaign “{}” archived.", c.name),
            );
            Ok(see_other("/admin/campaigns"))
        }
        Err(e) => refused(&staff, *id, e),
    }
}

pub async fn restore(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = campaigns::restore(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CampaignId(*id),
    )
    .await?;
    flash(
        &staff.session,
        "success",
        format!("Campaign “{}” restored.", c.name),
    );
    Ok(see_other("/admin/campaigns"))
}

pub async fn delete(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    match campaigns::delete(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CampaignId(*id),
        false,
    )
    .await
    {
        Ok(_) => {
            flash(&staff.session, "success", "Campaign deleted.");
            Ok(see_other("/admin/campaigns"))
        }
        Err(e) => refused(&staff, *id, e),
    }
}
