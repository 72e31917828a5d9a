//! The admin home page and the store switcher.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::settings::TrackingSetup;
use crate::services::checklist::{self, Checklist};
use crate::services::{api_keys, team};
use crate::web::extractors::{STORE_KEY, Staff};
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

pub async fn root(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    if !state.setup_done().await? {
        return Ok(see_other("/setup"));
    }
    Ok(see_other("/admin"))
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    shell: Shell,
    member_count: usize,
    active_key_count: usize,
    api_base: String,
    checklist: Checklist,
    tracking: TrackingSetup,
}

pub async fn show(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let members = team::list(&state.db, staff.access.id()).await?;
    let keys = api_keys::list(&state.db, staff.access.id()).await?;
    let checklist = checklist::of_store(&state.db, staff.access.id()).await?;
    // The store row in the session's access may predate the script's first
    // visit; the checklist read it fresh.
    let mut store = staff.access.store.clone();
    store.script_seen_at = checklist.script_seen_at;
    page(&DashboardPage {
        checklist,
        tracking: TrackingSetup::of(&state, &store),
        member_count: members.len(),
        active_key_count: keys.iter().filter(|k| k.revoked_at.is_none()).count(),
        api_base: format!("{}/api/v1", state.config.public_base()),
        shell: Shell::for_staff(&staff, "dashboard"),
    })
}

#[derive(Deserialize)]
pub struct SwitchForm {
    store_id: Uuid,
}

pub async fn switch_store(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, WebError> {
    // Only stores the user belongs to; anything else does not exist for them.
    let target = staff
        .stores
        .iter()
        .find(|a| a.store.id == form.store_id)
        .ok_or(WebError::NotFound)?;
    staff.session.insert(STORE_KEY, target.store.id)?;
    // The next sign-in lands here too.
    crate::services::auth::remember_store(&state.db, staff.user_id, target.id()).await?;
    flash(
        &staff.session,
        "info",
        format!("Switched to {}.", target.store.name),
    );
    Ok(see_other("/admin"))
}
