//! CSRF: the token, the origin checks, and that only a POST with the token
//! changes state (`every_route`: each state-changing page route).

mod every_route;
mod session_binding;

use crate::support::*;

async fn settings_name(app: &TestApp) -> String {
    tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap()
        .name
}

#[tokio::test]
async fn a_form_without_the_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form_raw(
            "/admin/settings",
            &[("name", "Hacked"), ("slug", "acme"), ("currency", "USD")],
        )
        .await;

    assert_eq!(res.status().as_u16(), 403);
    assert!(res.text().await.unwrap().contains("security token"));
    assert_eq!(settings_name(&app).await, "Acme Shop");
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form_raw(
            "/admin/settings",
            &[
                ("name", "Hacked"),
                ("slug", "acme"),
                ("currency", "USD"),
                ("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(settings_name(&app).await, "Acme Shop");
}

#[tokio::test]
async fn a_request_from_another_site_is_refused_even_with_the_token() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let token = app.browser.csrf().await;

    for (header, value) in [
        ("origin", "https://evil.example.com"),
        ("sec-fetch-site", "cross-site"),
        ("origin", "null"),
    ] {
        let res = app
            .browser
            .client
            .post(app.browser.url("/admin/settings"))
            .header(header, value)
            .form(&[
                ("name", "Hacked"),
                ("slug", "acme"),
                ("currency", "USD"),
                ("csrf_token", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{header}: {value}");
    }
    assert_eq!(settings_name(&app).await, "Acme Shop");
}

#[tokio::test]
async fn the_token_in_a_header_works_for_htmx_requests() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let token = app.browser.csrf().await;
    let origin = app.address.clone();

    let res = app
        .browser
        .client
        .post(app.browser.url("/admin/settings"))
        .header("x-csrf-token", token)
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Renamed"), ("slug", "acme"), ("currency", "USD")])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(settings_name(&app).await, "Renamed");
}

#[tokio::test]
async fn logout_and_login_need_the_token_too() {
    let app = spawn_app().await;
    app.setup_owner().await;

    assert_eq!(
        app.browser
            .post_form_raw("/logout", &[])
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.browser.get("/admin").await.status().as_u16(),
        200,
        "still signed in"
    );
    let other = app.new_browser();
    let res = other
        .post_form_raw(
            "/login",
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
}

#[tokio::test]
async fn a_rebound_host_name_does_not_pass_as_this_site() {
    // DNS rebinding: a page on evil.example.com whose name now points here
    // sends Origin and Host that agree with each other, but not with us.
    let app = spawn_app().await;
    app.setup_owner().await;
    let token = app.browser.csrf().await;

    let res = app
        .browser
        .client
        .post(app.browser.url("/admin/settings"))
        .header("host", "evil.example.com:8080")
        .header("origin", "http://evil.example.com:8080")
        .form(&[
            ("name", "Hacked"),
            ("slug", "acme"),
            ("currency", "USD"),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(settings_name(&app).await, "Acme Shop");
}

#[tokio::test]
async fn localhost_and_127_0_0_1_are_the_same_local_site() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let token = app.browser.csrf().await;
    let host = format!("localhost:{}", app.port);

    let res = app
        .browser
        .client
        .post(app.browser.url("/admin/settings"))
        .header("host", host.clone())
        .header("origin", format!("http://{host}"))
        .form(&[
            ("name", "Local"),
            ("slug", "acme"),
            ("currency", "USD"),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(settings_name(&app).await, "Local");
}
