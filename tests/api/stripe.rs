use crate::support::*;
use serde_json::json;
use tributary::domain::webhook_signature::sign;

const SECRET: &str = "whsec_test_0123456789abcdef";

async fn stripe_store(app: &TestApp) -> Program {
    let p = app.program().await;
    let res = app
        .browser
        .post_form("/admin/settings/stripe", &[("stripe_secret", SECRET)])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    p
}

async fn deliver(app: &TestApp, body: &str, signature: &str) -> (u16, serde_json::Value) {
    let res = app
        .browser
        .client
        .post(app.browser.url("/webhooks/stripe/acme"))
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn checkout(event_id: &str, referral: &str) -> String {
    json!({"id": event_id, "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_1", "mode": "payment", "payment_status": "paid", "client_reference_id": referral,
        "customer": "cus_stripe_1", "amount_total": 9900, "currency": "usd", "payment_intent": "pi_stripe_1",
        "customer_details": {"email": "buyer@example.com"}, "created": now()
    }}}).to_string()
}

#[tokio::test]
async fn a_signed_checkout_records_the_sale_and_remembers_the_customer() {
    let app = spawn_app().await;
    let p = stripe_store(&app).await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();
    app.wait_for_rows("referrals", 1).await;
    let body = checkout("evt_1", &referral);

    let (status, answer) = deliver(&app, &body, &sign(body.as_bytes(), SECRET, now())).await;

    assert_eq!(status, 200, "{answer}");
    let (_, sales) = app.api_json("/api/v1/sales", &p.key).await;
    assert_eq!(sales["data"][0]["external_id"], "pi_stripe_1");
    assert_eq!(sales["data"][0]["amount"], "99.00");
    assert_eq!(sales["data"][0]["commissions"][0]["amount"], "19.80");
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(r["external_customer_id"], "cus_stripe_1");

    // The same event again: acknowledged, not booked twice.
    let (status, _) = deliver(&app, &body, &sign(body.as_bytes(), SECRET, now())).await;
    assert_eq!(status, 200);
    assert_eq!(app.count("sales").await, 1);

    // A renewal invoice for that customer, then a refund of it.
    let invoice = json!({"id": "evt_2", "type": "invoice.paid", "data": {"object": {"id": "in_1", "customer": "cus_stripe_1", "amount_paid": 9900, "tax": 0, "currency": "usd", "payment_intent": "pi_stripe_2", "created": now()}}}).to_string();
    assert_eq!(
        deliver(&app, &invoice, &sign(invoice.as_bytes(), SECRET, now()))
            .await
            .0,
        200
    );
    assert_eq!(app.count("commissions").await, 2);
    let refund = json!({"id": "evt_3", "type": "charge.refunded", "data": {"object": {"id": "ch_2", "payment_intent": "pi_stripe_2", "amount_refunded": 4950, "currency": "usd"}}}).to_string();
    assert_eq!(
        deliver(&app, &refund, &sign(refund.as_bytes(), SECRET, now()))
            .await
            .0,
        200
    );
    let (_, sales) = app.api_json("/api/v1/sales", &p.key).await;
    let renewal = sales["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["external_id"] == "pi_stripe_2")
        .unwrap()
        .clone();
    assert_eq!(renewal["refunded_amount"], "49.50");
    assert_eq!(renewal["commissions"][0]["amount"], "9.90");
    app.assert_books_balance().await;

    let other =
        json!({"id": "evt_4", "type": "customer.created", "data": {"object": {}}}).to_string();
    let (status, answer) = deliver(&app, &other, &sign(other.as_bytes(), SECRET, now())).await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("ignored")));
}

