//! Komerza's opening `balance` on affiliate create (API and admin form):
//! an opening adjustment through the ledger in the same transaction; a
//! bad one is a 422 naming `balance`, and nothing is written.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn an_opening_balance_is_an_adjustment_the_next_payout_settles() {
    let app = spawn_app().await;
    let p = app.program().await;

    let ann = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"balance": "120.50", "status": "approved"}),
        )
        .await;

    assert_eq!(ann["balance"], "120.50", "{ann}");
    let id = ann["id"].as_str().unwrap();
    let (_, b) = app
        .api_json(&format!("/api/v1/affiliates/{id}/balance"), &p.key)
        .await;
    assert_eq!(b["available"], "120.50", "{b}");
    let (_, list) = app
        .api_json(&format!("/api/v1/commissions?affiliate_id={id}"), &p.key)
        .await;
    assert_eq!(list["data"][0]["amount"], "120.50", "{list}");
    assert_eq!(list["data"][0]["status"], "due");
    let (status, paid) = app
        .api_post(
            &format!("/api/v1/affiliates/{id}/payouts"),
            &p.key,
            json!({"amount": "120.50"}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    // Zero or blank: no adjustment at all.
    let bob = app
        .new_affiliate(&p.key, "bob@example.com", json!({"balance": "0"}))
        .await;
    assert_eq!(bob["balance"], "0.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_bad_opening_balance_is_a_422_naming_balance_and_nothing_is_written() {
    let app = spawn_app().await;
    let p = app.program().await;
    let before = app.snapshot().await;

    for bad in [
        json!("-1.00"),
        json!("1.234"),
        json!("abc"),
        json!("1000000000000.01"),
    ] {
        let (status, answer) = app
            .api_post(
                "/api/v1/affiliates",
                &p.key,
                json!({"email": "ann@example.com", "first_name": "Ann", "balance": bad}),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {answer}");
        assert!(has_field_error(&answer, "balance"), "{bad}: {answer}");
    }
    assert_eq!(app.snapshot().await, before);

    // The admin form says the same in the page, and keeps what was typed.
    let res = app
        .browser
        .post_form(
            "/admin/affiliates",
            &[
                ("email", "ann@example.com"),
                ("first_name", "Ann"),
                ("balance", "-5"),
                ("is_enabled", "true"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("must be at least 0"), "{html}");
    assert!(html.contains("value=\"-5\""), "kept what was typed");
    assert_eq!(app.snapshot().await, before);
    let res = app
        .browser
        .post_form(
            "/admin/affiliates",
            &[
                ("email", "ann@example.com"),
                ("first_name", "Ann"),
                ("balance", "30.00"),
                ("is_enabled", "true"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, list) = app.api_json("/api/v1/affiliates", &p.key).await;
    assert_eq!(list["data"][0]["balance"], "30.00", "{list}");
    app.assert_books_balance().await;
}
