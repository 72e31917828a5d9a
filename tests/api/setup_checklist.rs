//! Tracking setup inside the app: Settings and the dashboard show this
//! store's script snippet and Stripe webhook address; the dashboard's
//! checklist ticks each step once it is true, and "script installed" once a
//! page of the store's site has run the script.

use serde_json::json;

use crate::support::*;

/// What a page shows as text (the entities askama escapes, decoded).
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn step_done(page: &str, step: &str) -> bool {
    let marker = format!("id=\"{step}\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no {step}"));
    let tag_end = start + page[start..].find('>').unwrap();
    page[start..tag_end].contains("data-done")
}

fn step_text(page: &str, step: &str) -> String {
    let start = page.find(&format!("id=\"{step}\"")).unwrap();
    let end = start + page[start..].find("</li>").unwrap();
    unescape(&page[start..end])
}

async fn script_visit(app: &TestApp, origin: Option<&str>) -> u16 {
    let mut req = app
        .browser
        .client
        .post(app.browser.url("/api/track/visit"))
        .header("user-agent", CHROME_UA)
        .header("content-type", "text/plain")
        .body(json!({"store": "acme"}).to_string());
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn settings_show_the_stores_snippet_and_webhook_address_with_copy_buttons() {
    let app =
        spawn_app_with(|c| c.public_url = url::Url::parse("http://aff.example.com").unwrap()).await;
    app.setup_owner().await;
    // The app serves on a port of its own: the public address names it.
    let base = format!("http://aff.example.com:{}", app.port);

    let page = app.browser.get_html("/admin/settings").await;

    assert_eq!(
        element_text(&page, "tracking-snippet")
            .map(|s| unescape(&s))
            .as_deref(),
        Some(format!(r#"<script src="{base}/t.js" data-store="acme" async></script>"#).as_str())
    );
    assert!(page.contains(r##"data-copy="#tracking-snippet""##));
    assert_eq!(
        element_text(&page, "stripe-webhook-url").as_deref(),
        Some(format!("{base}/webhooks/stripe/acme").as_str())
    );
    assert!(page.contains(r##"data-copy="#stripe-webhook-url""##));
    assert!(element_text(&page, "script-status").is_some());
    assert!(!page.contains("data-installed"), "not seen yet");
}

#[tokio::test]
async fn the_first_script_visit_from_the_stores_site_ticks_script_installed_and_a_click_does_not() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;

    // A click through /r/ is not the script running on the store's site,
    // nor is a call from a server (no Origin).
    app.referred("ann").await;
    app.wait_for_rows("visits", 1).await;
    assert_eq!(script_visit(&app, None).await, 200);
    let dashboard = app.browser.get_html("/admin").await;
    assert!(!step_done(&dashboard, "step-script"));
    assert!(
        step_text(&dashboard, "step-script").contains("data-store=\"acme\""),
        "the checklist shows the snippet until then"
    );

    let status = script_visit(&app, Some("https://shop.example.com")).await;

    assert_eq!(status, 200);
    let dashboard = app.browser.get_html("/admin").await;
    assert!(
        step_done(&dashboard, "step-script"),
        "{}",
        step_text(&dashboard, "step-script")
    );
    let settings = app.browser.get_html("/admin/settings").await;
    assert!(
        settings.contains("data-installed"),
        "Settings says installed"
    );
    // A later visit keeps the first time.
    let first = element_text(&settings, "script-status");
    script_visit(&app, Some("https://shop.example.com")).await;
    let again = app.browser.get_html("/admin/settings").await;
    assert_eq!(element_text(&again, "script-status"), first);
}

#[tokio::test]
async fn the_checklist_ticks_each_step_as_it_becomes_true_and_names_what_it_counts() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;
    let page = app.browser.get_html("/admin").await;
    for step in [
        "step-campaign",
        "step-affiliate",
        "step-script",
        "step-click",
        "step-sale",
    ] {
        assert!(!step_done(&page, step), "{step} starts open");
    }

    let (status, _) = app
        .api_post(
            "/api/v1/campaigns",
            &key,
            json!({"name": "Partners", "website_url": "https://shop.example.com"}),
        )
        .await;
    assert_eq!(status, 201);
    app.new_affiliate(
        &key,
        "bob@example.com",
        json!({"first_name": "Bob", "last_name": "Pending"}),
    )
    .await;
    let page = app.browser.get_html("/admin").await;
    assert!(step_done(&page, "step-campaign"));
    assert!(step_text(&page, "step-campaign").contains("Partners"));
    assert!(
        !step_done(&page, "step-affiliate"),
        "a pending affiliate is not approved"
    );

    app.approved_affiliate(&key, "ann@example.com", "ann").await;
    let referral = app.referred("ann").await;
    app.wait_for_rows("visits", 1).await;
    let page = app.browser.get_html("/admin").await;
    assert!(step_done(&page, "step-affiliate"));
    assert!(step_text(&page, "step-affiliate").contains("Ann Smith"));
    assert!(!step_text(&page, "step-affiliate").contains("Bob"));
    assert!(step_done(&page, "step-click"));
    assert!(!step_done(&page, "step-sale"));

    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &key,
            json!({"external_id": "pi_1", "amount": "10.00", "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    let page = app.browser.get_html("/admin").await;
    assert!(step_done(&page, "step-sale"));
    assert!(
        !step_done(&page, "step-script"),
        "the script was never seen"
    );
}
