//! Without SMTP the Emails page is how staff read what was sent: the owner
//! invites someone, finds the invitation on the Emails page, and the link
//! in it is a real link that opens the invitation (the portal's browser
//! tests read magic links the same way).

use crate::driver::*;
use crate::support::*;

#[tokio::test]
async fn staff_read_a_message_on_the_emails_page_and_follow_its_link() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let base = app.address.clone();
    with_browser(|b| async move {
        b.goto(&format!("{base}/admin/team")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Team").await;
        fill(&b, "#member-email", "bob@example.com").await;
        click(
            &b,
            "form[action='/admin/team/invitations'] button[type=submit]",
        )
        .await;
        wait_for_text(&b, "#invitation-link", "/invitations/").await;

        click(&b, "#main-nav a[href='/admin/emails']").await;
        wait_for_text(&b, "#emails", "bob@example.com").await;
        click(&b, "#emails tbody a").await;
        wait_for_text(&b, "#email-recipient", "bob@example.com").await;
        wait_for_text(&b, "#email-status", "queued").await;
        click(&b, "#email-text a").await;

        wait_for_text(&b, "main h1", "Join Acme Shop").await;
        assert!(path_of(&b).await.starts_with("/invitations/"));
    })
    .await;
}
