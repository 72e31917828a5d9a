//! An owner invites the owner of another store from the Team page; the
//! invitee opens the link, signs in from it and accepts: only then are they
//! on the team, in that store.

use crate::driver::*;
use crate::support::*;

#[tokio::test]
async fn an_invitee_opens_the_link_signs_in_and_accepts() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", "bob@example.com").await;
    let base = app.address.clone();
    let db = app.db.clone();
    let acme = app.store_id("acme").await;
    with_browser(|b| async move {
        // The owner makes the link on the Team page.
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
        let link = wait_for_text(&b, "#invitation-link", "/invitations/").await;
        wait_for_text(&b, "#pending-invitations", "bob@example.com").await;
        click(&b, "form[action='/logout'] button").await;
        wait_for_text(&b, "article", "You have been signed out.").await;

        // Bob opens it, not signed in: he signs in from the page…
        b.goto(&link).await.unwrap();
        wait_for_text(&b, "main h1", "Join Acme Shop").await;
        let members = tributary::services::team::list(&db, acme).await.unwrap();
        assert_eq!(members.len(), 1, "not a member before accepting");
        click(&b, "#sign-in-to-accept").await;
        fill(&b, "#email", "bob@example.com").await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;

        // …comes back to the invitation, and accepts it.
        wait_for_text(&b, "#accept-invitation", "Accept").await;
        click(&b, "#accept-invitation").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;
        assert_eq!(path_of(&b).await, "/admin");
        wait_for_text(&b, "main", "You joined Acme Shop as admin.").await;
        let members = tributary::services::team::list(&db, acme).await.unwrap();
        assert!(members.iter().any(|m| m.email == "bob@example.com"));

        // The link is spent.
        b.goto(&link).await.unwrap();
        wait_for_text(&b, "#invitation-invalid", "used already").await;
    })
    .await;
}
