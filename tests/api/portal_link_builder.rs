//! The portal's link builder and own links: the builder makes deep links
//! (`?to=`, see `deep_links`) on the affiliate's own links only, names the
//! allowed hosts for a page elsewhere and writes nothing; affiliates make
//! their own link tokens when their campaign allows it (the flag on the
//! campaign form and in the API).

use reqwest::Method;
use serde_json::json;

use crate::support::*;

/// Follows `path` as a visitor: the redirect's location.
pub(crate) async fn lands_on(app: &TestApp, path: &str) -> String {
    let res = app.new_browser().click(path).await;
    assert_eq!(res.status().as_u16(), 302, "{path}");
    location(&res)
}

pub(crate) fn to(page: &str) -> String {
    url::form_urlencoded::byte_serialize(page.as_bytes()).collect()
}

/// The affiliate's links as the API lists them.
async fn links_of(
    app: &TestApp,
    key: &str,
    affiliate: &serde_json::Value,
) -> Vec<serde_json::Value> {
    let (status, body) = app
        .api_json(
            &format!(
                "/api/v1/links?affiliate_id={}",
                affiliate["id"].as_str().unwrap()
            ),
            key,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

pub(crate) async fn allow_host(app: &TestApp, host: &str) {
    let res = app
        .browser
        .post_form(
            "/admin/settings",
            &[
                ("name", "Acme Shop"),
                ("slug", "acme"),
                ("currency", "USD"),
                ("link_hosts", host),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

async fn allow_own_links(app: &TestApp, p: &Program, allowed: bool) {
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            Some(json!({"affiliates_can_create_links": allowed})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_builder_makes_a_deep_link_a_click_follows() {
    // Arrange: Pat, signed in to the portal.
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (pat, portal) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;
    let link_id = links_of(&app, &p.key, &pat).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let home = portal.get_html("/a/acme/").await;
    assert!(
        home.contains("id=\"link-builder-form\""),
        "the builder is offered"
    );
    assert!(
        home.contains("shop.example.com"),
        "it names the allowed host"
    );

    // Act: without JavaScript, then under htmx (a path).
    let res = portal
        .post_form(
            "/a/acme/deep_link",
            &[
                ("link_id", &link_id),
                ("page_url", "https://shop.example.com/pricing"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    let token = portal.csrf().await;
    let partial = portal
        .client
        .post(portal.url("/a/acme/deep_link"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&[
            ("link_id", link_id.as_str()),
            ("page_url", "/pricing?plan=pro"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status().as_u16(), 200);
    let partial = partial.text().await.unwrap();

    // Assert: each shows its link with a copy button, and a click lands.
    let full = element_text(&page, "deep-link").expect("the link is shown");
    assert_eq!(
        full,
        format!(
            "{}/r/pat?to=https%3A%2F%2Fshop.example.com%2Fpricing",
            app.address
        )
    );
    assert!(page.contains("data-copy=\"#deep-link\""));
    assert!(page.contains("<html"), "a whole page without JavaScript");
    assert!(!partial.contains("<html"), "only the builder under htmx");
    let short = element_text(&partial, "deep-link").expect("the link is shown");
    assert_eq!(
        short,
        format!("{}/r/pat?to=%2Fpricing%3Fplan%3Dpro", app.address)
    );
    for (link, page) in [
        (full, "https://shop.example.com/pricing?via=pat&"),
        (short, "https://shop.example.com/pricing?plan=pro&via=pat&"),
    ] {
        let landed = lands_on(&app, link.strip_prefix(&app.address).unwrap()).await;
        assert!(landed.starts_with(page), "{landed}");
    }
}

#[tokio::test]
async fn the_builder_names_the_allowed_hosts_for_a_page_elsewhere() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (pat, portal) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;
    allow_host(&app, "blog.example.org").await;
    let link_id = links_of(&app, &p.key, &pat).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.snapshot().await;

    let res = portal
        .post_form(
            "/a/acme/deep_link",
            &[
                ("link_id", &link_id),
                ("page_url", "https://evil.com/pricing"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert_eq!(
        element_text(&page, "page_url-error").as_deref(),
        Some("Page address must be on shop.example.com or blog.example.org.")
    );
    assert!(
        page.contains("value=\"https://evil.com/pricing\""),
        "the typed address stays"
    );
    assert!(!page.contains("id=\"deep-link\""), "no link is made");
    assert_eq!(app.snapshot().await, before, "the builder writes nothing");
}

#[tokio::test]
async fn the_builder_takes_only_the_affiliates_own_links() {
    // Arrange: Pat and Ann in Acme; Bea in another store.
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (_pat, portal) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_link = links_of(&app, &p.key, &ann).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.other_store("beta", "owner@beta.example.com").await;
    let beta_key = app.api_key("beta").await;
    let (status, c) = app
        .api_post(
            "/api/v1/campaigns",
            &beta_key,
            json!({"name": "Beta", "website_url": "https://beta.example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let bea = app
        .approved_affiliate(&beta_key, "bea@example.com", "bea")
        .await;
    let bea_link = links_of(&app, &beta_key, &bea).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for other in [ann_link, bea_link] {
        let res = portal
            .post_form(
                "/a/acme/deep_link",
                &[("link_id", &other), ("page_url", "/pricing")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 404, "{other}");
    }
    let res = portal
        .post_form(
            "/a/acme/deep_link",
            &[("link_id", "nope"), ("page_url", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
}

#[tokio::test]
async fn affiliates_make_their_own_links_only_when_their_campaign_allows_it() {
    // Arrange: Pat in a campaign without the flag.
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (pat, portal) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;

    // Without the flag: no form, and the POST is refused.
    assert!(
        !portal
            .get_html("/a/acme/")
            .await
            .contains("id=\"new-link-form\"")
    );
    let refused = portal
        .post_form("/a/acme/links", &[("token", "pat-blog")])
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(links_of(&app, &p.key, &pat).await.len(), 1);

    // With it: named, generated, and refused like the admin's.
    allow_own_links(&app, &p, true).await;
    assert!(
        portal
            .get_html("/a/acme/")
            .await
            .contains("id=\"new-link-form\"")
    );
    let made = portal
        .post_form("/a/acme/links", &[("token", "pat-blog")])
        .await;
    assert_eq!(made.status().as_u16(), 303);
    assert_eq!(location(&made), "/a/acme/#links");
    let generated = portal.post_form("/a/acme/links", &[("token", "")]).await;
    assert_eq!(generated.status().as_u16(), 303);
    for (token, message) in [
        ("ann", "is already used by another link of this store"),
        ("Bad Token!", "may contain only letters, digits, - and _"),
    ] {
        let res = portal.post_form("/a/acme/links", &[("token", token)]).await;
        assert_eq!(res.status().as_u16(), 422, "{token}");
        let page = res.text().await.unwrap();
        let shown = element_text(&page, "token-error").expect("the token's message");
        assert!(
            shown.starts_with("Link name") && shown.contains(message),
            "{shown}"
        );
    }

    // Assert: Pat's links, audited as Pat's, and the new one works.
    let tokens: Vec<String> = links_of(&app, &p.key, &pat)
        .await
        .iter()
        .map(|l| l["token"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    assert!(tokens.contains(&"pat-blog".to_owned()), "{tokens:?}");
    assert!(portal.get_html("/a/acme/").await.contains("/r/pat-blog"));
    assert_eq!(
        app.count("audit_entries WHERE action = 'link.created' AND actor_type = 'affiliate'")
            .await,
        2
    );
    assert!(lands_on(&app, "/r/pat-blog").await.contains("via=pat-blog"));

    // Turned off again: refused again.
    allow_own_links(&app, &p, false).await;
    let refused = portal
        .post_form("/a/acme/links", &[("token", "pat-late")])
        .await;
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn the_own_links_flag_round_trips_through_the_api_and_the_campaign_form() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let (status, created) = app
        .api_post(
            "/api/v1/campaigns",
            &key,
            json!({"name": "Creators", "website_url": "https://shop.example.com", "affiliates_can_create_links": true}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["affiliates_can_create_links"], true);
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, patched) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{id}"),
            &key,
            Some(json!({"affiliates_can_create_links": false})),
        )
        .await;
    assert_eq!(patched["affiliates_can_create_links"], false);
    let (_, other_field) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{id}"),
            &key,
            Some(json!({"name": "Creators 2"})),
        )
        .await;
    assert_eq!(
        other_field["affiliates_can_create_links"], false,
        "absent: kept"
    );

    // The campaign form shows and sets it.
    let edit = app
        .browser
        .get_html(&format!("/admin/campaigns/{id}/edit"))
        .await;
    assert!(edit.contains("name=\"affiliates_can_create_links\""));
    let res = app
        .browser
        .post_form(
            &format!("/admin/campaigns/{id}"),
            &[
                ("name", "Creators"),
                ("website_url", "https://shop.example.com"),
                ("is_default", "true"),
                ("visibility", "public"),
                ("affiliates_can_create_links", "true"),
                ("commission_type", "percentage"),
                ("commission_value", "20"),
                ("recurring", "lifetime"),
                ("cookie_days", "60"),
                ("attribution", "first_click"),
                ("discount_percent", "0"),
                ("hold_days", "30"),
                ("minimum_payout", "0"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, read) = app.api_json(&format!("/api/v1/campaigns/{id}"), &key).await;
    assert_eq!(read["affiliates_can_create_links"], true);
    let edit = app
        .browser
        .get_html(&format!("/admin/campaigns/{id}/edit"))
        .await;
    assert!(edit.contains("name=\"affiliates_can_create_links\" type=\"checkbox\" role=\"switch\" value=\"true\" checked"));
}
