//! Payouts through the API: from the Due view to paid, voids, Komerza's
//! record-a-payout, store credit, adjustments, refused input, and races.
//! Every money test ends with `tributary check`'s rules.

use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};

/// An approved affiliate (link `token`) with one due commission per sale
/// amount (20 % of each), made through sales and the hold-period job.
async fn with_due(
    app: &TestApp,
    key: &str,
    email: &str,
    token: &str,
    extra: Value,
    sales: &[&str],
) -> Value {
    let mut body = json!({"status": "approved", "link_token": token});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let affiliate = app.new_affiliate(key, email, body).await;
    for (n, amount) in sales.iter().enumerate() {
        let referral = app.referred(token).await;
        let (status, sale) = app
            .api_post(
                "/api/v1/sales",
                key,
                json!({"external_id": format!("pi_{token}_{n}"), "amount": amount,
                       "occurred_at": format!("2026-01-{:02}T12:00:00Z", n + 1), "import": true, "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 201, "{sale}");
    }
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    affiliate
}

async fn balance(app: &TestApp, key: &str, id: &str) -> Value {
    let (status, b) = app
        .api_json(&format!("/api/v1/affiliates/{id}/balance"), key)
        .await;
    assert_eq!(status, 200, "{b}");
    b
}

async fn events(app: &TestApp, event: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    tributary::entities::event::Entity::find()
        .filter(tributary::entities::event::Column::EventType.eq(event))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_payout_from_the_due_view_settles_exactly_what_is_due_and_is_then_marked_paid() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "ann@pay.example.com"}),
        &["100.00", "50.00"],
    )
    .await;
    let bob = with_due(
        &app,
        &p.key,
        "bob@example.com",
        "bob",
        json!({}),
        &["10.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();

    let (status, created) = app.api_post("/api/v1/payouts", &p.key, json!({})).await;

    assert_eq!(status, 201, "{created}");
    let data = created["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "only ann is payable: {created}");
    let payout = &data[0];
    assert_eq!(payout["affiliate_id"], ann_id);
    assert_eq!(payout["amount"], "30.00", "20 % of 100 + 20 % of 50");
    assert_eq!(payout["commission_count"], 2);
    assert_eq!(payout["payment_count"], 2);
    assert_eq!(payout["period_start"], "2026-01-31T12:00:00Z");
    assert_eq!(payout["period_end"], "2026-02-01T12:00:00Z");
    assert_eq!(payout["status"], "pending");
    assert_eq!(created["skipped"][0]["affiliate_id"], bob["id"]);
    assert!(
        created["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("payout email")
    );
    let b = balance(&app, &p.key, ann_id).await;
    assert_eq!(
        (
            b["available"].as_str(),
            b["in_payouts"].as_str(),
            b["paid"].as_str()
        ),
        (Some("0.00"), Some("30.00"), Some("0.00"))
    );

    let id = payout["id"].as_str().unwrap();
    let (status, paid) = app
        .api_post(
            &format!("/api/v1/payouts/{id}/mark_paid"),
            &p.key,
            json!({"reference": "PAYPAL-TX-1"}),
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["reference"], "PAYPAL-TX-1");
    assert!(paid["paid_at"].is_string());
    for c in paid["commission_ids"].as_array().unwrap() {
        let (_, c) = app
            .api_json(
                &format!("/api/v1/commissions/{}", c.as_str().unwrap()),
                &p.key,
            )
            .await;
        assert_eq!(c["status"], "paid");
        assert_eq!(c["payout_id"], id);
    }
    let b = balance(&app, &p.key, ann_id).await;
    assert_eq!(
        (
            b["available"].as_str(),
            b["in_payouts"].as_str(),
            b["paid"].as_str()
        ),
        (Some("0.00"), Some("0.00"), Some("30.00"))
    );
    let (status, again) = app
        .api(
            Method::POST,
            &format!("/api/v1/payouts/{id}/mark_paid"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(events(&app, "payout.created").await, 1);
    assert_eq!(events(&app, "payout.paid").await, 1);
    assert_eq!(events(&app, "commission.paid").await, 2);
    let (_, listed) = app
        .api_json(
            &format!("/api/v1/payouts?status=paid&affiliate_id={ann_id}"),
            &p.key,
        )
        .await;
    assert_eq!(listed["data"][0]["id"], id);
    let (_, none) = app.api_json("/api/v1/payouts?status=pending", &p.key).await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn voiding_a_paid_payout_makes_its_commissions_due_again_and_a_second_void_is_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "ann@pay.example.com"}),
        &["100.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();
    let (_, created) = app
        .api_post(
            "/api/v1/payouts",
            &p.key,
            json!({"affiliate_ids": [ann_id]}),
        )
        .await;
    let id = created["data"][0]["id"].as_str().unwrap().to_owned();
    let commission = created["data"][0]["commission_ids"][0]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(
        Method::POST,
        &format!("/api/v1/payouts/{id}/mark_paid"),
        &p.key,
        None,
    )
    .await;

    let (status, missing) = app
        .api_post(
            &format!("/api/v1/payouts/{id}/void"),
            &p.key,
            json!({"void_reason": "  "}),
        )
        .await;
    assert_eq!(status, 422, "{missing}");
    assert!(has_field_error(&missing, "void_reason"));
    let (status, voided) = app
        .api_post(
            &format!("/api/v1/payouts/{id}/void"),
            &p.key,
            json!({"void_reason": "Transfer bounced"}),
        )
        .await;

    assert_eq!(status, 200, "{voided}");
    assert_eq!(voided["status"], "voided");
    assert_eq!(voided["is_voided"], true);
    assert_eq!(voided["void_reason"], "Transfer bounced");
    assert!(voided["void_date"].is_string());
    assert_eq!(
        voided["commission_ids"][0],
        commission.as_str(),
        "a voided payout still shows what it held"
    );
    let (_, c) = app
        .api_json(&format!("/api/v1/commissions/{commission}"), &p.key)
        .await;
    assert_eq!(c["status"], "due");
    assert!(c["payout_id"].is_null());
    assert!(c["paid_at"].is_null());
    let b = balance(&app, &p.key, ann_id).await;
    assert_eq!(
        (b["available"].as_str(), b["paid"].as_str()),
        (Some("20.00"), Some("0.00"))
    );
    let (status, twice) = app
        .api_post(
            &format!("/api/v1/payouts/{id}/void"),
            &p.key,
            json!({"void_reason": "again"}),
        )
        .await;
    assert_eq!(status, 409, "{twice}");
    assert!(
        twice["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already voided")
    );
    assert_eq!(
        balance(&app, &p.key, ann_id).await["available"],
        "20.00",
        "given back once"
    );
    let (status, again) = app
        .api_post(
            "/api/v1/payouts",
            &p.key,
            json!({"affiliate_ids": [ann_id]}),
        )
        .await;
    assert_eq!(status, 201, "the commission can be paid again: {again}");
    assert_eq!(again["data"][0]["commission_ids"][0], commission.as_str());
    assert_eq!(events(&app, "payout.voided").await, 1);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_recorded_payout_settles_the_oldest_commissions_and_answers_komerzas_fields() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({}),
        &["100.00", "50.00", "25.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();

    let (status, recorded) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann_id}/payouts"),
            &p.key,
            json!({"amount": 30, "convertedToStoreCredit": false, "comment": "January"}),
        )
        .await;

    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["amount"], "30.00");
    assert_eq!(recorded["commission_count"], 2);
    assert!(
        recorded["split"].is_null(),
        "30.00 ends on a commission: {recorded}"
    );
    assert_eq!(
        recorded["period_end"], "2026-02-01T12:00:00Z",
        "the two oldest"
    );
    assert_eq!(recorded["comment"], "January");
    assert_eq!(recorded["converted_to_store_credit"], false);
    assert_eq!(recorded["is_voided"], false);
    assert!(recorded["initiated_by_ip"].is_string());
    assert!(
        recorded["initiated_by"]
            .as_str()
            .unwrap()
            .contains("API key")
    );
    assert!(
        recorded["void_date"].is_null()
            && recorded["voided_by_user_id"].is_null()
            && recorded["void_reason"].is_null()
    );
    assert_eq!(balance(&app, &p.key, ann_id).await["available"], "5.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn bad_payout_input_is_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "a@pay.example.com"}),
        &["100.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();
    app.other_store("other", "other@example.com").await;
    let other_key = app.api_key("other").await;
    let (_, other_campaign) = app
        .api_post(
            "/api/v1/campaigns",
            &other_key,
            json!({"name": "O", "website_url": "https://o.example.com"}),
        )
        .await;
    assert!(other_campaign["id"].is_string());
    let stranger = app
        .new_affiliate(&other_key, "x@example.com", json!({}))
        .await;
    let stranger_id = stranger["id"].as_str().unwrap();
    let before = app.snapshot().await;
    let record = format!("/api/v1/affiliates/{ann_id}/payouts");

    for (body, field) in [
        (json!({"amount": 0}), "amount"),
        (json!({"amount": "-5.00"}), "amount"),
        (json!({"amount": "1.234"}), "amount"),
        (json!({"amount": "20.01"}), "amount"),
        (
            json!({"amount": "20.00", "comment": "x".repeat(257)}),
            "comment",
        ),
        (
            json!({"amount": "20.00", "converted_to_store_credit": true}),
            "external_customer_id",
        ),
        (json!({"amount": "abc"}), "amount"),
        (json!({}), "amount"),
    ] {
        let (status, answer) = app.api_post(&record, &p.key, body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert!(
            has_field_error(&answer, field),
            "{body} names {field}: {answer}"
        );
    }
    let (status, over) = app
        .api_post(&record, &p.key, json!({"amount": "20.01"}))
        .await;
    assert!(
        over.to_string().contains("available balance of 20.00"),
        "{status} {over}"
    );
    for path in [
        format!("/api/v1/affiliates/{stranger_id}/payouts"),
        "/api/v1/affiliates/0190aaaa-0000-7000-8000-000000000000/payouts".to_owned(),
    ] {
        let (status, answer) = app
            .api_post(&path, &p.key, json!({"amount": "20.00"}))
            .await;
        assert_eq!(status, 404, "{answer}");
    }
    for (body, field) in [
        (json!({"affiliate_ids": [stranger_id]}), "affiliate_ids[0]"),
        (
            json!({"affiliate_ids": [ann_id, "0190aaaa-0000-7000-8000-000000000000"]}),
            "affiliate_ids[1]",
        ),
        (json!({"affiliate_ids": []}), "affiliate_ids"),
        (
            json!({"affiliate_ids": [ann_id], "comment": "x".repeat(257)}),
            "comment",
        ),
        (
            json!({"affiliate_ids": [ann_id], "method": "cash"}),
            "method",
        ),
        (json!({"affiliate_ids": "all"}), "affiliate_ids"),
    ] {
        let (status, answer) = app.api_post("/api/v1/payouts", &p.key, body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert!(
            has_field_error(&answer, field),
            "{body} names {field}: {answer}"
        );
    }
    for (body, field) in [
        (json!({"amount": 0, "reason": "x"}), "amount"),
        (json!({"amount": "1.00", "reason": ""}), "reason"),
        (json!({"amount": "0.001", "reason": "x"}), "amount"),
    ] {
        let (status, answer) = app
            .api_post(
                &format!("/api/v1/affiliates/{ann_id}/adjustments"),
                &p.key,
                body.clone(),
            )
            .await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert!(has_field_error(&answer, field), "{body}: {answer}");
    }

    assert_eq!(app.snapshot().await, before, "nothing was written");
}

#[tokio::test]
async fn store_credit_is_granted_to_the_affiliates_customer_and_readable_by_customer() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"external_customer_id": "cus_ann"}),
        &["100.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();

    let (status, p1) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann_id}/payouts"),
            &p.key,
            json!({"amount": "20.00", "converted_to_store_credit": true}),
        )
        .await;

    assert_eq!(status, 201, "{p1}");
    assert_eq!(p1["method"], "store_credit");
    assert_eq!(p1["external_customer_id"], "cus_ann");
    let (_, credits) = app
        .api_json("/api/v1/store_credits?customer=cus_ann", &p.key)
        .await;
    assert_eq!(credits["data"][0]["id"], p1["id"]);
    assert_eq!(credits["data"][0]["amount"], "20.00");
    assert_eq!(credits["data"][0]["customer"], "cus_ann");
    let (_, nobody) = app
        .api_json("/api/v1/store_credits?customer=cus_bob", &p.key)
        .await;
    assert_eq!(nobody["data"].as_array().unwrap().len(), 0);
    assert_eq!(events(&app, "store_credit.granted").await, 1);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn an_adjustment_moves_the_balance_and_the_next_payout_settles_it() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "a@pay.example.com"}),
        &["100.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();

    let (status, adj) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann_id}/adjustments"),
            &p.key,
            json!({"amount": "-2.50", "reason": "Shipping fee"}),
        )
        .await;

    assert_eq!(status, 201, "{adj}");
    assert_eq!(adj["amount"], "-2.50");
    assert_eq!(adj["balance"]["available"], "17.50");
    let (_, created) = app
        .api_post(
            "/api/v1/payouts",
            &p.key,
            json!({"affiliate_ids": [ann_id]}),
        )
        .await;
    assert_eq!(created["data"][0]["amount"], "17.50");
    assert_eq!(created["data"][0]["commission_count"], 2);
    let audited = {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        tributary::entities::audit_entry::Entity::find()
            .filter(
                tributary::entities::audit_entry::Column::Action.eq("affiliate.balance_adjusted"),
            )
            .count(&app.db)
            .await
            .unwrap()
    };
    assert_eq!(audited, 1, "the adjustment is audited");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn concurrent_payouts_for_one_affiliate_pay_each_commission_at_most_once() {
    race_payout_creations(1).await;
}

/// The same race with the requests spread over two app instances on one
/// database (two servers behind a load balancer): the lock is the
/// database's, not a process's.
#[tokio::test]
async fn concurrent_payouts_over_two_instances_pay_each_commission_at_most_once() {
    race_payout_creations(2).await;
}

/// 200 rounds: a new adjustment makes 1.00 due, then 20 payout creations
/// for the affiliate race; exactly one wins each round.
async fn race_payout_creations(instances: usize) {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "a@pay.example.com"}),
        &["10.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    let mut apps = vec![&app];
    let second;
    if instances == 2 {
        second = app.another_instance().await;
        apps.push(&second);
    }
    let mut due_total = 200; // the sale's commission, in cents

    for round in 0..200 {
        let (status, _) = app
            .api_post(
                &format!("/api/v1/affiliates/{ann_id}/adjustments"),
                &p.key,
                json!({"amount": "1.00", "reason": format!("round {round}")}),
            )
            .await;
        assert_eq!(status, 201);
        due_total += 100;
        let answers = futures_util::future::join_all((0..20).map(|n| {
            let (app, ann_id, key) = (apps[n % apps.len()], ann_id.clone(), p.key.clone());
            async move {
                app.api_post("/api/v1/payouts", &key, json!({"affiliate_ids": [ann_id]}))
                    .await
                    .0
            }
        }))
        .await;
        assert_eq!(
            answers.iter().filter(|s| **s == 201).count(),
            1,
            "round {round}: {answers:?}"
        );
        assert!(
            answers.iter().all(|s| *s == 201 || *s == 422),
            "{answers:?}"
        );
    }

    let (_, b) = app
        .api_json(&format!("/api/v1/affiliates/{ann_id}/balance"), &p.key)
        .await;
    let paid_total: i64 = paid_sum(&app, &p.key).await;
    assert!(paid_total <= due_total, "{paid_total} > {due_total}");
    assert_eq!(paid_total, due_total, "every round paid what it made due");
    assert_eq!(b["available"], "0.00");
    // Invariant 3 (each commission in at most one live payout) and the rest.
    app.assert_books_balance().await;
}

