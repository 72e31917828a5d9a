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
        .api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_1", "amount": "120.00", "tax": "20.00", "currency": "usd", "occurred_at": "2026-01-10T12:00:00Z", "referral_id": referral}))
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
async fn refunds_before_payout_reduce_or_cancel_the_commission() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    let (_, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_r", "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "referral_id": referral})).await;
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
    let (_, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_paid", "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "referral_id": referral})).await;
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
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let p = app.program().await;
    let post = |key: &'static str, body: serde_json::Value| {
        let client = app.browser.client.clone();
        let url = app.browser.url("/api/v1/affiliates");
        let bearer = p.key.clone();
        async move {
            client
                .post(url)
                .bearer_auth(bearer)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };

    let first = post(
        "k-1",
        json!({"email": "ann@example.com", "first_name": "Ann"}),
    )
    .await;
    assert_eq!(first.status().as_u16(), 201);
    let first_body: serde_json::Value = first.json().await.unwrap();
    let again = post(
        "k-1",
        json!({"email": "ann@example.com", "first_name": "Ann"}),
    )
    .await;
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again_body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again_body["id"], first_body["id"]);
    assert_eq!(app.count("affiliates").await, 1);

    let other = post(
        "k-1",
        json!({"email": "bob@example.com", "first_name": "Bob"}),
    )
    .await;
    assert_eq!(other.status().as_u16(), 422);
    let body: serde_json::Value = other.json().await.unwrap();
    assert!(has_field_error(&body, "Idempotency-Key"));

    // A first request still running: the duplicate is told to wait.
    let store = app.store_id("acme").await;
    use sea_orm::ActiveModelTrait;
    tributary::entities::idempotency_key::ActiveModel {
        id: sea_orm::Set(uuid::Uuid::now_v7()),
        store_id: sea_orm::Set(store.0),
        key: sea_orm::Set("k-busy".into()),
        request_hash: sea_orm::Set("x".into()),
        response_status: sea_orm::Set(None),
        response_body: sea_orm::Set(None),
        created_at: sea_orm::Set(chrono::Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let hash_of_body = {
        let body = serde_json::to_vec(&json!({"email": "cleo@example.com", "first_name": "Cleo"}))
            .unwrap();
        tributary::services::crypto::sha256_hex(
            &[b"POST /api/v1/affiliates\n".as_slice(), &body].concat(),
        )
    };
    app.sql(&format!(
        "UPDATE idempotency_keys SET request_hash = '{hash_of_body}' WHERE key = 'k-busy'"
    ))
    .await;
    let busy = post(
        "k-busy",
        json!({"email": "cleo@example.com", "first_name": "Cleo"}),
    )
    .await;
    assert_eq!(busy.status().as_u16(), 409);
}

#[tokio::test]
async fn referrals_are_found_by_email_corrected_and_erased_while_money_stays() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;

    let (status, r) = app
        .api_post(
            "/api/v1/referrals",
            &p.key,
            json!({"affiliate_id": ann["id"], "email": "eve@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_owned();
    let (_, found) = app
        .api_json("/api/v1/referrals?email=EVE@example.com", &p.key)
        .await;
    assert_eq!(found["data"][0]["id"], id.as_str());
    let (_, patched) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/referrals/{id}"),
            &p.key,
            Some(json!({"external_customer_id": "cus_eve"})),
        )
        .await;
    assert_eq!(patched["external_customer_id"], "cus_eve");
    let (_, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_eve", "amount": "40.00", "customer_email": "eve@example.com"})).await;
    assert_eq!(sale["attribution"], "email");

    let (status, erased) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/referrals/{id}"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(erased["email"].is_null());
    assert!(erased["external_customer_id"].is_null());
    assert_eq!(erased["erased"], true);
    let (_, still) = app
        .api_json(
            &format!("/api/v1/sales/{}", sale["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(
        still["referral_id"],
        id.as_str(),
        "the sale keeps an anonymous reference"
    );
    assert_eq!(still["commissions"][0]["amount"], "8.00");
    let (_, gone) = app
        .api_json("/api/v1/referrals?email=eve@example.com", &p.key)
        .await;
    assert!(gone["data"].as_array().unwrap().is_empty());
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

#[tokio::test]
async fn staff_record_and_correct_a_referral_from_the_pages() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();

    let res = app
        .browser
        .post_form(
            "/admin/referrals",
            &[("affiliate_id", ann_id), ("email", "not-an-email")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("id=\"email-error\""));
    assert_eq!(app.count("referrals").await, 0);

    let res = app
        .browser
        .post_form(
            "/admin/referrals",
            &[
                ("affiliate_id", ann_id),
                ("email", "frank@example.com"),
                ("external_customer_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let page = location(&res);
    let res = app
        .browser
        .post_form(
            &page,
            &[
                ("email", "frank@example.com"),
                ("external_customer_id", "cus_frank"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, found) = app
        .api_json("/api/v1/referrals?email=frank@example.com", &p.key)
        .await;
    assert_eq!(found["data"][0]["external_customer_id"], "cus_frank");
    assert_eq!(found["data"][0]["source"], "manual");
    let html = app.browser.get_html(&page).await;
    assert!(html.contains("frank@example.com") && html.contains("Referred"));
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
    app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_chk", "amount": "10.00", "occurred_at": "2026-01-01T00:00:00Z", "referral_id": referral})).await;
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
