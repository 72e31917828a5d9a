//! The audit log, newest first, paged by id.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::services::audit::{self, AuditEntry};
use crate::web::extractors::Staff;
use crate::web::pager::Pager;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

const PAGE_SIZE: u64 = 50;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<AuditEntry>,
    is_first_page: bool,
    pager: Pager,
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
        is_first_page: query.before.is_none(),
        pager: Pager::newest_first(
            query.before.map(|_| "/admin/audit".to_owned()),
            result
                .next_before
                .map(|before| format!("/admin/audit?before={before}")),
        ),
    })
}