#[tokio::test]
async fn of_twenty_concurrent_records_of_the_full_balance_exactly_one_succeeds() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({}),
        &["100.00", "50.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    let second = app.another_instance().await;

    let path = format!("/api/v1/affiliates/{ann_id}/payouts");
    let mut tasks = Vec::new();
    for n in 0..20 {
        let app = if n % 2 == 0 { &app } else { &second };
        let (path, key) = (path.clone(), p.key.clone());
        tasks.push(async move { app.api_post(&path, &key, json!({"amount": "30.00"})).await });
    }
    let answers = futures_util::future::join_all(tasks).await;

    let ok: Vec<_> = answers.iter().filter(|(s, _)| *s == 201).collect();
    assert_eq!(ok.len(), 1, "{answers:?}");
    for (s, body) in &answers {
        assert!(
            *s == 201 || (*s == 422 && has_field_error(body, "amount")),
            "{s} {body}"
        );
    }
    assert_eq!(balance(&app, &p.key, &ann_id).await["available"], "0.00");
    app.assert_books_balance().await;
}

/// Σ of non-voided payouts (cents), over every page.
async fn paid_sum(app: &TestApp, key: &str) -> i64 {
    let mut total = 0;
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/payouts?limit=100&starting_after={a}"),
            None => "/api/v1/payouts?limit=100".to_owned(),
        };
        let (_, page) = app.api_json(&path, key).await;
        for p in page["data"].as_array().unwrap() {
            if p["status"] != "voided" {
                let cents: f64 = p["amount"].as_str().unwrap().parse().unwrap();
                total += (cents * 100.0).round() as i64;
            }
        }
        match page["next_cursor"].as_str() {
            Some(c) => after = Some(c.to_owned()),
            None => return total,
        }
    }
}

