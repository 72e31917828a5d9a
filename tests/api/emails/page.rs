//! The Emails page: the store's messages only, newest first and paged,
//! filtered by status, a message readable with clickable links, and its
//! retry a CSRF-protected verb.

use chrono::Utc;
use tributary::domain::mail::EmailStatus;
use tributary::services::email;

use super::*;

/// A message queued straight into a store's outbox.
async fn queued(app: &TestApp, store: tributary::domain::StoreId, to: &str) -> uuid::Uuid {
    let m = email::messages::affiliate_approved(
        &email::Sender::store("Somewhere"),
        &tributary::domain::Email::parse(to).unwrap(),
        &email::messages::Decision {
            name: "Ann".into(),
            reason: None,
            portal_url: None,
        },
    )
    .unwrap();
    email::enqueue(&app.db, store, m).await.unwrap()
}

#[tokio::test]
async fn the_page_lists_the_stores_messages_and_shows_one_with_clickable_links() {
    let app = spawn_app().await;
    app.setup_owner().await;
    invite(&app, "bob@example.com").await;
    let row = outbox(&app).await.remove(0);

    let list = app.browser.get_html("/admin/emails").await;

    assert!(
        list.contains("You&#39;re invited to join Acme Shop on Tributary")
            || list.contains("You&#x27;re invited")
            || list.contains("You're invited"),
        "{list}"
    );
    assert!(list.contains(&format!("/admin/emails/{}", row.id)));
    assert!(list.contains("bob@example.com"));
    let res = app.browser.get(&format!("/admin/emails/{}", row.id)).await;
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let page = res.text().await.unwrap();
    let link = first_link(&row.text_body);
    assert!(
        page.contains(&format!("<a href=\"{link}\"")),
        "the link is clickable: {page}"
    );
    // The HTML part is shown sandboxed and escaped, never as live markup.
    assert!(
        page.contains("<iframe class=\"email-html\" sandbox=\"\" srcdoc=\"&#60;!doctype html&#62;")
            || page.contains("srcdoc=\"&lt;!doctype html&gt;"),
        "{page}"
    );
    assert!(
        !page.contains("<body style="),
        "the message's own markup is not in the page"
    );
}

#[tokio::test]
async fn another_stores_message_is_not_found_and_cannot_be_retried() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let other = app.other_store("other", "other@example.com").await;
    let theirs = queued(&app, other, "ann@example.com").await;
    tributary::entities::email::Entity::update_many()
        .col_expr(
            tributary::entities::email::Column::Status,
            sea_orm::sea_query::Expr::value(EmailStatus::Failed),
        )
        .exec(&app.db)
        .await
        .unwrap();

    let page = app.browser.get(&format!("/admin/emails/{theirs}")).await;
    let retry = app
        .browser
        .post_form(&format!("/admin/emails/{theirs}/retry"), &[])
        .await;

    assert_eq!(page.status().as_u16(), 404);
    assert_eq!(retry.status().as_u16(), 404);
    assert_eq!(outbox(&app).await[0].status, EmailStatus::Failed);
    assert!(
        !app.browser
            .get_html("/admin/emails")
            .await
            .contains("ann@example.com")
    );
}

#[tokio::test]
async fn retrying_needs_the_csrf_token_and_only_failed_messages_are_retried() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let store = app.store_id("acme").await;
    let id = queued(&app, store, "ann@example.com").await;
    let path = format!("/admin/emails/{id}/retry");

    let queued_retry = app.browser.post_form(&path, &[]).await;
    assert_eq!(
        queued_retry.status().as_u16(),
        303,
        "refused back to the page"
    );
    assert_eq!(outbox(&app).await[0].status, EmailStatus::Queued);
    app.sql("UPDATE emails SET status = 'failed', attempts = 8")
        .await;

    let without = app.browser.post_form_raw(&path, &[]).await;

    assert_eq!(without.status().as_u16(), 403);
    assert_eq!(outbox(&app).await[0].status, EmailStatus::Failed);
    let with = app.browser.post_form(&path, &[]).await;
    assert_eq!(with.status().as_u16(), 303);
    let row = outbox(&app).await.remove(0);
    assert_eq!((row.status, row.attempts), (EmailStatus::Queued, 0));
    assert!(row.next_attempt_at <= Utc::now());
}

#[tokio::test]
async fn the_list_is_paged_newest_first_and_filtered_by_status() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let store = app.store_id("acme").await;
    let mut ids = Vec::new();
    for n in 0..51 {
        ids.push(queued(&app, store, &format!("a{n}@example.com")).await);
    }
    app.sql(&format!(
        "UPDATE emails SET status = 'sent' WHERE id = {}",
        app.uuid_sql(&ids[0].to_string())
    ))
    .await;

    let first = app.browser.get_html("/admin/emails").await;

    assert!(
        first.contains("a50@example.com") && !first.contains(">a0@example.com<"),
        "newest first"
    );
    let older = element_href(&first, "next-page").expect("an Older link");
    let second = app.browser.get_html(&older).await;
    assert!(second.contains(">a0@example.com<") && !second.contains("a50@example.com"));
    let sent = app.browser.get_html("/admin/emails?status=sent").await;
    assert!(sent.contains(">a0@example.com<") && !sent.contains("a1@example.com"));
    assert!(element_href(&sent, "next-page").is_none());
}

/// The `href` of the element with this id.
fn element_href(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = html[..at].rfind("<a ")?;
    let tag = &html[start..];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&amp;", "&").replace("&#38;", "&"))
}
