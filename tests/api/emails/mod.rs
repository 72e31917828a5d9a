//! Outgoing email: delivery through a real SMTP listener on loopback
//! (`support::smtp`), retries, the outbox in the change's transaction, the
//! Emails page, staff password resets, and the mail each change sends.

mod delivery;
mod notifications;
mod page;
mod password_reset;
mod portal_link;

use sea_orm::{EntityTrait, QueryOrder};
use tributary::domain::mail::EmailKind;
use tributary::entities::email;

use crate::support::*;

/// Every message in the outbox, oldest first.
pub async fn outbox(app: &TestApp) -> Vec<email::Model> {
    email::Entity::find()
        .order_by_asc(email::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// The messages of one kind, oldest first.
pub async fn of_kind(app: &TestApp, kind: EmailKind) -> Vec<email::Model> {
    outbox(app)
        .await
        .into_iter()
        .filter(|m| m.kind == kind)
        .collect()
}

/// The first http(s) link in a text.
pub fn first_link(text: &str) -> String {
    let start = text.find("http").expect("the text has a link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The owner (signed in as the app's browser) invites `email` as admin.
pub async fn invite(app: &TestApp, email: &str) {
    let res = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", email), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
}
