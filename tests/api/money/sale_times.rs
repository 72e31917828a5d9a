//! Issue 13, point 8: a sale's `occurred_at` is bounded, and a live sale's
//! hold period runs from when it is recorded, so backdating it cannot make
//! its commission due at once; `"import": true` says it is history.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

fn due_at(sale: &serde_json::Value) -> DateTime<Utc> {
    sale["commissions"][0]["due_at"]
        .as_str()
        .expect("a commission")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn absurd_sale_times_are_refused_naming_occurred_at() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ahead = (Utc::now() + Duration::hours(25)).to_rfc3339();
    for (i, when) in [
        "0000-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "-0001-06-01T00:00:00Z",
        ahead.as_str(),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, json) = app
            .api_post(
                "/api/v1/sales",
                &p.key,
                json!({"external_id": format!("pi_{i}"), "amount": "10", "occurred_at": when}),
            )
            .await;
        assert_eq!(status, 422, "{when}: {json}");
        assert!(has_field_error(&json, "occurred_at"), "{when}: {json}");
    }
    assert_eq!(app.count("sales").await, 0);
    let (status, json) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_ok", "amount": "10", "occurred_at": "2000-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{json}");
}

#[tokio::test]
async fn a_backdated_sale_holds_from_when_it_is_recorded_unless_it_is_an_import() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;

    // Act: a live sale dated years ago, then the same kind as an import.
    let before = Utc::now();
    let (status, live) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_live", "amount": "100", "referral_id": referral,
                   "occurred_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{live}");
    assert_eq!(
        tributary::services::commissions::promote_due(&app.db, Utc::now())
            .await
            .unwrap(),
        0,
        "the live sale's commission waits out its hold period"
    );
    let (status, imported) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_old", "amount": "100", "referral_id": referral,
                   "occurred_at": "2001-01-01T00:00:00Z", "import": true}),
        )
        .await;
    assert_eq!(status, 201, "{imported}");

    // Assert: 30 days (the campaign's hold) from now, and from 2001.
    let live_due = due_at(&live);
    assert!(
        live_due >= before + Duration::days(30) - Duration::seconds(1)
            && live_due <= Utc::now() + Duration::days(30),
        "{live}"
    );
    assert_eq!(
        due_at(&imported),
        "2001-01-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(live["occurred_at"], "2001-01-01T00:00:00Z");
    assert_eq!(
        tributary::services::commissions::promote_due(&app.db, Utc::now())
            .await
            .unwrap(),
        1,
        "only the imported one is due"
    );
    app.assert_books_balance().await;
}
