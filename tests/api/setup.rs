use crate::support::*;

#[tokio::test]
async fn every_admin_url_leads_to_setup_on_a_fresh_install() {
    let app = spawn_app().await;
    for path in ["/", "/admin", "/admin/team", "/admin/api-keys", "/login"] {
        let res = app.browser.get(path).await;
        assert_eq!(res.status().as_u16(), 303, "{path}");
        assert_eq!(location(&res), "/setup", "{path}");
    }
    let page = app.browser.get_html("/setup").await;
    assert!(page.contains("name=\"store_name\""));
}

#[tokio::test]
async fn setup_creates_the_owner_and_store_and_signs_the_owner_in() {
    let app = spawn_app().await;

    let res = app.setup_owner().await;

    assert_eq!(location(&res), "/admin");
    let dashboard = app.browser.get_html("/admin").await;
    assert!(dashboard.contains("Acme Shop"));
    assert!(dashboard.contains(OWNER_EMAIL));
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("stores").await, 1);
    assert_eq!(app.count("memberships").await, 1);
    let store = tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.currency, "USD");
}

#[tokio::test]
async fn setup_happens_only_once() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let other = app.new_browser();
    let again = other.get("/setup").await;
    assert_eq!(
        again.status().as_u16(),
        303,
        "a first-run bookmark leads to signing in"
    );
    assert_eq!(location(&again), "/login");
    let res = other
        .post_form(
            "/setup",
            &[
                ("email", "evil@example.com"),
                ("password", "another long password"),
                ("store_name", "Evil"),
                ("currency", "USD"),
                ("slug", "evil"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("stores").await, 1);
}

#[tokio::test]
async fn setup_names_every_bad_field_and_saves_nothing() {
    let app = spawn_app().await;

    let res = app
        .browser
        .post_form(
            "/setup",
            &[
                ("email", "not-an-email"),
                ("password", "short"),
                ("store_name", ""),
                ("currency", "XYZ"),
                ("slug", "Bad Slug"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"email-error\""), "email error shown");
    assert!(page.contains("must be at least 12 characters"));
    assert!(page.contains("id=\"store_name-error\""));
    assert!(page.contains("not an ISO 4217 currency code"));
    assert!(page.contains("id=\"slug-error\""));
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("stores").await, 0);
}

#[tokio::test]
async fn a_password_over_128_characters_is_refused_not_truncated() {
    let app = spawn_app().await;
    let long = "a".repeat(129);

    let res = app
        .browser
        .post_form(
            "/setup",
            &[
                ("email", OWNER_EMAIL),
                ("password", &long),
                ("store_name", "Acme"),
                ("currency", "USD"),
                ("slug", ""),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("must be at most 128 characters")
    );
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn an_empty_slug_is_made_from_the_store_name() {
    let app = spawn_app().await;

    let res = app
        .browser
        .post_form(
            "/setup",
            &[
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("store_name", "Ann's Big Shop"),
                ("currency", "eur"),
                ("slug", ""),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 303);
    let store = tributary::services::stores::find_by_slug(&app.db, "ann-s-big-shop")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.currency, "EUR");
}

#[tokio::test]
async fn data_survives_a_restart_of_the_server() {
    // Two servers on the same database, one after the other.
    let app = spawn_app().await;
    app.setup_owner().await;
    let url = if let Some(file) = &app.sqlite_file {
        format!("sqlite://{}?mode=rwc", file.display())
    } else {
        return; // PostgreSQL keeps data by nature; the SQLite file is the point here.
    };
    let dir = tempfile::tempdir().unwrap();
    let second = tributary::Application::build(tributary::Config::for_tests(url, dir.path()))
        .await
        .unwrap();
    let port = second.port();
    tokio::spawn(second.run_until_stopped());
    let browser = Browser::new(&format!("http://127.0.0.1:{port}"));

    let res = browser.login(OWNER_EMAIL, OWNER_PASSWORD).await;

    assert_eq!(res.status().as_u16(), 303);
    assert!(browser.get_html("/admin").await.contains("Acme Shop"));
}
