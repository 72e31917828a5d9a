//! Deep links on the click path: `/r/{token}?to=…` leads to an allowed page
//! (the campaign's site, a host listed in Settings, or a path on the link's
//! own site) with the tracking parameters, and anything else to the link's
//! own destination: never an open redirect.

use serde_json::json;

use crate::portal_link_builder::{allow_host, lands_on, to};
use crate::support::*;

#[tokio::test]
async fn a_deep_link_to_an_allowed_page_lands_there_with_the_tracking_parameters() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    allow_host(&app, "blog.example.org").await;

    let pricing = lands_on(
        &app,
        &format!(
            "/r/pat?to={}",
            to("https://shop.example.com/pricing?plan=pro#faq")
        ),
    )
    .await;
    let blog = lands_on(
        &app,
        &format!("/r/acme/pat?to={}", to("https://blog.example.org/review")),
    )
    .await;

    assert!(
        pricing.starts_with("https://shop.example.com/pricing?plan=pro&via=pat&tb_ref="),
        "{pricing}"
    );
    assert!(pricing.ends_with("#faq"), "{pricing}");
    assert!(query_param(&pricing, "tb_click").is_some(), "{pricing}");
    assert!(
        blog.starts_with("https://blog.example.org/review?via=pat&tb_ref="),
        "{blog}"
    );
    // The visit keeps the page it led to.
    app.wait_for_rows(
        "visits WHERE landing_url LIKE 'https://shop.example.com/pricing?plan=pro&via=pat%'",
        1,
    )
    .await;
}

#[tokio::test]
async fn a_deep_link_anywhere_else_goes_to_the_links_own_destination() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;

    for bad in [
        "https://evil.com/",
        "javascript:alert(1)",
        "//evil.com",
        "/\\evil.com",
        "https://shop.example.com.evil.net/",
        "https://shop.example.com@evil.net/",
        "data:text/html,<script>alert(1)</script>",
        "",
    ] {
        let landed = lands_on(&app, &format!("/r/pat?to={}", to(bad))).await;
        assert!(
            landed.starts_with("https://shop.example.com/?via=pat&tb_ref="),
            "{bad:?} → {landed}"
        );
    }
    // A crafted link cannot name another referral for the store's page.
    let landed = lands_on(
        &app,
        &format!("/r/pat?to={}", to("/p?tb_ref=forged&via=other")),
    )
    .await;
    assert!(
        landed.starts_with("https://shop.example.com/p?via=pat&tb_ref="),
        "{landed}"
    );
    assert_ne!(query_param(&landed, "tb_ref").as_deref(), Some("forged"));
}

#[tokio::test]
async fn a_path_is_joined_to_the_links_own_site() {
    let app = spawn_app().await;
    let p = app.program().await;
    let pat = app
        .approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    let (status, body) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": pat["id"], "token": "pat-landing", "url": "https://shop.example.com/landing?x=1"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let landed = lands_on(&app, "/r/pat-landing?to=/pricing").await;

    assert!(
        landed.starts_with("https://shop.example.com/pricing?via=pat-landing&tb_ref="),
        "{landed}"
    );
}
