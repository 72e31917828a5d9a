//! Issue 13, point 10: the double-submit token is bound to the session, so
//! a matching cookie-and-token pair taken from another session (and planted,
//! as a sibling subdomain could) does not pass on a valid session.

use crate::support::*;

async fn store_name(app: &TestApp) -> String {
    tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap()
        .name
}

fn plant(browser: &Browser, token: &str) {
    let url = reqwest::Url::parse(&browser.address).unwrap();
    browser
        .jar
        .add_cookie_str(&format!("tributary_csrf={token}; Path=/"), &url);
}

async fn rename(browser: &Browser, token: &str, name: &str) -> u16 {
    browser
        .post_form_raw(
            "/admin/settings",
            &[
                ("name", name),
                ("slug", "acme"),
                ("currency", "USD"),
                ("csrf_token", token),
            ],
        )
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_token_pair_from_another_session_is_refused_on_a_valid_session() {
    // Arrange: the owner signed in (the app's browser), and two other
    // sessions with their own valid pairs: another signed-in account, and a
    // visitor who is not signed in.
    let app = spawn_app().await;
    app.setup_owner().await;
    let own = app.browser.csrf().await;
    app.other_store("beta", "mallory@example.com").await;
    let mallory = app.new_browser();
    assert_eq!(
        mallory
            .login("mallory@example.com", OWNER_PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
    let mallorys = mallory.csrf().await;
    let visitor = app.new_browser();
    let visitors = visitor.csrf().await;
    assert_ne!(own, mallorys);

    for planted in [&mallorys, &visitors] {
        // Act: the pair planted in the owner's browser, on the owner's session.
        plant(&app.browser, planted);
        let status = rename(&app.browser, planted, "Hacked").await;

        // Assert
        assert_eq!(status, 403);
        assert_eq!(store_name(&app).await, "Acme Shop");
        // The next page gives the browser its session's token back.
        app.browser.get("/admin").await;
        assert_eq!(app.browser.csrf().await, own);
    }

    // The session's own token still works.
    assert_eq!(rename(&app.browser, &own, "Acme Store").await, 303);
    assert_eq!(store_name(&app).await, "Acme Store");
}

#[tokio::test]
async fn signing_in_and_out_issues_a_new_token_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let browser = app.new_browser();
    let anonymous = browser.csrf().await;

    assert_eq!(
        browser
            .login(OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
    let signed_in = browser.csrf().await;
    assert_ne!(anonymous, signed_in, "sign-in issues a new token");
    plant(&browser, &anonymous);
    assert_eq!(rename(&browser, &anonymous, "Hacked").await, 403);
    browser.get("/admin").await;
    assert_eq!(rename(&browser, &signed_in, "Acme Store").await, 303);

    let res = browser
        .post_form_raw("/logout", &[("csrf_token", &signed_in)])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_ne!(
        browser.csrf().await,
        signed_in,
        "sign-out issues a new token"
    );
    assert_eq!(store_name(&app).await, "Acme Store");
}
