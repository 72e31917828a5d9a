//! Issue 13, point 1: money overflow. Every amount is bounded at input
//! (10^12 major units), the ledger adds with checked arithmetic, and a
//! database that holds an out-of-range balance or ledger anyway (written by
//! an older version, or by hand) is reported by `check` while the lists
//! still answer.

use crate::support::*;
use serde_json::json;

const HUGE: &str = "92233720368547758.07";

#[tokio::test]
async fn the_overflow_sequence_is_refused_at_input_naming_each_field() {
    let app = spawn_app().await;
    let p = app.program().await;

    // Arrange / Act: the sequence began with a fixed commission of
    // i64::MAX cents; every money field of a campaign now stops it.
    let fixed = |value: &str| {
        json!({"name": "Huge", "website_url": "https://shop.example.com",
               "commission_type": "fixed", "commission_value": value, "hold_days": 0})
    };
    let cases = [
        (fixed(HUGE), "commission_value"),
        (fixed("1000000000000.01"), "commission_value"),
        (
            json!({"name": "Huge", "website_url": "https://shop.example.com",
                   "first_payment_commission": {"type": "fixed", "value": HUGE}}),
            "first_payment_value",
        ),
        (
            json!({"name": "Huge", "website_url": "https://shop.example.com",
                   "minimum_payout": HUGE}),
            "minimum_payout",
        ),
    ];
    for (body, field) in cases {
        let (status, json) = app
            .api_post("/api/v1/campaigns", &p.key, body.clone())
            .await;
        // Assert
        assert_eq!(status, 422, "{body}: {json}");
        assert!(
            field_errors(&json)
                .iter()
                .any(|(f, m)| f.starts_with(field) && m.contains("at most 1000000000000.00")),
            "{body}: {json}"
        );
    }

    // The bound itself is accepted: two commissions of 10^12 made due sum
    // exactly, and the books balance.
    let (status, campaign) = app
        .api_post("/api/v1/campaigns", &p.key, fixed("1000000000000.00"))
        .await;
    assert_eq!(status, 201, "{campaign}");
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let (status, _) = app
        .api(
            reqwest::Method::PATCH,
            &format!("/api/v1/affiliates/{}", ann["id"].as_str().unwrap()),
            &p.key,
            Some(json!({"campaign_id": campaign["id"]})),
        )
        .await;
    assert_eq!(status, 200);
    let referral = app.referred("ann").await;
    for (id, amount) in [("pi_1", HUGE), ("pi_2", "1000000000000.01")] {
        let (status, json) = app
            .api_post(
                "/api/v1/sales",
                &p.key,
                json!({"external_id": id, "amount": amount, "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 422, "{json}");
        assert!(has_field_error(&json, "amount"), "{json}");
    }
    let (status, json) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_t", "amount": "10", "tax": HUGE, "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 422, "{json}");
    assert!(has_field_error(&json, "tax"), "{json}");
    let mut sale_id = String::new();
    for id in ["pi_a", "pi_b"] {
        let (status, json) = app
            .api_post(
                "/api/v1/sales",
                &p.key,
                json!({"external_id": id, "amount": "1000000000000.00", "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 201, "{json}");
        sale_id = json["id"].as_str().unwrap().to_owned();
    }
    let (status, json) = app
        .api_post(
            &format!("/api/v1/sales/{sale_id}/refunds"),
            &p.key,
            json!({"amount": HUGE}),
        )
        .await;
    assert_eq!(status, 422, "{json}");
    assert!(has_field_error(&json, "amount"), "{json}");
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    let (status, balance) = app
        .api_json(
            &format!("/api/v1/affiliates/{}", ann["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(balance["balance"], "2000000000000.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn the_ledger_refuses_a_posting_that_would_overflow_the_balance() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let id = ann["id"].as_str().unwrap();
    let affiliate_id: uuid::Uuid = id.parse().unwrap();
    let store_id = app.store_id("acme").await;
    // Arrange: a balance (and a ledger) one cent short of i64::MAX.
    let post = |amount: i64| tributary::services::ledger::Entry {
        affiliate_id,
        commission_id: None,
        kind: tributary::domain::states::LedgerKind::CommissionDue,
        amount_minor: amount,
        currency: "USD",
    };
    tributary::services::ledger::post(&app.db, store_id, post(i64::MAX - 1))
        .await
        .unwrap();

    // Act
    let refused = tributary::services::ledger::post(&app.db, store_id, post(2)).await;

    // Assert: a clear error, the balance untouched and still an integer.
    let err = refused.expect_err("an overflowing posting is refused");
    assert!(err.to_string().contains("overflow"), "{err}");
    tributary::services::ledger::post(&app.db, store_id, post(1))
        .await
        .unwrap();
    let (status, json) = app
        .api_json(&format!("/api/v1/affiliates/{id}"), &p.key)
        .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["balance"], "92233720368547758.07");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn check_reports_an_out_of_range_balance_while_the_lists_still_answer() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let id = ann["id"].as_str().unwrap();
    let referral = app.referred("ann").await;
    for external in ["pi_1", "pi_2"] {
        let (status, _) = app
            .api_post(
                "/api/v1/sales",
                &p.key,
                json!({"external_id": external, "amount": "100", "referral_id": referral,
                       "occurred_at": "2025-01-01T00:00:00Z", "import": true}),
            )
            .await;
        assert_eq!(status, 201);
    }
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    app.assert_books_balance().await;

    // Arrange: what an overflow leaves behind, written by hand: two ledger
    // entries whose sum leaves i64, and a balance at its edge.
    app.sql("UPDATE ledger_entries SET amount_minor = 9223372036854775807")
        .await;
    app.sql(&format!(
        "UPDATE affiliates SET balance_minor = 9223372036854775807 WHERE id = {}",
        app.uuid_sql(id)
    ))
    .await;

    // Act
    let violations = tributary::services::check::run(&app.db)
        .await
        .expect("check reports instead of failing");

    // Assert: the broken invariant names the row; nothing else is reported.
    let text: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert_eq!(violations.len(), 1, "{text:?}");
    assert!(text[0].contains(id), "{text:?}");
    assert!(text[0].contains("sums to 18446744073709551614"), "{text:?}");
    for path in [
        "/api/v1/affiliates",
        &format!("/api/v1/affiliates/{id}"),
        "/api/v1/sales",
        "/api/v1/referrals",
    ] {
        let (status, json) = app.api_json(path, &p.key).await;
        assert_eq!(status, 200, "{path}: {json}");
    }
    for path in [
        "/admin/affiliates",
        &format!("/admin/affiliates/{id}"),
        "/admin/sales",
        "/admin/referrals",
    ] {
        let res = app.browser.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
    }

    // SQLite: the float the old overflow stored (its integer addition turns
    // into a float) is reported as stored, not a crash of the check.
    if !is_postgres() {
        app.sql(&format!(
            "UPDATE affiliates SET balance_minor = 18446744073709551614.0 WHERE id = {}",
            app.uuid_sql(id)
        ))
        .await;
        let violations = tributary::services::check::run(&app.db).await.unwrap();
        let text: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert_eq!(violations.len(), 1, "{text:?}");
        assert!(text[0].contains("cached 1.84467440737096e+19"), "{text:?}");
    }
}

#[tokio::test]
async fn the_repair_migration_recomputes_a_float_balance_from_the_ledger() {
    use migration::MigratorTrait;
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let id = ann["id"].as_str().unwrap();
    let (status, _) = app
        .api_post(
            &format!("/api/v1/affiliates/{id}/adjustments"),
            &p.key,
            json!({"amount": "12.34", "reason": "goodwill"}),
        )
        .await;
    assert_eq!(status, 201);
    app.assert_books_balance().await;
    // Arrange: the float an old overflow left in the column (SQLite keeps
    // what it is given; PostgreSQL's BIGINT cannot hold it, so there the
    // repair has nothing to do and the books stay as they are).
    if !is_postgres() {
        app.sql(&format!(
            "UPDATE affiliates SET balance_minor = 1.5e19 WHERE id = {}",
            app.uuid_sql(id)
        ))
        .await;
        let before = tributary::services::check::run(&app.db).await.unwrap();
        assert_eq!(before.len(), 1, "check reports the float balance");
    }

    // Act: the repair migration runs again, as on an old database (only it:
    // its record is taken out and the migrator brings the schema up).
    app.sql(
        "DELETE FROM seaql_migrations WHERE version = 'm20261202_000014_repair_float_balances'",
    )
    .await;
    migration::Migrator::up(&app.db, None).await.unwrap();

    // Assert: the balance is the ledger's sum again, a whole number.
    let after = tributary::services::check::run(&app.db).await.unwrap();
    let text: Vec<String> = after.iter().map(ToString::to_string).collect();
    assert!(after.is_empty(), "{text:?}");
    let (status, json) = app
        .api_json(&format!("/api/v1/affiliates/{id}"), &p.key)
        .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["balance"], "12.34");
}
