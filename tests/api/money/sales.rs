use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_recent_sale_stays_pending_and_sale_input_is_checked() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    app.api_post(
        "/api/v1/sales",
        &p.key,
        json!({"external_id": "pi_now", "amount": 50, "referral_id": referral}),
    )
    .await;
    assert_eq!(
        tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
            .await
            .unwrap(),
        0
    );

    let cases = [
        (json!({"external_id": "", "amount": "10"}), "external_id"),
        (json!({"external_id": "x1", "amount": "0"}), "amount"),
        (json!({"external_id": "x2", "amount": "-5"}), "amount"),
        (json!({"external_id": "x3", "amount": "10.001"}), "amount"),
        (
            json!({"external_id": "x4", "amount": "10", "tax": "11"}),
            "tax",
        ),
        (
            json!({"external_id": "x5", "amount": "10", "currency": "EUR"}),
            "currency",
        ),
        (
            json!({"external_id": "x6", "amount": "10", "referral_id": "nope"}),
            "referral_id",
        ),
        (
            json!({"external_id": "x7", "amount": "10", "occurred_at": "2999-01-01T00:00:00Z"}),
            "occurred_at",
        ),
        (
            json!({"external_id": "x8", "amount": "99999999999999999999"}),
            "amount",
        ),
        (json!({"external_id": "x9"}), "amount"),
        (
            json!({"external_id": "x10", "amount": "10", "coupon_code": "C".repeat(65)}),
            "coupon_code",
        ),
    ];
    for (body, field) in cases {
        let (status, json) = app.api_post("/api/v1/sales", &p.key, body.clone()).await;
        assert_eq!(status, 422, "{body}");
        assert!(has_field_error(&json, field), "{body}: {json}");
    }
    assert_eq!(app.count("sales").await, 1);
}

#[tokio::test]
async fn the_same_sale_posted_fifty_times_at_once_makes_one_commission() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;

    let mut calls = Vec::new();
    for _ in 0..50 {
        let client = app.browser.client.clone();
        let url = app.browser.url("/api/v1/sales");
        let (key, referral) = (p.key.clone(), referral.clone());
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(key)
                .json(&json!({"external_id": "pi_dup", "amount": "80.00", "referral_id": referral}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for c in calls {
        statuses.push(c.await.unwrap());
    }

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 200),
        "{statuses:?}"
    );
    assert_eq!(app.count("sales").await, 1);
    assert_eq!(app.count("commissions").await, 1);
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(r["sale_count"], 1);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn coupons_customers_and_emails_attribute_sales_and_the_rest_are_kept_unattributed() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .affiliate_with_coupon(&p.key, "ann@example.com", "ann", "ANN10")
        .await;

    let (_, by_coupon) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_c1", "amount": "50.00", "coupon_code": "ann10", "external_customer_id": "cus_dora"})).await;
    assert_eq!(by_coupon["attribution"], "coupon");
    assert_eq!(by_coupon["affiliate_id"], ann["id"]);
    assert_eq!(by_coupon["commissions"][0]["amount"], "10.00");
    let (_, renewal) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_c2", "amount": "50.00", "external_customer_id": "cus_dora"}),
        )
        .await;
    assert_eq!(
        renewal["attribution"], "customer",
        "a later payment found by the customer id"
    );
    assert_eq!(renewal["referral_id"], by_coupon["referral_id"]);

    let (status, orphan) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_o", "amount": "30.00", "customer_email": "nobody@example.com"})).await;
    assert_eq!(status, 201);
    assert_eq!(orphan["attribution"], "none");
    assert!(orphan["affiliate_id"].is_null());
    let (_, unattributed) = app
        .api_json("/api/v1/sales?unattributed=true", &p.key)
        .await;
    assert_eq!(unattributed["data"].as_array().unwrap().len(), 1);

    // Staff attribute it by hand from the Sales page.
    let res = app
        .browser
        .post_form(
            &format!(
                "/admin/sales/{}/attribution",
                orphan["id"].as_str().unwrap()
            ),
            &[("affiliate_id", ann["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, now) = app
        .api_json(
            &format!("/api/v1/sales/{}", orphan["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(now["attribution"], "manual");
    assert_eq!(now["commissions"][0]["amount"], "6.00");
}

#[tokio::test]
async fn another_stores_sales_referrals_and_commissions_are_not_found() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    let (_, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_x", "amount": "10.00", "referral_id": referral}),
        )
        .await;
    app.other_store("beta", "bob@example.com").await;
    let beta = app.api_key("beta").await;

    for path in [
        format!("/api/v1/sales/{}", sale["id"].as_str().unwrap()),
        format!("/api/v1/referrals/{referral}"),
        format!(
            "/api/v1/commissions/{}",
            sale["commissions"][0]["id"].as_str().unwrap()
        ),
    ] {
        assert_eq!(app.api_json(&path, &beta).await.0, 404, "{path}");
    }
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{}/refunds", sale["id"].as_str().unwrap()),
            &beta,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/referrals/{referral}"),
            &beta,
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .api_post(
            "/api/v1/sales",
            &beta,
            json!({"external_id": "pi_y", "amount": "10.00", "referral_id": referral}),
        )
        .await;
    assert_eq!(
        status, 422,
        "another store's referral names nothing: {body}"
    );
}
