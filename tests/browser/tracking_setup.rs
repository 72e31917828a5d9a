//! The owner copies the tracking snippet from Settings, the store pastes it
//! into its site, and the dashboard's checklist ticks "script installed"
//! after the first referred visit there.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use fantoccini::{Locator, key::Key};
use serde_json::json;

use crate::driver::*;
use crate::support::*;

/// The store's site: one page with whatever the store pasted into it.
async fn store_site(pasted: Arc<Mutex<String>>) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let pasted = pasted.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let snippet = pasted.lock().unwrap().clone();
                async move {
                    HttpResponse::Ok().content_type("text/html").body(format!(
                        "<!doctype html><html><head><title>Shop</title></head>\
                         <body><h1>The Shop</h1>{snippet}</body></html>"
                    ))
                }
            }),
        )
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .run();
    tokio::spawn(server);
    port
}

#[tokio::test]
async fn the_snippet_copied_from_settings_and_pasted_into_the_site_ticks_the_checklist() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;
    let pasted = Arc::new(Mutex::new(String::new()));
    let shop_port = store_site(pasted.clone()).await;
    let shop = format!("http://127.0.0.1:{shop_port}");
    let (status, _) = app
        .api_post(
            "/api/v1/campaigns",
            &key,
            json!({"name": "Partners", "website_url": format!("{shop}/")}),
        )
        .await;
    assert_eq!(status, 201);
    app.approved_affiliate(&key, "ann@example.com", "ann").await;
    let base = app.address.clone();

    with_browser(|b| async move {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "#step-script", "Install the tracking script").await;

        // Copy from Settings; paste (Ctrl+V) to see what was copied.
        b.goto(&format!("{base}/admin/settings")).await.unwrap();
        click(&b, "#copy-snippet").await;
        wait_for_text(&b, "#copy-snippet", "Copied").await;
        let field = b.find(Locator::Css("#link_hosts")).await.unwrap();
        field.clear().await.unwrap();
        field
            .send_keys(&format!("{}v", char::from(Key::Control)))
            .await
            .unwrap();
        let snippet = field.prop("value").await.unwrap().unwrap();
        assert!(
            snippet.starts_with(&format!("<script src=\"{base}/t.js\" data-store=\"acme\"")),
            "{snippet}"
        );
        *pasted.lock().unwrap() = snippet;

        // A referred visitor opens the store's page.
        b.goto(&format!("{shop}/?via=ann")).await.unwrap();
        let started = std::time::Instant::now();
        loop {
            let done = b
                .execute(
                    "return window.Tributary && window.Tributary.referral || null;",
                    vec![],
                )
                .await
                .unwrap();
            if done.is_string() {
                break;
            }
            assert!(
                started.elapsed() < WAIT,
                "the script never recorded the visit"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }

        b.goto(&format!("{base}/admin")).await.unwrap();
        wait_for_text(&b, "#step-script", "Tracking script installed").await;
        assert!(
            b.find(Locator::Css("#step-script[data-done]"))
                .await
                .is_ok(),
            "ticked"
        );
    })
    .await;
}
