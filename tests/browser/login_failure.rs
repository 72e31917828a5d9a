//! A wrong password shows the error on the login page and signs nobody in.

use crate::driver::*;
use crate::support::*;

#[tokio::test]
async fn a_failed_login_shows_the_error_and_stays_on_the_login_page() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let base = app.address.clone();
    with_browser(|b| async move {
        b.goto(&format!("{base}/admin/team")).await.unwrap();
        assert!(path_of(&b).await.starts_with("/login"), "sent to login");

        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", "definitely not it").await;
        click(&b, "form[action='/login'] button[type=submit]").await;

        let error = wait_for_text(&b, "#login-error", "incorrect").await;
        assert_eq!(error, "Email or password is incorrect.");
        assert_eq!(path_of(&b).await, "/login");
        let email = b
            .find(fantoccini::Locator::Css("#email"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(email.as_deref(), Some(OWNER_EMAIL), "the email is kept");

        // The right password then works and returns to the page asked for.
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Team").await;
        assert_eq!(path_of(&b).await, "/admin/team");
    })
    .await;
}
