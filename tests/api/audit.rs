use crate::settings::add_member;
use crate::support::*;

#[tokio::test]
async fn team_settings_and_key_changes_are_audited_with_actor_and_ip() {
    let app = spawn_app().await;
    app.setup_owner().await;
    add_member(&app, "ann@example.com", "admin").await;
    app.browser
        .post_form(
            "/admin/settings",
            &[("name", "Acme Two"), ("slug", "acme"), ("currency", "USD")],
        )
        .await;
    app.browser
        .post_form("/admin/api-keys", &[("name", "Audited key")])
        .await;

    let page = app.browser.get_html("/admin/audit").await;

    for action in [
        "store.created",
        "member.added",
        "store.settings_changed",
        "api_key.created",
    ] {
        assert!(page.contains(action), "{action} is in the log");
    }
    assert!(page.contains(OWNER_EMAIL));
    assert!(page.contains("127.0.0.1"));
    let entries = tributary::services::audit::list(&app.db, app.store_id("acme").await, None, 100)
        .await
        .unwrap()
        .entries;
    let settings = entries
        .iter()
        .find(|e| e.action == "store.settings_changed")
        .unwrap();
    assert!(
        settings.details.contains("Acme Shop") && settings.details.contains("Acme Two"),
        "before and after"
    );
    assert_eq!(settings.actor_type, "user");
}

#[tokio::test]
async fn a_failed_change_leaves_no_audit_entry() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let before = app.count("audit_entries").await;

    app.browser
        .post_form(
            "/admin/settings",
            &[("name", ""), ("slug", "acme"), ("currency", "USD")],
        )
        .await;
    app.browser
        .post_form_raw("/admin/api-keys", &[("name", "no token")])
        .await;

    assert_eq!(app.count("audit_entries").await, before);
}

#[tokio::test]
async fn the_audit_log_pages_from_newest_to_oldest() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let store = app.store_id("acme").await;
    for i in 0..60 {
        tributary::services::api_keys::create(
            &app.db,
            store,
            &tributary::services::Actor::cli(),
            &format!("key {i:02}"),
        )
        .await
        .unwrap();
    }

    let first = app.browser.get_html("/admin/audit").await;

    assert!(first.contains("key 59"), "newest first");
    assert!(!first.contains("\"key 00\""));
    let start = first
        .find("/admin/audit?before=")
        .expect("a link to older entries");
    let href: String = first[start..].chars().take_while(|c| *c != '"').collect();
    let second = app.browser.get_html(&href).await;
    assert!(second.contains("key 00"));
    assert!(second.contains("store.created"));
    assert!(!second.contains("key 59"));
}

#[tokio::test]
async fn one_store_never_sees_anothers_audit_entries() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", "bob@example.com").await;

    let page = app.browser.get_html("/admin/audit").await;

    assert!(!page.contains("bob@example.com"));
}
