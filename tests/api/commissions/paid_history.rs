//! Paid history brought from elsewhere: a manual commission imported as
//! `paid`, and Rewardful's legacy `paid_at` on a commission. Each is a
//! one-commission payout marked paid, never a flipped flag; clearing
//! `paid_at` voids that payout.

use super::*;
use reqwest::Method;
use tributary::domain::mail::EmailKind;

async fn payout(app: &TestApp, key: &str, id: &Value) -> Value {
    let (status, p) = app
        .api_json(&format!("/api/v1/payouts/{}", id.as_str().unwrap()), key)
        .await;
    assert_eq!(status, 200, "{p}");
    p
}

async fn money(app: &TestApp, key: &str, affiliate: &str) -> (String, String) {
    let (_, b) = app
        .api_json(&format!("/api/v1/affiliates/{affiliate}/balance"), key)
        .await;
    (
        b["available"].as_str().unwrap().to_owned(),
        b["paid"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_manual_commission_imported_as_paid_comes_with_its_paid_payout() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();

    let (status, c) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": ann_id, "sale_amount": "80.00", "amount": "12.50",
                   "status": "paid", "date": "2025-06-01T10:00:00Z", "remarks": "from the old system"}),
        )
        .await;

    assert_eq!(status, 201, "{c}");
    assert_eq!(c["status"], "paid");
    assert_eq!(c["paid_at"], "2025-06-01T10:00:00Z");
    let paid = payout(&app, &p.key, &c["payout_id"]).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amount"], "12.50");
    assert_eq!(paid["commission_count"], 1);
    assert_eq!(paid["paid_at"], "2025-06-01T10:00:00Z");
    assert_eq!(
        money(&app, &p.key, ann_id).await,
        ("0.00".to_owned(), "12.50".to_owned())
    );
    assert_eq!(events_of(&app, "payout.paid").await, 1);
    for kind in [EmailKind::NewCommission, EmailKind::PayoutPaid] {
        assert!(
            crate::emails::of_kind(&app, kind).await.is_empty(),
            "imported history mails nobody ({kind:?})"
        );
    }
    app.assert_books_balance().await;
}

#[tokio::test]
async fn paid_at_on_a_due_commission_pays_it_alone_and_null_voids_that_payout() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    let path = format!("/api/v1/commissions/{id}");

    let (status, c) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"paid_at": "2026-03-04T05:06:07Z"})),
        )
        .await;

    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "paid");
    assert_eq!(c["paid_at"], "2026-03-04T05:06:07Z");
    assert_eq!(
        crate::emails::of_kind(&app, EmailKind::PayoutPaid)
            .await
            .len(),
        1,
        "a payout paid now is announced"
    );
    let paid = payout(&app, &p.key, &c["payout_id"]).await;
    assert_eq!(
        (paid["status"].as_str(), paid["amount"].as_str()),
        (Some("paid"), Some("20.00"))
    );
    assert_eq!(
        money(&app, &p.key, &ann).await,
        ("0.00".to_owned(), "20.00".to_owned())
    );
    app.assert_books_balance().await;

    // A second paid_at is refused by name: it is paid already.
    let (status, again) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(json!({"paid_at": "2026-03-05T00:00:00Z"})),
        )
        .await;
    assert_eq!(status, 422, "{again}");
    assert!(has_field_error(&again, "paid_at"), "{again}");

    let (status, c) = app
        .api(Method::PUT, &path, &p.key, Some(json!({"paid_at": null})))
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "due");
    assert!(c["paid_at"].is_null() && c["payout_id"].is_null(), "{c}");
    let voided = payout(&app, &p.key, &paid["id"]).await;
    assert_eq!(voided["status"], "voided");
    assert_eq!(
        money(&app, &p.key, &ann).await,
        ("20.00".to_owned(), "0.00".to_owned())
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn paid_at_is_refused_by_name_where_it_cannot_be_honoured_and_nothing_is_written() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, first) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    let second = sale_commission(&app, &p.key, "ann", "pi_2", "50.00").await;
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    // Both paid by one payout of two commissions.
    let (status, made) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann}/payouts"),
            &p.key,
            json!({"amount": "30.00"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/payouts/{}/mark_paid", made["id"].as_str().unwrap()),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let pending = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": ann, "sale_amount": "10.00", "amount": "1.00"}),
        )
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.snapshot().await;

    for (id, body) in [
        (&first, json!({"paid_at": null})),
        (&second, json!({"paid_at": ""})),
        (&pending, json!({"paid_at": "2026-03-04T05:06:07Z"})),
        (&pending, json!({"paid_at": "2999-01-01T00:00:00Z"})),
    ] {
        let (status, answer) = app
            .api(
                Method::PATCH,
                &format!("/api/v1/commissions/{id}"),
                &p.key,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(has_field_error(&answer, "paid_at"), "{body}: {answer}");
    }
    assert_eq!(app.snapshot().await, before, "nothing was written");
    app.assert_books_balance().await;
}
