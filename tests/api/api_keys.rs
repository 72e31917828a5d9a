use crate::support::*;

async fn create_key_on_page(app: &TestApp, name: &str) -> String {
    let res = app
        .browser
        .post_form("/admin/api-keys", &[("name", name)])
        .await;
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
    let page = res.text().await.unwrap();
    element_text(&page, "new-key").expect("the key is shown")
}

#[tokio::test]
async fn a_key_created_on_the_page_works_once_shown_and_is_never_shown_again() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let key = create_key_on_page(&app, "Checkout backend").await;

    assert!(
        key.starts_with("tb_") && key.len() >= 3 + 43,
        "256 random bits: {key}"
    );
    let res = app.api_get("/api/v1/me", &key).await;
    assert_eq!(res.status().as_u16(), 200);
    let listing = app.browser.get_html("/admin/api-keys").await;
    assert!(listing.contains("Checkout backend"));
    assert!(listing.contains(&key[..10]), "the visible prefix is listed");
    assert!(
        !listing.contains(&key),
        "the whole key is never shown again"
    );
}

#[tokio::test]
async fn the_database_never_holds_the_key_in_clear() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = create_key_on_page(&app, "Grep me").await;
    assert_eq!(app.api_get("/api/v1/me", &key).await.status().as_u16(), 200);

    if let Some(file) = &app.sqlite_file {
        // Checkpoint the WAL so every page is in the files we read.
        use sea_orm::ConnectionTrait;
        app.db
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .unwrap();
        for path in [file.clone(), file.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&path) {
                let secret_part = &key.as_bytes()[10..];
                assert!(
                    !bytes.windows(secret_part.len()).any(|w| w == secret_part),
                    "{} holds the key",
                    path.display()
                );
            }
        }
    }
    let rows = tributary::services::api_keys::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = format!("{:?}", rows[0]);
    assert!(!row.contains(&key[10..]));
    assert_eq!(rows[0].secret_hash.len(), 64, "a SHA-256 hex digest");
}

#[tokio::test]
async fn a_revoked_key_is_refused_at_once() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = create_key_on_page(&app, "Soon revoked").await;
    assert_eq!(app.api_get("/api/v1/me", &key).await.status().as_u16(), 200);
    let id = tributary::services::api_keys::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap()[0]
        .id;

    let res = app
        .browser
        .client
        .post(app.browser.url(&format!("/admin/api-keys/{id}/revoke")))
        .header("hx-request", "true")
        .header("x-csrf-token", app.browser.csrf().await)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 200);
    let row = res.text().await.unwrap();
    assert!(
        row.contains("revoked"),
        "the row shows the new state: {row}"
    );
    let res = app.api_get("/api/v1/me", &key).await;
    assert_eq!(res.status().as_u16(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn a_key_needs_a_name() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form("/admin/api-keys", &[("name", "   ")])
        .await;

    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("id=\"key-name-error\""));
    assert_eq!(app.count("api_keys").await, 0);
}

#[tokio::test]
async fn another_stores_key_cannot_be_seen_or_revoked() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", "bob@example.com").await;
    let bobs_key = app.api_key("beta").await;
    let bobs_id = tributary::services::api_keys::list(&app.db, app.store_id("beta").await)
        .await
        .unwrap()[0]
        .id;

    let res = app
        .browser
        .post_form(&format!("/admin/api-keys/{bobs_id}/revoke"), &[])
        .await;

    assert_eq!(res.status().as_u16(), 404);
    assert!(
        !app.browser
            .get_html("/admin/api-keys")
            .await
            .contains(&bobs_key[..10])
    );
    assert_eq!(
        app.api_get("/api/v1/me", &bobs_key).await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn using_a_key_records_when_it_was_last_used() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;
    let before = tributary::services::api_keys::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap();
    assert!(before[0].last_used_at.is_none());

    app.api_get("/api/v1/me", &key).await;

    let after = tributary::services::api_keys::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap();
    assert!(after[0].last_used_at.is_some());
}
