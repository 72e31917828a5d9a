//! Status moves: `POST /admin/affiliates/{id}/{approve|reject|suspend|enable}`
//! (the API's words, parsed by `StatusAction`) and bulk approve/reject.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::list::{AffiliateRow, Counts, counts, rows_for, store_currency};
use crate::domain::AffiliateId;
use crate::domain::affiliate::{AffiliateStatus, StatusAction};
use crate::services::affiliates::{self, ChangeStatusError, display_name};
use crate::services::{ServiceError, UseCaseError};
use crate::web::extractors::{Htmx, Staff};
use crate::web::shell::flash;
use crate::web::{AppState, WebError, partial_with_flash, see_other};

/// The route of the status moves, its words taken from `StatusAction`.
pub fn route() -> String {
    let words: Vec<&str> = StatusAction::ALL.iter().map(|a| a.as_str()).collect();
    format!("/admin/affiliates/{{id}}/{{action:{}}}", words.join("|"))
}

#[derive(Template)]
#[template(path = "admin/affiliates/_row.html")]
struct RowPartial {
    row: AffiliateRow,
}

#[derive(Template)]
#[template(path = "admin/affiliates/_counts.html")]
struct CountsPartial {
    counts: Counts,
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Each status move is its own route. With htmx the answer is the new row
/// plus the tab counts (out of band); otherwise a redirect with a flash.
pub async fn change_status(
    state: web::Data<AppState>,
    staff: Staff,
    htmx: Htmx,
    path: web::Path<(Uuid, String)>,
    form: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, WebError> {
    let (id, word) = path.into_inner();
    let action: StatusAction = word.parse().map_err(|_| WebError::NotFound)?;
    // htmx's hx-prompt sends the typed reason in a header.
    let reason = form
        .map(|f| f.into_inner().reason)
        .filter(|r| !r.trim().is_empty())
        .or(htmx.prompt);
    let store_id = staff.access.id();
    let result = affiliates::change_status(
        &state.db,
        store_id,
        &staff.actor(),
        AffiliateId(id),
        action,
        reason.as_deref(),
    )
    .await;
    let updated = match result {
        Ok(a) => a,
        Err(UseCaseError::Refused(why @ ChangeStatusError::NotAllowed(_))) if !htmx.request => {
            flash(&staff.session, "error", why.to_string());
            return Ok(see_other(&format!("/admin/affiliates/{id}")));
        }
        Err(e) => return Err(e.into()),
    };
    let message = format!("{} is now {}.", display_name(&updated), updated.status);
    if htmx.request {
        let row = rows_for(
            &state,
            store_id,
            store_currency(&staff),
            std::slice::from_ref(&updated),
        )
        .await?
        .pop()
        .expect("one row");
        let body = RowPartial { row }.render()?
            + &CountsPartial {
                counts: counts(&state, store_id).await?,
            }
            .render()?;
        return Ok(partial_with_flash(body, &message));
    }
    flash(&staff.session, "success", message);
    Ok(see_other(&format!("/admin/affiliates/{id}")))
}

/// `POST /admin/affiliates/bulk`: `action` (approve or reject) and repeated `ids`.
pub async fn bulk(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let mut ids = Vec::new();
    let mut action = String::new();
    let mut back = "/admin/affiliates".to_owned();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "ids" => {
                if let Ok(id) = Uuid::parse_str(&v) {
                    ids.push(AffiliateId(id));
                }
            }
            "action" => action = v.into_owned(),
            "back" if v.starts_with("/admin/affiliates") && !v.contains("//") => {
                back = v.into_owned()
            }
            _ => {}
        }
    }
    let action = match action.parse() {
        Ok(a @ (StatusAction::Approve | StatusAction::Reject)) => a,
        _ => return Err(WebError::validation("action", "must be approve or reject")),
    };
    match affiliates::bulk_change_status(&state.db, staff.access.id(), &staff.actor(), &ids, action)
        .await
    {
        Ok(outcome) => {
            let verb = if action == StatusAction::Approve {
                AffiliateStatus::Approved
            } else {
                AffiliateStatus::Rejected
            };
            let mut message = format!(
                "{} affiliate{} {verb}.",
                outcome.changed.len(),
                if outcome.changed.len() == 1 { "" } else { "s" }
            );
            if outcome.skipped > 0 {
                message.push_str(&format!(
                    " {} skipped (their status does not allow it).",
                    outcome.skipped
                ));
            }
            flash(&staff.session, "success", message);
        }
        Err(ServiceError::Validation(errors)) => {
            flash(
                &staff.session,
                "error",
                errors.get("ids").unwrap_or("Nothing selected.").to_owned(),
            );
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&back))
}
