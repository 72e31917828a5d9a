//! The audit log, newest first, paged by id.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::entities::audit_entry;
use crate::services::audit;
use crate::web::extractors::Staff;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

const PAGE_SIZE: u64 = 50;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<audit_entry::Model>,
    next_before: Option<Uuid>,
    is_first_page: bool,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<Uuid>,
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, WebError> {
    let result = audit::list(&state.db, staff.access.id(), query.before, PAGE_SIZE).await?;
    page(&AuditPage {
        shell: Shell::for_staff(&staff, "audit"),
        entries: result.entries,
        next_before: result.next_before,
        is_first_page: query.before.is_none(),
    })
}