#[tokio::test]
async fn bad_signatures_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let p = stripe_store(&app).await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let body = checkout("evt_bad", &uuid::Uuid::now_v7().to_string());
    // One timestamp for `good` and the several-v1 header built from it: a
    // second ticking between two `now()` calls would break the signature.
    let signed_at = now();
    let good = sign(body.as_bytes(), SECRET, signed_at);

    let tampered = body.replace("9900", "99900");
    assert_eq!(
        deliver(&app, &tampered, &good).await.0,
        400,
        "tampered body"
    );
    assert_eq!(
        deliver(&app, &body, &sign(body.as_bytes(), SECRET, now() - 301))
            .await
            .0,
        400,
        "stale"
    );
    assert_eq!(
        deliver(
            &app,
            &body,
            &sign(body.as_bytes(), "whsec_wrong_secret_000", now())
        )
        .await
        .0,
        400,
        "wrong secret"
    );
    assert_eq!(deliver(&app, &body, "").await.0, 400, "no signature");
    assert_eq!(app.count("sales").await, 0);
    assert_eq!(app.count("stripe_events").await, 0);

    // Several v1 values (a secret being rolled): one matching is enough.
    let sig = good.split("v1=").nth(1).unwrap().to_owned();
    let several = format!("t={signed_at},v1={},v1={sig}", "ab".repeat(32));
    assert_eq!(deliver(&app, &body, &several).await.0, 200);
}

#[tokio::test]
async fn the_stripe_secret_is_stored_sealed_and_validated() {
    let app = spawn_app().await;
    app.program().await;

    let res = app
        .browser
        .post_form(
            "/admin/settings/stripe",
            &[("stripe_secret", "not-a-secret")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"stripe_secret-error\"")
    );
    app.browser
        .post_form("/admin/settings/stripe", &[("stripe_secret", SECRET)])
        .await;

    let store = tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    let sealed = store.stripe_secret_sealed.expect("stored");
    assert!(!sealed.contains("whsec_"), "never in clear");
    let page = app.browser.get_html("/admin/settings").await;
    assert!(!page.contains(SECRET), "never shown again");
    assert!(page.contains("/webhooks/stripe/acme"));
}

#[tokio::test]
async fn a_first_invoice_that_arrives_before_its_checkout_is_attributed_when_the_checkout_comes() {
    let app = spawn_app().await;
    let p = stripe_store(&app).await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();
    app.wait_for_rows("referrals", 1).await;

    let invoice = json!({"id": "evt_inv", "type": "invoice.paid", "data": {"object": {"id": "in_first", "customer": "cus_early", "amount_paid": 5000, "currency": "usd", "payment_intent": "pi_first", "created": now()}}}).to_string();
    assert_eq!(
        deliver(&app, &invoice, &sign(invoice.as_bytes(), SECRET, now()))
            .await
            .0,
        200
    );
    // A second payment, refunded in full before the customer is known.
    let second = json!({"id": "evt_inv2", "type": "invoice.paid", "data": {"object": {"id": "in_second", "customer": "cus_early", "amount_paid": 5000, "currency": "usd", "payment_intent": "pi_second", "created": now() + 1}}}).to_string();
    deliver(&app, &second, &sign(second.as_bytes(), SECRET, now())).await;
    let (_, sales) = app
        .api_json("/api/v1/sales?unattributed=true", &p.key)
        .await;
    assert_eq!(
        sales["data"].as_array().unwrap().len(),
        2,
        "unknown customer so far"
    );
    let refunded = sales["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(sales["data"][0]["external_id"], "pi_second");
    let (status, _) = app
        .api_post(
            &format!("/api/v1/sales/{refunded}/refunds"),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);

    let checkout = json!({"id": "evt_co", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_sub", "mode": "subscription", "client_reference_id": referral, "customer": "cus_early", "currency": "usd"
    }}}).to_string();
    assert_eq!(
        deliver(&app, &checkout, &sign(checkout.as_bytes(), SECRET, now()))
            .await
            .0,
        200
    );

    let (_, sales) = app.api_json("/api/v1/sales", &p.key).await;
    assert_eq!(sales["data"].as_array().unwrap().len(), 2);
    let first = &sales["data"][1];
    assert_eq!(first["referral_id"], referral.as_str());
    assert_eq!(first["attribution"], "customer");
    assert_eq!(first["commissions"][0]["amount"], "10.00");
    let second = &sales["data"][0];
    assert_eq!(second["referral_id"], referral.as_str());
    assert_eq!(
        second["commissions"],
        json!([]),
        "a sale refunded in full earns nothing"
    );
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(r["sale_count"], 2);
}
