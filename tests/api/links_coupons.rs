use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn link_tokens_are_validated_and_unique_per_store() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();

    for bad in ["a", "has space", "UPPER/slash", &"x".repeat(65)] {
        let (status, json) = app
            .api_post(
                "/api/v1/links",
                &p.key,
                json!({"affiliate_id": id, "token": bad}),
            )
            .await;
        assert_eq!(status, 422, "{bad}");
        assert!(has_field_error(&json, "token"));
    }
    let (status, link) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": id, "token": "Summer_Sale-1"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(link["token"], "summer_sale-1");
    let (status, json) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": id, "token": "summer_sale-1"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        field_errors(&json)
            .iter()
            .any(|(f, m)| f == "token" && m.contains("already used"))
    );
}

#[tokio::test]
async fn a_destination_stays_on_the_campaign_site_or_an_allowed_host() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();

    for bad in [
        "https://evil.example.net/",
        "javascript:alert(1)",
        "https://shop.example.com.evil.net/",
        &format!("https://shop.example.com/{}", "a".repeat(260)),
    ] {
        let (status, json) = app
            .api_post(
                "/api/v1/links",
                &p.key,
                json!({"affiliate_id": id, "url": bad}),
            )
            .await;
        assert_eq!(status, 422, "{bad} refused");
        assert!(has_field_error(&json, "url"));
    }
    let (status, ok) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": id, "url": "https://shop.example.com/pricing?plan=pro"}),
        )
        .await;
    assert_eq!(status, 201, "{ok}");
    app.browser
        .post_form(
            "/admin/settings",
            &[
                ("name", "Acme"),
                ("slug", "acme"),
                ("currency", "USD"),
                ("link_hosts", "blog.example.org"),
            ],
        )
        .await;
    let (status, _) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": id, "url": "https://blog.example.org/review"}),
        )
        .await;
    assert_eq!(status, 201, "an allowed host");
    let (status, cleared) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/links/{}", ok["id"].as_str().unwrap()),
            &p.key,
            Some(json!({"url": null})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(cleared["url"].is_null(), "back to the campaign's website");
}

