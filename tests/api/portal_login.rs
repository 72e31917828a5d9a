//! Portal log-in by password: the staff throttle, no session fixation,
//! log-out, and what pending, rejected and suspended affiliates get.

use crate::support::*;

async fn joined(app: &TestApp, email: &str) -> Browser {
    let browser = app.new_browser();
    let res = browser.join("/a/acme/join", &join_fields(email)).await;
    assert_eq!(res.status().as_u16(), 303);
    browser
}

async fn affiliate_id(app: &TestApp, key: &str, email: &str) -> String {
    let (_, list) = app
        .api_json(&format!("/api/v1/affiliates?email={email}"), key)
        .await;
    list["data"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_password_log_in_opens_the_home_page_and_log_out_ends_the_session() {
    // Arrange
    let app = spawn_app().await;
    app.portal_program(false).await;
    joined(&app, "pat@example.com").await;
    let browser = app.new_browser();

    // Act
    let res = browser
        .portal_login("acme", "pat@example.com", AFFILIATE_PASSWORD)
        .await;

    // Assert
    assert_eq!(location(&res), "/a/acme/");
    assert!(browser.get_html("/a/acme/").await.contains("Hi Pat"));
    let res = browser.post_form("/a/acme/logout", &[]).await;
    assert_eq!(location(&res), "/a/acme/login?signed_out=1");
    assert_eq!(location(&browser.get("/a/acme/").await), "/a/acme/login");
}

#[tokio::test]
async fn logging_in_issues_a_new_session_and_forgets_the_old_one() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    let browser = joined(&app, "pat@example.com").await;
    let before = browser.cookie("tributary_session").unwrap();

    browser
        .portal_login("acme", "pat@example.com", AFFILIATE_PASSWORD)
        .await;

    let after = browser.cookie("tributary_session").unwrap();
    assert_ne!(before, after);
    assert_eq!(
        app.count("sessions WHERE affiliate_id IS NOT NULL").await,
        1
    );
    // The old cookie signs nobody in.
    let stale = app.new_browser();
    stale.jar.add_cookie_str(
        &format!("tributary_session={before}; Path=/"),
        &reqwest::Url::parse(&app.address).unwrap(),
    );
    assert_eq!(location(&stale.get("/a/acme/").await), "/a/acme/login");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    joined(&app, "pat@example.com").await;

    let wrong = app
        .new_browser()
        .portal_login("acme", "pat@example.com", "not the password at all")
        .await;
    let unknown = app
        .new_browser()
        .portal_login("acme", "nobody@example.com", "not the password at all")
        .await;

    assert_eq!(wrong.status().as_u16(), 401);
    assert_eq!(unknown.status().as_u16(), 401);
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(
        element_text(&a, "login-error"),
        element_text(&b, "login-error")
    );
    assert_eq!(
        element_text(&a, "login-error").unwrap(),
        "Email or password is incorrect."
    );
}

#[tokio::test]
async fn repeated_failures_are_throttled_like_staff_sign_ins() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    joined(&app, "pat@example.com").await;
    let browser = app.new_browser();
    for _ in 0..6 {
        let res = browser
            .portal_login("acme", "pat@example.com", "wrong password guess")
            .await;
        assert_eq!(res.status().as_u16(), 401);
    }

    let res = browser
        .portal_login("acme", "pat@example.com", AFFILIATE_PASSWORD)
        .await;

    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many failed sign-in attempts")
    );
    assert!(app.count("login_throttles").await >= 3);
}

#[tokio::test]
async fn a_suspended_affiliate_is_logged_out_at_the_next_request() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let browser = joined(&app, "pat@example.com").await;
    let id = affiliate_id(&app, &p.key, "pat@example.com").await;
    assert_eq!(browser.get("/a/acme/").await.status().as_u16(), 200);

    let (status, _) = app
        .api_post(
            &format!("/api/v1/affiliates/{id}/suspend"),
            &p.key,
            serde_json::json!({}),
        )
        .await;

    assert_eq!(status, 200);
    assert_eq!(
        app.count("sessions WHERE affiliate_id IS NOT NULL").await,
        0
    );
    assert_eq!(location(&browser.get("/a/acme/").await), "/a/acme/login");
    // Logging in again shows why, and keeps no session.
    let res = browser
        .portal_login("acme", "pat@example.com", AFFILIATE_PASSWORD)
        .await;
    assert_eq!(location(&res), "/a/acme/status");
    assert!(
        browser
            .get_html("/a/acme/status")
            .await
            .contains("Account suspended")
    );
    assert_eq!(location(&browser.get("/a/acme/").await), "/a/acme/login");
}

#[tokio::test]
async fn a_status_changed_behind_the_services_back_still_ends_the_session() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    let browser = joined(&app, "pat@example.com").await;

    app.sql("UPDATE affiliates SET status = 'suspended'").await;

    let res = browser.get("/a/acme/").await;
    assert_eq!(location(&res), "/a/acme/status");
    assert!(
        browser
            .get_html("/a/acme/status")
            .await
            .contains("Account suspended")
    );
    assert_eq!(
        app.count("sessions WHERE affiliate_id IS NOT NULL").await,
        0
    );
}

#[tokio::test]
async fn a_rejected_applicant_is_told_so_and_a_pending_one_waits_until_approved() {
    let app = spawn_app().await;
    let p = app.portal_program(true).await;
    let pending = joined(&app, "wait@example.com").await;
    joined(&app, "no@example.com").await;
    let wait_id = affiliate_id(&app, &p.key, "wait@example.com").await;
    let no_id = affiliate_id(&app, &p.key, "no@example.com").await;
    app.api_post(
        &format!("/api/v1/affiliates/{no_id}/reject"),
        &p.key,
        serde_json::json!({}),
    )
    .await;

    // Rejected: the right password leads to a clear page, not a session.
    let browser = app.new_browser();
    let res = browser
        .portal_login("acme", "no@example.com", AFFILIATE_PASSWORD)
        .await;
    assert_eq!(location(&res), "/a/acme/status");
    assert!(
        browser
            .get_html("/a/acme/status")
            .await
            .contains("not accepted")
    );
    assert_eq!(location(&browser.get("/a/acme/").await), "/a/acme/login");

    // Pending, then approved: the same session reaches the dashboard.
    assert_eq!(location(&pending.get("/a/acme/").await), "/a/acme/status");
    app.api_post(
        &format!("/api/v1/affiliates/{wait_id}/approve"),
        &p.key,
        serde_json::json!({}),
    )
    .await;
    assert!(pending.get_html("/a/acme/").await.contains("Hi Pat"));
}
