use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_campaign_is_created_with_sensible_defaults_and_the_first_is_default() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let (status, c) = app
        .api_post(
            "/api/v1/campaigns",
            &key,
            json!({"name": "Partners", "website_url": "https://shop.example.com"}),
        )
        .await;

    assert_eq!(status, 201, "{c}");
    assert_eq!(c["is_default"], true);
    assert_eq!(c["commission_type"], "percentage");
    assert_eq!(c["commission_value"], "20");
    assert_eq!(c["cookie_days"], 60);
    assert_eq!(c["hold_days"], 30);
    assert_eq!(c["attribution"], "first_click");
    assert_eq!(c["minimum_payout"], "0.00");
    assert_eq!(c["currency"], "USD");
    let (status, fetched) = app
        .api_json(
            &format!("/api/v1/campaigns/{}", c["id"].as_str().unwrap()),
            &key,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched["name"], "Partners");
}

#[tokio::test]
async fn every_campaign_rule_is_checked_and_named_in_the_422() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let cases = [
        (json!({"name": "", "website_url": "https://x.com"}), "name"),
        (
            json!({"name": "A", "website_url": "ftp://x.com"}),
            "website_url",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "visibility": "secret"}),
            "visibility",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "commission_type": "share"}),
            "commission_type",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "commission_value": 100.01}),
            "commission_value",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "commission_value": "12.345"}),
            "commission_value",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "commission_type": "fixed", "commission_value": "-1"}),
            "commission_value",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "commission_type": "fixed", "commission_value": "1.001"}),
            "commission_value",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "recurring": "payments"}),
            "recurring_limit",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "recurring": "sometimes"}),
            "recurring",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "first_payment_commission": {"type": "percentage", "value": "101"}}),
            "first_payment_value",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "cookie_days": 0}),
            "cookie_days",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "cookie_days": 366}),
            "cookie_days",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "attribution": "middle_click"}),
            "attribution",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "discount_percent": 100.5}),
            "discount_percent",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "hold_days": -1}),
            "hold_days",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "hold_days": 366}),
            "hold_days",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "minimum_payout": "-5"}),
            "minimum_payout",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "cookie_days": "thirty"}),
            "cookie_days",
        ),
        (
            json!({"name": "A", "website_url": "https://x.com", "store_id": "00000000-0000-0000-0000-000000000000"}),
            "store_id",
        ),
    ];
    for (body, field) in cases {
        let (status, json) = app.api_post("/api/v1/campaigns", &key, body.clone()).await;
        assert_eq!(status, 422, "{body} should be refused");
        assert_eq!(json["error"]["code"], "validation_failed");
        assert!(
            has_field_error(&json, field),
            "{body}: expected a message on {field}, got {json}"
        );
    }
    assert_eq!(app.count("campaigns").await, 0, "nothing half-saved");
}

#[tokio::test]
async fn amounts_are_exact_in_the_store_currency() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let (status, c) = app
        .api_post("/api/v1/campaigns", &key, json!({"name": "Fixed", "website_url": "https://x.com", "commission_type": "fixed", "commission_value": 12.5, "minimum_payout": "999999999999.99", "recurring": "months", "recurring_limit": 12, "first_payment_commission": {"type": "percentage", "value": 33.33}}))
        .await;

    assert_eq!(status, 201, "{c}");
    assert_eq!(c["commission_value"], "12.50");
    assert_eq!(c["minimum_payout"], "999999999999.99");
    assert_eq!(c["recurring_limit"], 12);
    assert_eq!(c["first_payment_commission"]["value"], "33.33");
}

#[tokio::test]
async fn a_new_default_campaign_takes_over_and_only_one_stays_default() {
    let app = spawn_app().await;
    let p = app.program().await;

    let (_, second) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "VIP", "website_url": "https://shop.example.com", "is_default": true}),
        )
        .await;

    assert_eq!(second["is_default"], true);
    let (_, first) = app
        .api_json(&format!("/api/v1/campaigns/{}", p.campaign_id), &p.key)
        .await;
    assert_eq!(first["is_default"], false);
    let (status, json) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{}", second["id"].as_str().unwrap()),
            &p.key,
            Some(json!({"is_default": false})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&json, "is_default"));
}

#[tokio::test]
async fn updates_are_partial_with_patch_and_put_and_null_clears_the_override() {
    let app = spawn_app().await;
    let p = app.program().await;
    let path = format!("/api/v1/campaigns/{}", p.campaign_id);
    app.api(
        Method::PATCH,
        &path,
        &p.key,
        Some(json!({"first_payment_commission": {"type": "fixed", "value": "5"}, "hold_days": 14})),
    )
    .await;

    let (status, c) = app
        .api(Method::PUT, &path, &p.key, Some(json!({"name": "Renamed"})))
        .await;

    assert_eq!(status, 200, "{c}");
    assert_eq!(c["name"], "Renamed");
    assert_eq!(c["hold_days"], 14, "absent fields stay");
    assert_eq!(c["first_payment_commission"]["value"], "5.00");
    let (_, c) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"first_payment_commission": null})),
        )
        .await;
    assert!(c["first_payment_commission"].is_null());
    assert_eq!(c["name"], "Renamed");
}

