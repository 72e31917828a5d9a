//! setup → sign out → sign in → create an API key → copy it → revoke it.

use crate::driver::*;
use crate::support::*;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn an_owner_sets_up_signs_in_and_creates_copies_and_revokes_a_key() {
    let app = spawn_app().await;
    let base = app.address.clone();
    with_browser(|b| async move {
        // First run: / leads to the setup page.
        b.goto(&format!("{base}/")).await.unwrap();
        assert_eq!(path_of(&b).await, "/setup");
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        fill(&b, "#store_name", "Acme Shop").await;
        fill(&b, "#slug", "acme").await;
        b.find(Locator::Css("#currency"))
            .await
            .unwrap()
            .select_by_value("EUR")
            .await
            .unwrap();
        click(&b, "form[action='/setup'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;
        assert_eq!(path_of(&b).await, "/admin");

        // Sign out and back in.
        click(&b, "form[action='/logout'] button").await;
        wait_for_text(&b, "article", "You have been signed out.").await;
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;

        // Create a key: it is shown once, with a copy button.
        click(&b, "aside a[href='/admin/api-keys']").await;
        wait_for_text(&b, "main h1", "API keys").await;
        fill(&b, "#key-name", "Checkout backend").await;
        click(&b, "form.create-key button[type=submit]").await;
        let key = wait_for_text(&b, "#new-key", "tb_").await;
        click(&b, "#copy-new-key").await;
        wait_for_text(&b, "#copy-new-key", "Copied").await;
        // What was copied is the key: paste it (Ctrl+V) into a field and compare.
        let field = b.find(Locator::Css("#key-name")).await.unwrap();
        field.clear().await.unwrap();
        field
            .send_keys(&format!("{}v", char::from(fantoccini::key::Key::Control)))
            .await
            .unwrap();
        let pasted = field.prop("value").await.unwrap().unwrap_or_default();
        assert_eq!(pasted, key, "the clipboard holds the key");
        field.clear().await.unwrap();

        let me = app.api_get("/api/v1/me", &key).await;
        assert_eq!(me.status().as_u16(), 200, "the copied key works");

        // Revoke it in place (htmx): the row changes, the page does not reload.
        b.execute("window.__sameDocument = true;", vec![])
            .await
            .unwrap();
        click(&b, "#api-keys button[hx-post$='/revoke']").await;
        b.accept_alert().await.unwrap();
        wait_for_text(&b, "#api-keys tbody tr", "revoked").await;
        let same = b
            .execute("return window.__sameDocument === true;", vec![])
            .await
            .unwrap();
        assert_eq!(same, json!(true), "no full page load");
        wait_for_text(&b, "#toast", "revoked").await;

        let me = app.api_get("/api/v1/me", &key).await;
        assert_eq!(
            me.status().as_u16(),
            401,
            "a revoked key is refused at once"
        );
    })
    .await;
}
