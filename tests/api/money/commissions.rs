use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_sale_makes_a_pending_commission_due_after_the_hold_period() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;

    let (status, sale) = app
        .api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_1", "amount": "120.00", "tax": "20.00", "currency": "usd", "occurred_at": "2026-01-10T12:00:00Z", "import": true, "referral_id": referral}))
        .await;

    assert_eq!(status, 201, "{sale}");
    let c = &sale["commissions"][0];
    assert_eq!(c["amount"], "20.00", "20 % of 100.00 net of tax");
    assert_eq!(c["status"], "pending");
    assert_eq!(
        c["due_at"], "2026-02-09T12:00:00Z",
        "occurred + 30 hold days"
    );
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(r["state"], "converted");
    let (_, links) = app.api_json("/api/v1/links", &p.key).await;
    assert_eq!(links["data"][0]["conversions"], 1);

    let moved = tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(moved, 1);
    let (_, after) = app
        .api_json(
            &format!("/api/v1/commissions/{}", c["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(after["status"], "due");
    let (_, ann) = app
        .api_json("/api/v1/affiliates?email=ann@example.com", &p.key)
        .await;
    assert_eq!(
        ann["data"][0]["balance"], "20.00",
        "a due commission enters the balance"
    );
    assert_eq!(
        tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
            .await
            .unwrap(),
        0,
        "once only"
    );
    assert_eq!(app.count("ledger_entries").await, 1);
    app.assert_books_balance().await;
    for event in [
        "referral.created",
        "sale.created",
        "referral.converted",
        "commission.created",
        "commission.updated",
    ] {
        let n = {
            use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
            tributary::entities::event::Entity::find()
                .filter(tributary::entities::event::Column::EventType.eq(event))
                .count(&app.db)
                .await
                .unwrap()
        };
        assert!(n >= 1, "{event} is in the outbox");
    }
}

#[tokio::test]
async fn an_affiliate_buying_through_their_own_link_earns_nothing() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();

    let (status, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_own", "amount": "90.00", "referral_id": referral, "customer_email": "ANN@example.com"})).await;

    assert_eq!(status, 201);
    assert!(sale["commissions"].as_array().unwrap().is_empty(), "{sale}");
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(r["self_referral"], true);
}

#[tokio::test]
async fn an_affiliate_with_sales_is_never_deleted_only_anonymised() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();
    app.api_post(
        "/api/v1/sales",
        &p.key,
        json!({"external_id": "pi_keep", "amount": "10.00", "referral_id": referral}),
    )
    .await;
    let id = ann["id"].as_str().unwrap();

    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/affiliates/{id}"),
            &p.key,
            None,
        )
        .await;

    assert_eq!(status, 409, "{body}");
    assert_eq!(app.count("commissions").await, 1);
    let (status, erased) = app
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{id}/anonymize"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(erased["anonymized"], true);
}

#[tokio::test]
async fn the_books_check_finds_a_balance_that_disagrees_with_its_ledger() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();
    app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_chk", "amount": "10.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral})).await;
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    app.assert_books_balance().await;

    app.sql("UPDATE affiliates SET balance_minor = balance_minor + 1")
        .await;

    let violations = tributary::services::check::run(&app.db).await.unwrap();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0]
            .to_string()
            .contains("cached balance 201 but the ledger sums to 200")
    );
}
