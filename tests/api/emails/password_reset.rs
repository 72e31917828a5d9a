//! Staff "forgot password": the same answer for every email, a one-time
//! link by email that expires, a new password that ends every session, and
//! a message that shows on no store's Emails page.

use tributary::domain::mail::EmailKind;

use super::*;

async fn ask(browser: &Browser, email: &str) -> (u16, String) {
    let res = browser
        .post_form("/password-reset", &[("email", email)])
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The path of the link in the newest reset message.
async fn reset_path(app: &TestApp) -> String {
    let mail = of_kind(app, EmailKind::StaffPasswordReset)
        .await
        .pop()
        .expect("a reset mail");
    first_link(&mail.text_body)
        .trim_start_matches(&app.address)
        .to_owned()
}

#[tokio::test]
async fn asking_answers_the_same_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let login = app.new_browser().get_html("/login").await;
    assert!(
        login.contains("href=\"/password-reset\""),
        "the sign-in page links it"
    );

    let (known_status, known) = ask(&app.new_browser(), OWNER_EMAIL).await;
    let (unknown_status, unknown) = ask(&app.new_browser(), "nobody@example.com").await;

    assert_eq!((known_status, unknown_status), (200, 200));
    let said = |page: &str, email: &str| {
        element_text(page, "reset-sent")
            .unwrap()
            .replace(email, "EMAIL")
    };
    assert_eq!(
        said(&known, OWNER_EMAIL),
        said(&unknown, "nobody@example.com")
    );
    let mails = of_kind(&app, EmailKind::StaffPasswordReset).await;
    assert_eq!(mails.len(), 1, "only the real account gets mail");
    assert_eq!(mails[0].recipient, OWNER_EMAIL);
    assert_eq!(mails[0].store_id, None, "it belongs to no store");
    let page = app.browser.get_html("/admin/emails").await;
    assert!(
        !page.contains("Reset your Tributary password"),
        "not on a store's Emails page"
    );
    let (bad, body) = ask(&app.new_browser(), "not an email").await;
    assert_eq!(bad, 422);
    assert!(body.contains("id=\"email-error\""), "{body}");
}

#[tokio::test]
async fn the_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    app.setup_owner().await; // app.browser stays signed in
    let stranger = app.new_browser();
    ask(&stranger, OWNER_EMAIL).await;
    let path = reset_path(&app).await;
    assert_eq!(stranger.get(&path).await.status().as_u16(), 200);
    let short = stranger
        .post_form(
            &path,
            &[("password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(short.status().as_u16(), 422);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("id=\"password-error\"")
    );

    let new = "a brand new long password";
    let done = stranger
        .post_form(&path, &[("password", new), ("confirm_password", new)])
        .await;

    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(location(&done), "/login?password_reset=1");
    let old_session = app.browser.get("/admin").await;
    assert_eq!(
        old_session.status().as_u16(),
        303,
        "the signed-in browser is signed out"
    );
    assert!(location(&old_session).starts_with("/login"));
    assert_eq!(
        app.new_browser()
            .login(OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        app.new_browser()
            .login(OWNER_EMAIL, new)
            .await
            .status()
            .as_u16(),
        303
    );
    let again = stranger
        .post_form(
            &path,
            &[
                ("password", "yet another password!"),
                ("confirm_password", "yet another password!"),
            ],
        )
        .await;
    assert_eq!(again.status().as_u16(), 404, "the link works once");
    assert_eq!(stranger.get(&path).await.status().as_u16(), 404);
}

#[tokio::test]
async fn a_link_expires_after_an_hour_and_a_newer_one_replaces_it() {
    let app = spawn_app().await;
    app.setup_owner().await;
    ask(&app.new_browser(), OWNER_EMAIL).await;
    let first = reset_path(&app).await;
    ask(&app.new_browser(), OWNER_EMAIL).await;
    let second = reset_path(&app).await;
    assert_ne!(first, second);
    assert_eq!(
        app.new_browser().get(&first).await.status().as_u16(),
        404,
        "replaced"
    );
    assert_eq!(app.new_browser().get(&second).await.status().as_u16(), 200);
    let hour_ago = if is_postgres() {
        "now() - interval '1 minute'".to_owned()
    } else {
        format!(
            "'{}'",
            (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339()
        )
    };

    app.sql(&format!(
        "UPDATE staff_password_resets SET expires_at = {hour_ago}"
    ))
    .await;

    let page = app.new_browser().get(&second).await;
    assert_eq!(page.status().as_u16(), 404);
    assert!(page.text().await.unwrap().contains("id=\"reset-invalid\""));
}

#[tokio::test]
async fn asking_too_often_is_throttled_for_known_and_unknown_emails_alike() {
    let app = spawn_app().await;
    app.setup_owner().await;
    for email in [OWNER_EMAIL, "nobody@example.com"] {
        let browser = app.new_browser();
        let mut statuses = Vec::new();
        for _ in 0..7 {
            statuses.push(ask(&browser, email).await.0);
        }
        assert_eq!(&statuses[..5], &[200; 5], "{email}");
        assert_eq!(statuses[6], 429, "{email}: {statuses:?}");
    }
}