#[tokio::test]
async fn a_refund_of_a_sale_whose_commission_a_pending_payout_holds_claws_it_back() {
    // Arrange: a due commission of 20.00, held by a pending payout.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = with_due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "ann@pay.example.com"}),
        &["100.00"],
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap();
    let (status, created) = app
        .api_post(
            "/api/v1/payouts",
            &p.key,
            json!({"affiliate_ids": [ann_id]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let payout = created["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, sales) = app.api_json("/api/v1/sales", &p.key).await;
    let sale = sales["data"][0]["id"].as_str().unwrap().to_owned();

    // Act: the sale is refunded in full while the payout is pending.
    let (status, refunded) = app
        .api_post(&format!("/api/v1/sales/{sale}/refunds"), &p.key, json!({}))
        .await;
    assert_eq!(status, 200, "{refunded}");

    // Assert: the payout still pays what it settles, and the money comes
    // back through a clawback the next payout carries.
    let (_, got) = app
        .api_json(&format!("/api/v1/payouts/{payout}"), &p.key)
        .await;
    assert_eq!(got["amount"], "20.00", "{got}");
    let (_, commissions) = app
        .api_json(
            &format!("/api/v1/commissions?affiliate_id={ann_id}&kind=clawback"),
            &p.key,
        )
        .await;
    let amounts: Vec<&Value> = commissions["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["amount"])
        .collect();
    assert!(amounts.contains(&&json!("-20.00")), "{commissions}");
    app.assert_books_balance().await;
}
