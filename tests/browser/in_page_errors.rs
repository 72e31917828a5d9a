//! A refused action stays on its page: removing the last owner from the
//! Team page comes back to the Team page with the reason.

use crate::driver::*;
use crate::support::*;

#[tokio::test]
async fn removing_the_last_owner_is_refused_on_the_team_page() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let base = app.address.clone();

    with_browser(|b| async move {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;
        b.goto(&format!("{base}/admin/team")).await.unwrap();

        click(&b, "td.actions form[action$='/remove'] button").await;
        b.accept_alert().await.unwrap();

        let message = wait_for_text(&b, "main .flash-error", "last owner").await;
        assert!(!message.is_empty());
        assert_eq!(path_of(&b).await, "/admin/team");
        wait_for_text(&b, "main h1", "Team").await;
    })
    .await;
}
