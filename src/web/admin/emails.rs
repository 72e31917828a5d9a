//! The Emails page: the store's outgoing messages newest first, filtered by
//! status, each readable in full (the text with its links clickable, the
//! HTML in a sandboxed frame and as source), and "retry now" for one that
//! was given up. Without SMTP this is where staff read what was sent.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::mail::EmailStatus;
use crate::services::email::outbox::{self, Email};
use crate::web::extractors::Staff;
use crate::web::pager::Pager;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

const PAGE_SIZE: u64 = 50;

#[derive(Template)]
#[template(path = "admin/emails/index.html")]
struct EmailsPage {
    shell: Shell,
    emails: Vec<Email>,
    status: String,
    statuses: &'static [EmailStatus],
    is_first_page: bool,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct EmailsQuery {
    before: Option<Uuid>,
    #[serde(default)]
    status: String,
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<EmailsQuery>,
) -> Result<HttpResponse, WebError> {
    // An unknown status shows everything rather than an error: it only
    // comes from an edited URL.
    let status = EmailStatus::parse(&query.status).ok();
    let found = outbox::list(
        &state.db,
        staff.access.id(),
        status,
        query.before,
        PAGE_SIZE,
    )
    .await?;
    let q = status.map(|s| format!("status={s}&")).unwrap_or_default();
    page(&EmailsPage {
        shell: Shell::for_staff(&staff, "emails"),
        emails: found.emails,
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        statuses: EmailStatus::ALL,
        is_first_page: query.before.is_none(),
        pager: Pager::newest_first(
            query
                .before
                .map(|_| format!("/admin/emails?{}", q.trim_end_matches('&'))),
            found
                .next_before
                .map(|before| format!("/admin/emails?{q}before={before}")),
        ),
    })
}

/// A piece of a message's text: words, or a link to make clickable.
pub enum Part {
    Text(String),
    Link(String),
}

/// Splits text at its http(s) URLs, so the page can link them (the
/// browser tests follow a magic link from here).
pub fn linkify(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = ["https://", "http://"]
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
    {
        let tail = &rest[start..];
        let len = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(tail.len());
        // A sentence's closing punctuation is not part of its link.
        let url = tail[..len].trim_end_matches(['.', ',', ')', ';', ':', '!', '?']);
        if start > 0 {
            parts.push(Part::Text(rest[..start].to_owned()));
        }
        parts.push(Part::Link(url.to_owned()));
        rest = &tail[url.len()..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    parts
}

#[derive(Template)]
#[template(path = "admin/emails/show.html")]
struct EmailPage {
    shell: Shell,
    email: Email,
    text: Vec<Part>,
    queued: bool,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let email = outbox::get(&state.db, staff.access.id(), id.into_inner()).await?;
    page(&EmailPage {
        shell: Shell::for_staff(&staff, "emails"),
        text: linkify(&email.text_body),
        queued: email.status == EmailStatus::Queued,
        email,
    })
}

pub async fn retry(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    outbox::retry(&state.db, staff.access.id(), &staff.actor(), id).await?;
    flash(
        &staff.session,
        "success",
        "The message is queued again and goes out with the next delivery.",
    );
    Ok(see_other(&format!("/admin/emails/{id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(parts: &[Part]) -> Vec<String> {
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => format!("T:{t}"),
                Part::Link(u) => format!("L:{u}"),
            })
            .collect()
    }

    #[test]
    fn urls_in_text_become_links_without_their_closing_punctuation() {
        let parts = linkify("Sign in: https://x.example/a?t=1.\nOr http://y.example, later");
        assert_eq!(
            shown(&parts),
            vec![
                "T:Sign in: ",
                "L:https://x.example/a?t=1",
                "T:.\nOr ",
                "L:http://y.example",
                "T:, later"
            ]
        );
        assert_eq!(shown(&linkify("no links")), vec!["T:no links"]);
    }
}