#[tokio::test]
async fn the_link_form_on_the_affiliate_page_shows_field_messages() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();

    let res = app
        .browser
        .post_form(
            &format!("/admin/affiliates/{id}/links"),
            &[("token", "ann-smith"), ("url", "https://evil.example.net")],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"token-error\""));
    assert!(page.contains("id=\"url-error\""));
    let res = app
        .browser
        .post_form(
            &format!("/admin/affiliates/{id}/links"),
            &[("token", "ann-promo"), ("url", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        app.browser
            .get_html(&format!("/admin/affiliates/{id}"))
            .await
            .contains(&format!("{}/r/ann-promo", app.address))
    );
}

#[tokio::test]
async fn coupon_codes_are_unique_per_store_without_regard_to_case() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();

    let (status, c) = app
        .api_post(
            "/api/v1/coupons",
            &p.key,
            json!({"affiliate_id": id, "code": "Ann10", "external_id": "promo_123"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(c["code"], "Ann10");
    let (status, json) = app
        .api_post(
            "/api/v1/coupons",
            &p.key,
            json!({"affiliate_id": id, "code": "ANN10"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&json, "code"));
    let (status, json) = app
        .api_post(
            "/api/v1/coupons",
            &p.key,
            json!({"affiliate_id": id, "code": "no spaces"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&json, "code"));

    let (_, updated) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/coupons/{}", c["id"].as_str().unwrap()),
            &p.key,
            Some(json!({"external_id": null})),
        )
        .await;
    assert!(updated["external_id"].is_null());
    assert_eq!(updated["code"], "Ann10");

    app.other_store("beta", "bob@example.com").await;
    let beta_key = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta_key,
        json!({"name": "B", "website_url": "https://b.example.com"}),
    )
    .await;
    let b = app
        .new_affiliate(&beta_key, "ann@example.com", json!({}))
        .await;
    let (status, _) = app
        .api_post(
            "/api/v1/coupons",
            &beta_key,
            json!({"affiliate_id": b["id"], "code": "ann10"}),
        )
        .await;
    assert_eq!(status, 201, "the same code in another store");
}

#[tokio::test]
async fn another_stores_links_and_coupons_are_not_found() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let (_, coupon) = app
        .api_post(
            "/api/v1/coupons",
            &p.key,
            json!({"affiliate_id": a["id"], "code": "ANN10"}),
        )
        .await;
    let (_, links) = app.api_json("/api/v1/links", &p.key).await;
    let link_id = links["data"][0]["id"].as_str().unwrap().to_owned();
    let coupon_id = coupon["id"].as_str().unwrap().to_owned();
    app.other_store("beta", "bob@example.com").await;
    let beta_key = app.api_key("beta").await;

    for (method, path) in [
        (Method::GET, format!("/api/v1/links/{link_id}")),
        (Method::PATCH, format!("/api/v1/links/{link_id}")),
        (Method::DELETE, format!("/api/v1/links/{link_id}")),
        (Method::GET, format!("/api/v1/coupons/{coupon_id}")),
        (Method::PATCH, format!("/api/v1/coupons/{coupon_id}")),
        (Method::DELETE, format!("/api/v1/coupons/{coupon_id}")),
    ] {
        let body = (method == Method::PATCH).then(|| json!({}));
        let (status, _) = app.api(method.clone(), &path, &beta_key, body).await;
        assert_eq!(status, 404, "{method} {path}");
    }
    let (_, listed) = app.api_json("/api/v1/links", &beta_key).await;
    assert!(listed["data"].as_array().unwrap().is_empty());
    let bob = app.new_browser();
    bob.login("bob@example.com", OWNER_PASSWORD).await;
    assert_eq!(
        bob.post_form(&format!("/admin/links/{link_id}/delete"), &[])
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        bob.post_form(&format!("/admin/coupons/{coupon_id}/delete"), &[])
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(app.count("links").await, 1);
    assert_eq!(app.count("coupons").await, 1);
}

#[tokio::test]
async fn an_affiliates_only_link_offers_no_delete_and_is_refused_with_a_reason() {
    // Arrange: Ann has the one link made with her.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    let (_, links) = app
        .api_json(&format!("/api/v1/links?affiliate_id={ann_id}"), &p.key)
        .await;
    let only = links["data"][0]["id"].as_str().unwrap().to_owned();
    let page = format!("/admin/affiliates/{ann_id}");

    // Act
    let shown = app.browser.get_html(&page).await;
    let by_form = app
        .browser
        .post_form(&format!("/admin/links/{only}/delete"), &[])
        .await;
    let by_form_status = by_form.status().as_u16();
    let told = app.browser.get_html("/admin").await;
    let (api_status, api_body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/links/{only}"),
            &p.key,
            None,
        )
        .await;

    // Assert: no Delete beside it, and both ways in say why.
    assert!(
        !shown.contains(&format!("/admin/links/{only}/delete")),
        "no Delete next to the only link"
    );
    assert!(shown.contains("id=\"only-link\""));
    assert_eq!(by_form_status, 303, "back to the page, not an error page");
    assert!(
        told.contains("The link ann is the affiliate&#39;s only link: add another link first"),
        "the flash says why: {told}"
    );
    assert_eq!(api_status, 409, "{api_body}");
    assert_eq!(api_body["error"]["code"], "conflict");
    assert!(
        api_body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("add another link first"),
        "{api_body}"
    );
    assert_eq!(app.count("links").await, 1);

    // With a second link both offer Delete, and one of them goes.
    let (status, second) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": ann_id, "token": "ann-spring"}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second = second["id"].as_str().unwrap().to_owned();
    let shown = app.browser.get_html(&page).await;
    assert!(shown.contains(&format!("/admin/links/{only}/delete")));
    assert!(shown.contains(&format!("/admin/links/{second}/delete")));
    assert!(!shown.contains("id=\"only-link\""));
    let res = app
        .browser
        .post_form(&format!("/admin/links/{only}/delete"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(app.count("links").await, 1);
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/links/{second}"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 409, "now the other is the only one");
}
