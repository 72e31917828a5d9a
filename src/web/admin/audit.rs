//! The audit log, newest first, paged by id: one sentence per entry (with
//! links to what it is about), filters by actor, action and object, and the
//! raw before/after behind a toggle.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::audit_text::{self, Entry, OBJECT_TYPES, Part};
use crate::services::audit::{self, AuditFilter};
use crate::services::campaigns;
use crate::web::extractors::Staff;
use crate::web::pager::Pager;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

const PAGE_SIZE: u64 = 50;

pub struct EntryView {
    pub id: Uuid,
    pub when: String,
    pub sentence: Vec<Part>,
    pub actor_type: String,
    pub ip: Option<String>,
    /// The recorded before/after, indented.
    pub details: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<EntryView>,
    is_first_page: bool,
    pager: Pager,
    actor: String,
    action: String,
    object: String,
    actors: Vec<String>,
    actions: Vec<String>,
    objects: &'static [(&'static str, &'static str)],
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<Uuid>,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object: String,
}

fn given(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let filter = AuditFilter {
        actor: given(&query.actor),
        action: given(&query.action),
        entity_type: given(&query.object),
    };
    let result =
        audit::list_filtered(&state.db, store_id, &filter, query.before, PAGE_SIZE).await?;
    let names = audit::names(&state.db, store_id, &result.entries).await?;
    let (actors, actions) = audit::choices(&state.db, store_id).await?;
    let currency = campaigns::currency_of(&staff.access.store);
    let entries = result
        .entries
        .iter()
        .map(|e| {
            let details: serde_json::Value =
                serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null);
            let sentence = audit_text::sentence(
                &Entry {
                    actor: &e.actor_label,
                    action: &e.action,
                    entity_type: &e.entity_type,
                    entity_id: e.entity_id.as_deref(),
                    details: &details,
                },
                &names,
                currency,
            );
            EntryView {
                id: e.id,
                when: e.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                sentence,
                actor_type: e.actor_type.clone(),
                ip: e.ip.clone(),
                details: serde_json::to_string_pretty(&details).unwrap_or_default(),
            }
        })
        .collect();
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("actor", &filter.actor),
        ("action", &filter.action),
        ("object", &filter.entity_type),
    ] {
        if let Some(v) = v {
            q.append_pair(k, v);
        }
    }
    let q = q.finish();
    let sep = if q.is_empty() { "" } else { "&" };
    page(&AuditPage {
        shell: Shell::for_staff(&staff, "audit"),
        entries,
        is_first_page: query.before.is_none(),
        pager: Pager::newest_first(
            query.before.map(|_| format!("/admin/audit?{q}")),
            result
                .next_before
                .map(|before| format!("/admin/audit?{q}{sep}before={before}")),
        ),
        actor: query.actor.clone(),
        action: query.action.clone(),
        object: query.object.clone(),
        actors,
        actions,
        objects: OBJECT_TYPES,
    })
}
