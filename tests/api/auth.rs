use crate::support::*;

const SESSION: &str = "tributary_session";

#[tokio::test]
async fn login_with_the_right_password_opens_the_admin() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let browser = app.new_browser();

    let res = browser.login(OWNER_EMAIL, OWNER_PASSWORD).await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/admin");
    assert!(browser.get_html("/admin").await.contains("Acme Shop"));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let browser = app.new_browser();

    let wrong_password = browser.login(OWNER_EMAIL, "not the password at all").await;
    let wrong_status = wrong_password.status().as_u16();
    let wrong_body = wrong_password.text().await.unwrap();
    let unknown = browser
        .login("nobody@example.com", "not the password at all")
        .await;
    let unknown_status = unknown.status().as_u16();
    let unknown_body = unknown.text().await.unwrap();

    assert_eq!(wrong_status, 401);
    assert_eq!(unknown_status, 401);
    let message = "Email or password is incorrect.";
    assert_eq!(
        element_text(&wrong_body, "login-error").as_deref(),
        Some(message)
    );
    assert_eq!(
        element_text(&unknown_body, "login-error").as_deref(),
        Some(message)
    );
    assert_eq!(
        browser.get("/admin").await.status().as_u16(),
        303,
        "still signed out"
    );
}

#[tokio::test]
async fn login_issues_a_new_session_id_and_the_old_one_dies() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let browser = app.new_browser();
    browser.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let before = browser
        .cookie(SESSION)
        .expect("a session after the first login");

    browser.login(OWNER_EMAIL, OWNER_PASSWORD).await;

    let after = browser
        .cookie(SESSION)
        .expect("a session after the second login");
    assert_ne!(after, before);
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = replay
        .get(app.browser.url("/admin"))
        .header("cookie", format!("{SESSION}={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "the pre-login id is worthless");
}

#[tokio::test]
async fn logout_revokes_the_session_so_the_old_cookie_stops_working() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let cookie = app.browser.cookie(SESSION).expect("signed in by setup");
    assert_eq!(app.browser.get("/admin").await.status().as_u16(), 200);

    let res = app.browser.post_form("/logout", &[]).await;
    assert_eq!(location(&res), "/login?signed_out=1");

    // Replay the old cookie from a client that never saw the logout.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = replay
        .get(app.browser.url("/admin"))
        .header("cookie", format!("{SESSION}={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(location(&res).starts_with("/login"));
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_keeps_this_one() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let laptop = app.new_browser();
    laptop.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(laptop.get("/admin").await.status().as_u16(), 200);

    let res = app
        .browser
        .post_form(
            "/admin/account/password",
            &[
                ("current_password", OWNER_PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        app.browser.get("/admin").await.status().as_u16(),
        200,
        "this browser stays in"
    );
    assert_eq!(
        laptop.get("/admin").await.status().as_u16(),
        303,
        "the other is signed out"
    );
    let fresh = app.new_browser();
    assert_eq!(
        fresh
            .login(OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        fresh
            .login(OWNER_EMAIL, "a brand new passphrase")
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test]
async fn a_password_change_checks_every_field() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/account/password",
            &[
                ("current_password", "wrong current one"),
                ("new_password", "short"),
                ("confirm_password", ""),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"current_password-error\""));
    assert!(page.contains("id=\"new_password-error\""));
    let res = app
        .browser
        .post_form(
            "/admin/account/password",
            &[
                ("current_password", OWNER_PASSWORD),
                ("new_password", "long enough passphrase"),
                ("confirm_password", "a different one here"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"confirm_password-error\"")
    );
    // Nothing changed: the old password still works.
    assert_eq!(
        app.new_browser()
            .login(OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_is_refused() {
    let app = spawn_app().await;
    app.setup_owner().await;
    assert_eq!(app.browser.get("/admin").await.status().as_u16(), 200);
    // Age every session by a day: beyond the 12-hour maximum.
    use sea_orm::{ConnectionTrait, Statement};
    let old = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let sql = if is_postgres() {
        format!("UPDATE sessions SET created_at = '{old}'::timestamptz")
    } else {
        format!("UPDATE sessions SET created_at = '{old}'")
    };
    app.db
        .execute_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap();

    let res = app.browser.get("/admin").await;

    assert_eq!(res.status().as_u16(), 303);
    assert!(location(&res).starts_with("/login"));
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = spawn_app().await;
    app.setup_owner().await;
    use sea_orm::{ConnectionTrait, Statement};
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let sql = if is_postgres() {
        format!("UPDATE sessions SET expires_at = '{past}'::timestamptz")
    } else {
        format!("UPDATE sessions SET expires_at = '{past}'")
    };
    app.db
        .execute_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap();

    let res = app.browser.get("/admin").await;

    assert_eq!(res.status().as_u16(), 303);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let browser = app.new_browser();
    let res = browser
        .post_form(
            "/setup",
            &[
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("store_name", "Acme"),
                ("currency", "USD"),
                ("slug", "acme"),
            ],
        )
        .await;

    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(SESSION))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
}

#[tokio::test]
async fn under_https_cookies_are_secure_and_host_prefixed_and_hsts_is_sent() {
    let app = spawn_app_with(|c| {
        c.public_url = url::Url::parse("https://affiliates.example.com").unwrap()
    })
    .await;
    let browser = app.new_browser();
    let res = browser.get("/setup").await;
    assert!(res.headers().get("strict-transport-security").is_some());
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("__Host-tributary_csrf="))
        .expect("host-prefixed CSRF cookie");
    assert!(csrf.contains("Secure"));
    assert!(csrf.contains("Path=/"));
}

#[tokio::test]
async fn only_a_local_path_is_followed_after_login() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let browser = app.new_browser();

    let res = browser
        .post_form(
            "/login",
            &[
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("next", "//evil.example.com/"),
            ],
        )
        .await;

    assert_eq!(location(&res), "/admin");
    let other = app.new_browser();
    let res = other
        .post_form(
            "/login",
            &[
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("next", "/admin/team"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/team");
}