#[tokio::test]
async fn delete_removes_an_unused_campaign_and_archives_one_in_use() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, unused) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "Unused", "website_url": "https://x.com"}),
        )
        .await;
    let (_, used) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "Used", "website_url": "https://x.com"}),
        )
        .await;
    app.new_affiliate(
        &p.key,
        "ann@example.com",
        json!({"campaign_id": used["id"]}),
    )
    .await;

    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/campaigns/{}", unused["id"].as_str().unwrap()),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["deleted"], true);
    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/campaigns/{}", used["id"].as_str().unwrap()),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["deleted"], false);
    assert!(body["archived"]["archived_at"].is_string());
    let (status, _) = app
        .api_json(
            &format!("/api/v1/campaigns/{}", unused["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(status, 404);
    // The default campaign is neither archived nor deleted while others exist.
    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn another_stores_campaign_is_not_found_on_every_route() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.other_store("beta", "bob@example.com").await;
    let beta_key = app.api_key("beta").await;
    let path = format!("/api/v1/campaigns/{}", p.campaign_id);

    for method in [Method::GET, Method::PATCH, Method::PUT, Method::DELETE] {
        let body =
            (method != Method::GET && method != Method::DELETE).then(|| json!({"name": "Stolen"}));
        let (status, json) = app.api(method.clone(), &path, &beta_key, body).await;
        assert_eq!(status, 404, "{method} {json}");
        assert_eq!(json["error"]["code"], "not_found");
    }
    for page in [format!("/admin/campaigns/{}/edit", p.campaign_id)] {
        let bob = app.new_browser();
        bob.login("bob@example.com", OWNER_PASSWORD).await;
        assert_eq!(bob.get(&page).await.status().as_u16(), 404);
        let res = bob
            .post_form(&format!("/admin/campaigns/{}/archive", p.campaign_id), &[])
            .await;
        assert_eq!(res.status().as_u16(), 404);
    }
    let (_, c) = app.api_json(&path, &p.key).await;
    assert_eq!(c["name"], "Partners");
}

#[tokio::test]
async fn the_campaign_form_creates_and_names_each_bad_field() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/campaigns",
            &[
                ("name", ""),
                ("website_url", "nope"),
                ("visibility", "public"),
                ("commission_type", "percentage"),
                ("commission_value", "150"),
                ("recurring", "months"),
                ("recurring_limit", ""),
                ("cookie_days", "0"),
                ("attribution", "first_click"),
                ("discount_percent", "0"),
                ("hold_days", "30"),
                ("minimum_payout", "1.234"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    for id in [
        "name-error",
        "website_url-error",
        "commission_value-error",
        "recurring_limit-error",
        "cookie_days-error",
        "minimum_payout-error",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id} shown");
    }
    let res = app
        .browser
        .post_form(
            "/admin/campaigns",
            &[
                ("name", "Partners"),
                ("website_url", "https://shop.example.com"),
                ("visibility", "invite_only"),
                ("approval_required", "true"),
                ("commission_type", "fixed"),
                ("commission_value", "10"),
                ("recurring", "first_payment"),
                ("cookie_days", "90"),
                ("attribution", "last_click"),
                ("discount_percent", "10"),
                ("hold_days", "14"),
                ("minimum_payout", "50"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let list = app.browser.get_html("/admin/campaigns").await;
    assert!(
        list.contains("Partners")
            && list.contains("10.00 USD per sale")
            && list.contains("first payment only")
    );
}

#[tokio::test]
async fn archiving_the_default_campaign_from_the_page_is_refused_with_a_message() {
    let app = spawn_app().await;
    let p = app.program().await;

    let res = app
        .browser
        .post_form(&format!("/admin/campaigns/{}/archive", p.campaign_id), &[])
        .await;

    assert_eq!(res.status().as_u16(), 303);
    let page = app.browser.get_html(&location(&res)).await;
    assert!(page.contains("default campaign cannot be archived"));
}

#[tokio::test]
async fn the_currency_is_locked_once_campaigns_exist() {
    let app = spawn_app().await;
    app.program().await;

    let res = app
        .browser
        .post_form(
            "/admin/settings",
            &[("name", "Acme"), ("slug", "acme"), ("currency", "EUR")],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("cannot change once campaigns exist")
    );
}
