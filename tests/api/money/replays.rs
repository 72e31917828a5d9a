//! A sale or refund sent again under its `external_id` gets the first
//! result back, but only when the new body is itself valid: a malformed
//! body is a 422 whatever its external_id names (issue 13, point 9: the
//! server used to answer such a body with the earlier result).

use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_invalid_sale_under_a_known_external_id_is_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    let body = json!({"external_id": "pi_replay", "amount": "50.00"});
    let (status, first) = app.api_post("/api/v1/sales", &p.key, body.clone()).await;
    assert_eq!(status, 201, "{first}");

    for (bad, field) in [
        (
            json!({"external_id": "pi_replay", "amount": "-5"}),
            "amount",
        ),
        (
            json!({"external_id": "pi_replay", "amount": "50.00", "tax": "60.00"}),
            "tax",
        ),
        (
            json!({"external_id": "pi_replay", "amount": "50.00", "currency": "EUR"}),
            "currency",
        ),
    ] {
        let (status, answer) = app.api_post("/api/v1/sales", &p.key, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {answer}");
        assert!(has_field_error(&answer, field), "{bad}: {answer}");
    }

    let (status, again) = app.api_post("/api/v1/sales", &p.key, body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], first["id"], "the same sale, replayed");
    assert_eq!(app.count("sales").await, 1);
}

#[tokio::test]
async fn an_invalid_refund_under_a_known_external_id_is_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_rf", "amount": "100.00"}),
        )
        .await;
    let path = format!("/api/v1/sales/{}/refunds", sale["id"].as_str().unwrap());
    let refund = |body: serde_json::Value| app.api(Method::POST, &path, &p.key, Some(body));

    let (status, first) = refund(json!({"amount": "80.00", "external_id": "re_x"})).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["refunded_amount"], "80.00");

    for (bad, field) in [
        (json!({"amount": "0", "external_id": "re_x"}), "amount"),
        (json!({"amount": "abc", "external_id": "re_x"}), "amount"),
        (
            json!({"amount": "80.00", "external_id": "re_x", "reason": "x".repeat(1001)}),
            "reason",
        ),
    ] {
        let (status, answer) = refund(bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {answer}");
        assert!(has_field_error(&answer, field), "{bad}: {answer}");
    }

    // The identical delivery is the replay, though 80.00 is more than the
    // 20.00 that remains now: the first delivery took it.
    let (status, again) = refund(json!({"amount": "80.00", "external_id": "re_x"})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["refunded_amount"], "80.00", "nothing refunded twice");
    // A new refund is still held to what remains.
    let (status, over) = refund(json!({"amount": "30.00", "external_id": "re_y"})).await;
    assert_eq!(status, 422, "{over}");
    assert!(has_field_error(&over, "amount"), "{over}");
    assert_eq!(app.count("refunds").await, 1);
}

#[tokio::test]
async fn an_idempotency_key_outside_visible_ascii_is_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    for key in [
        reqwest::header::HeaderValue::from_static("two words"),
        reqwest::header::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
    ] {
        let res = app
            .browser
            .client
            .post(app.browser.url("/api/v1/sales"))
            .bearer_auth(&p.key)
            .header("Idempotency-Key", key.clone())
            .json(&json!({"external_id": "pi_key", "amount": "5.00"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422, "{key:?}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(has_field_error(&body, "Idempotency-Key"), "{key:?}: {body}");
    }
    assert_eq!(app.count("sales").await, 0, "nothing recorded");
}
