use crate::support::*;

#[tokio::test]
async fn the_owner_changes_name_slug_and_currency() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/settings",
            &[
                ("name", "Acme Europe"),
                ("slug", "acme-eu"),
                ("currency", "eur"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 303);
    let store = tributary::services::stores::find_by_slug(&app.db, "acme-eu")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.name, "Acme Europe");
    assert_eq!(store.currency, "EUR");
    assert!(
        app.browser
            .get_html("/admin/settings")
            .await
            .contains("Settings saved.")
    );
}

#[tokio::test]
async fn bad_settings_are_named_per_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/settings",
            &[("name", ""), ("slug", "-bad-"), ("currency", "ZZZ")],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"name-error\""));
    assert!(page.contains("id=\"slug-error\""));
    assert!(page.contains("id=\"currency-error\""));
    let store = tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.name, "Acme Shop");
}

#[tokio::test]
async fn a_slug_taken_by_another_store_is_refused() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("taken", "other@example.com").await;

    let res = app
        .browser
        .post_form(
            "/admin/settings",
            &[("name", "Acme"), ("slug", "taken"), ("currency", "USD")],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("is already taken by another store")
    );
}

#[tokio::test]
async fn an_admin_can_read_but_not_change_settings() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let admin = app.new_browser();
    let password = add_member(&app, "admin@example.com", "admin").await;
    admin.login("admin@example.com", &password).await;
    assert_eq!(admin.get("/admin/settings").await.status().as_u16(), 200);

    let res = admin
        .post_form(
            "/admin/settings",
            &[("name", "Mine now"), ("slug", "acme"), ("currency", "USD")],
        )
        .await;

    assert_eq!(res.status().as_u16(), 303, "refused, back to a page");
    assert!(admin.get_html("/admin").await.contains("flash-error"));
    let store = tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.name, "Acme Shop");
}

/// The password people who join by invitation choose in these tests.
pub const MEMBER_PASSWORD: &str = "member password 12345";

/// Invites `email` from the app's (owner's) browser; the link's path.
pub async fn invite(app: &TestApp, email: &str, role: &str) -> String {
    let res = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", email), ("role", role)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200, "invitation made");
    let page = res.text().await.unwrap();
    let url = element_text(&page, "invitation-link").expect("the link is shown");
    url.strip_prefix(&app.address)
        .unwrap_or_else(|| &url[url.find("/invitations/").expect("an invitation path")..])
        .to_owned()
}

/// Adds a new person to the team as they would join: invited by the owner,
/// then choosing a password on the link's page. Returns that password.
pub async fn add_member(app: &TestApp, email: &str, role: &str) -> String {
    let link = invite(app, email, role).await;
    let res = app
        .new_browser()
        .post_form(
            &format!("{link}/account"),
            &[
                ("password", MEMBER_PASSWORD),
                ("confirm_password", MEMBER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "joined with a new account");
    MEMBER_PASSWORD.to_owned()
}

#[tokio::test]
async fn portal_settings_are_checked_per_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/settings/portal",
            &[
                ("logo_url", "http://cdn.example.com/logo.png"),
                ("accent_color", "red; } body { display: none"),
                ("signup_questions", "1\n2\n3\n4\n5\n6"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Logo URL must start with https://."),
        "{page}"
    );
    assert!(page.contains("Accent colour must be a colour like #1e88e5."));
    assert!(page.contains("Questions may ask at most 5 questions."));
    assert_eq!(
        app.count("stores WHERE logo_url IS NOT NULL OR accent_color IS NOT NULL OR signup_questions IS NOT NULL")
            .await,
        0
    );
}
