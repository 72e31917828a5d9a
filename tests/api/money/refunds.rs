use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn refunds_before_payout_reduce_or_cancel_the_commission() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    let (_, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_r", "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral})).await;
    let id = sale["id"].as_str().unwrap().to_owned();
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();

    let (status, after) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{id}/refunds"),
            &p.key,
            Some(json!({"amount": "25.00", "reason": "one seat less", "external_id": "re_1"})),
        )
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["refunded_amount"], "25.00");
    assert_eq!(
        after["commissions"][0]["amount"], "15.00",
        "20.00 reduced pro rata"
    );
    let (_, again) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{id}/refunds"),
            &p.key,
            Some(json!({"amount": "25.00", "external_id": "re_1"})),
        )
        .await;
    assert_eq!(
        again["refunded_amount"], "25.00",
        "the same refund id twice changes nothing"
    );
    let (status, bad) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{id}/refunds"),
            &p.key,
            Some(json!({"amount": "80.00"})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&bad, "amount"));

    let (_, full) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{id}/refunds"),
            &p.key,
            Some(json!({})),
        )
        .await;
    assert_eq!(full["refunded_amount"], "100.00");
    assert_eq!(full["commissions"][0]["status"], "refunded");
    let (_, ann) = app
        .api_json("/api/v1/affiliates?email=ann@example.com", &p.key)
        .await;
    assert_eq!(
        ann["data"][0]["balance"], "0.00",
        "the reversals took the due amount back out"
    );
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{id}/refunds"),
            &p.key,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 409, "nothing left to refund");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_refund_after_payout_claws_the_commission_back() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    let (_, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_paid", "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral})).await;
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    // Paid out (the payouts work will do this through its own service).
    let commission_id = sale["commissions"][0]["id"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE commissions SET status = 'paid' WHERE id = {}",
        app.uuid_sql(commission_id)
    ))
    .await;

    let (_, after) = app
        .api(
            Method::POST,
            &format!("/api/v1/sales/{}/refunds", sale["id"].as_str().unwrap()),
            &p.key,
            Some(json!({"amount": "50.00"})),
        )
        .await;

    let commissions = after["commissions"].as_array().unwrap();
    assert_eq!(commissions.len(), 2, "{after}");
    assert_eq!(
        commissions[0]["status"], "paid",
        "a paid commission stays paid"
    );
    assert_eq!(commissions[1]["kind"], "clawback");
    assert_eq!(commissions[1]["amount"], "-10.00");
    assert_eq!(
        commissions[1]["status"], "due",
        "carried into the next payout"
    );
    let (_, ann) = app
        .api_json("/api/v1/affiliates?email=ann@example.com", &p.key)
        .await;
    assert_eq!(
        ann["data"][0]["balance"], "10.00",
        "20.00 credited when due, 10.00 clawed back"
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_fully_refunded_sale_cannot_be_attributed_and_a_partly_refunded_one_earns_on_what_was_kept()
 {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let (_, gone) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_gone", "amount": "50.00"}),
        )
        .await;
    let (_, half) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_half", "amount": "50.00"}),
        )
        .await;
    app.api(
        Method::POST,
        &format!("/api/v1/sales/{}/refunds", gone["id"].as_str().unwrap()),
        &p.key,
        Some(json!({})),
    )
    .await;
    app.api(
        Method::POST,
        &format!("/api/v1/sales/{}/refunds", half["id"].as_str().unwrap()),
        &p.key,
        Some(json!({"amount": "25.00"})),
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();

    app.browser
        .post_form(
            &format!("/admin/sales/{}/attribution", gone["id"].as_str().unwrap()),
            &[("affiliate_id", ann_id)],
        )
        .await;
    app.browser
        .post_form(
            &format!("/admin/sales/{}/attribution", half["id"].as_str().unwrap()),
            &[("affiliate_id", ann_id)],
        )
        .await;

    let (_, gone) = app
        .api_json(
            &format!("/api/v1/sales/{}", gone["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert!(gone["affiliate_id"].is_null(), "refused: {gone}");
    let (_, half) = app
        .api_json(
            &format!("/api/v1/sales/{}", half["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(
        half["commissions"][0]["amount"], "5.00",
        "20 % of the 25.00 kept"
    );
}
