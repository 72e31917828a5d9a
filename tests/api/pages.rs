use crate::support::*;

#[tokio::test]
async fn pages_carry_strict_security_headers() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app.browser.get("/admin").await;

    let h = res.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(h.get("referrer-policy").is_some());
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style=\""),
        "no inline script or style"
    );
    assert!(
        html.contains("hx-headers='{\"X-CSRF-Token\""),
        "htmx sends the CSRF token"
    );
}

#[tokio::test]
async fn embedded_assets_are_served_with_long_cache_headers() {
    let app = spawn_app().await;

    for path in [
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/vendor/pico-2.1.1.min.css",
        "/static/app.js",
        "/static/app.css",
    ] {
        let res = app.browser.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert!(
            res.headers()
                .get("cache-control")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
        assert!(res.bytes().await.unwrap().len() > 500, "{path} has content");
    }
    assert_eq!(
        app.browser.get("/static/nope.js").await.status().as_u16(),
        404
    );
}

#[tokio::test]
async fn an_unknown_page_is_an_html_404() {
    let app = spawn_app().await;

    let res = app.browser.get("/no/such/page").await;

    assert_eq!(res.status().as_u16(), 404);
    assert!(
        res.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn an_htmx_error_is_a_partial_retargeted_to_the_toast() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let missing = uuid::Uuid::now_v7();

    let res = app
        .browser
        .client
        .post(
            app.browser
                .url(&format!("/admin/api-keys/{missing}/revoke")),
        )
        .header("hx-request", "true")
        .header("x-csrf-token", app.browser.csrf().await)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(res.headers().get("hx-retarget").unwrap(), "#toast");
    let body = res.text().await.unwrap();
    assert!(
        body.starts_with("<p class=\"flash flash-error\""),
        "a partial, not a page: {body}"
    );
}

#[tokio::test]
async fn an_htmx_request_without_a_session_is_sent_to_login_by_hx_redirect() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let stranger = app.new_browser();

    let res = stranger
        .client
        .get(stranger.url("/admin/team"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()
            .get("hx-redirect")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_login_and_back() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let stranger = app.new_browser();

    let res = stranger.get("/admin/team").await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/login?next=%2Fadmin%2Fteam");
}

#[tokio::test]
async fn the_health_check_answers() {
    let app = spawn_app().await;
    let res = app.browser.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn the_new_campaign_form_shows_that_the_first_campaign_is_the_default() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let switch = |page: &str| {
        let start = page.find("id=\"is_default\"").expect("the switch");
        let end = start + page[start..].find('>').unwrap();
        page[start..end].contains("checked")
    };

    let first = app.browser.get_html("/admin/campaigns/new").await;
    let key = app.api_key("acme").await;
    let (status, _) = app
        .api_post(
            "/api/v1/campaigns",
            &key,
            serde_json::json!({"name": "Partners", "website_url": "https://shop.example.com"}),
        )
        .await;
    assert_eq!(status, 201);
    let second = app.browser.get_html("/admin/campaigns/new").await;

    assert!(switch(&first), "the first campaign will be the default");
    assert!(!switch(&second), "a later one is not, unless switched on");
}

#[tokio::test]
async fn the_referrals_date_filters_have_visible_labels() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let page = app.browser.get_html("/admin/referrals").await;

    for (text, id) in [("From", "filter-from"), ("to", "filter-to")] {
        let input = page.find(&format!("id=\"{id}\"")).expect("the date input");
        let label = page[..input].rfind("<label").unwrap();
        let label_text = &page[label..input];
        assert!(
            label_text.contains(&format!("> {text} ")) || label_text.contains(&format!(">{text} ")),
            "{id} is inside a label reading {text:?}: {label_text}"
        );
        assert!(!page[label..input].contains("</label>"));
    }
}
