//! A unique index refusing a write is a field message (not a 500), with no
//! pre-check: the database decides. A refusal late in a use case leaves
//! nothing of it behind (on PostgreSQL the failed statement aborted the
//! transaction; on both it rolls back).

use reqwest::Method;
use serde_json::json;

use crate::support::*;

fn refused_on(json: &serde_json::Value, field: &str) -> bool {
    field_errors(json)
        .iter()
        .any(|(f, m)| f == field && m.contains("already used"))
}

#[tokio::test]
async fn changing_a_value_to_one_another_row_holds_names_the_field() {
    // Arrange
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let bob = app
        .approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    let bob_path = format!("/api/v1/affiliates/{}", bob["id"].as_str().unwrap());
    let (_, links) = app
        .api_json(
            &format!("/api/v1/links?affiliate_id={}", bob["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    let bob_link = format!("/api/v1/links/{}", links["data"][0]["id"].as_str().unwrap());
    for (who, code) in [(&ann, "ANN10"), (&bob, "BOB10")] {
        let (status, c) = app
            .api_post(
                "/api/v1/coupons",
                &p.key,
                json!({"affiliate_id": who["id"], "code": code}),
            )
            .await;
        assert_eq!(status, 201, "{c}");
    }
    let (_, coupons) = app
        .api_json(
            &format!(
                "/api/v1/coupons?affiliate_id={}",
                bob["id"].as_str().unwrap()
            ),
            &p.key,
        )
        .await;
    let bob_coupon = format!(
        "/api/v1/coupons/{}",
        coupons["data"][0]["id"].as_str().unwrap()
    );
    let audit_before = app.count("audit_entries").await;

    // Act
    let email = app
        .api(
            Method::PATCH,
            &bob_path,
            &p.key,
            Some(json!({"email": "ann@example.com"})),
        )
        .await;
    let token = app
        .api(
            Method::PATCH,
            &bob_link,
            &p.key,
            Some(json!({"token": "ann"})),
        )
        .await;
    let code = app
        .api(
            Method::PATCH,
            &bob_coupon,
            &p.key,
            Some(json!({"code": "ann10"})),
        )
        .await;
    let new_coupon = app
        .api_post(
            "/api/v1/coupons",
            &p.key,
            json!({"affiliate_id": bob["id"], "code": "Ann10"}),
        )
        .await;

    // Assert
    assert_eq!(email.0, 422, "{}", email.1);
    assert!(refused_on(&email.1, "email"), "{}", email.1);
    assert_eq!(token.0, 422, "{}", token.1);
    assert!(refused_on(&token.1, "token"), "{}", token.1);
    assert_eq!(code.0, 422, "{}", code.1);
    assert!(refused_on(&code.1, "code"), "{}", code.1);
    assert_eq!(new_coupon.0, 422, "{}", new_coupon.1);
    assert!(refused_on(&new_coupon.1, "code"), "{}", new_coupon.1);
    assert_eq!(
        app.count("audit_entries").await,
        audit_before,
        "nothing recorded"
    );
    let (_, bob_now) = app.api_json(&bob_path, &p.key).await;
    assert_eq!(bob_now["email"], "bob@example.com");
}

#[tokio::test]
async fn a_taken_link_token_refuses_the_whole_new_affiliate() {
    // Arrange: the affiliate row and its status history are written before
    // the default link's token meets the index.
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "promo")
        .await;
    let (affiliates, changes, audit) = (
        app.count("affiliates").await,
        app.count("affiliate_status_changes").await,
        app.count("audit_entries").await,
    );

    // Act
    let (status, json) = app
        .api_post(
            "/api/v1/affiliates",
            &p.key,
            json!({"email": "bob@example.com", "first_name": "Bob", "link_token": "promo"}),
        )
        .await;

    // Assert
    assert_eq!(status, 422, "{json}");
    assert!(refused_on(&json, "link_token"), "{json}");
    assert_eq!(
        app.count("affiliates").await,
        affiliates,
        "no affiliate left"
    );
    assert_eq!(app.count("affiliate_status_changes").await, changes);
    assert_eq!(app.count("audit_entries").await, audit);
    let again = app
        .approved_affiliate(&p.key, "bob@example.com", "bob-promo")
        .await;
    assert_eq!(
        again["email"], "bob@example.com",
        "the email was never taken"
    );
}
