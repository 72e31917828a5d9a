use super::*;

#[tokio::test]
async fn a_manual_commission_enters_the_balance_when_due_and_takes_the_affiliates_campaign() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();
    let referral = app.referred("ann").await;
    app.api_post(
        "/api/v1/leads",
        &p.key,
        json!({"referral_id": referral, "email": "buyer@example.com"}),
    )
    .await;

    let (status, due) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": ann_id, "customer_email": "Buyer@Example.com", "sale_amount": "80.00", "amount": "12.50", "admin_earned_amount": "67.50", "status": "due", "remarks": "phone order", "external_payment_id": "ch_manual_1", "date": "2026-02-01"}),
        )
        .await;

    assert_eq!(status, 201, "{due}");
    assert_eq!(due["kind"], "manual");
    assert_eq!(due["status"], "due");
    assert_eq!(due["amount"], "12.50");
    assert_eq!(due["admin_earned_amount"], "67.50");
    assert_eq!(
        due["campaign_id"],
        p.campaign_id.as_str(),
        "the affiliate's campaign by default"
    );
    assert_eq!(
        due["referral_id"],
        referral.as_str(),
        "found by the customer's email"
    );
    assert_eq!(due["external_payment_id"], "ch_manual_1");
    assert_eq!(due["created_at"], "2026-02-01T00:00:00Z");
    assert_eq!(balance(&app, &p.key, ann_id).await, "12.50");
    app.assert_books_balance().await;

    // ReferralStack's field names; pending by default, outside the balance.
    let (status, pending) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliateId": ann_id, "campaignId": p.campaign_id, "revenue_amount": 40, "commission_amount": 4, "commissionDate": "2026-01-15T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{pending}");
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        pending["due_at"], "2026-02-14T00:00:00Z",
        "the campaign's 30 hold days from its date"
    );
    assert_eq!(balance(&app, &p.key, ann_id).await, "12.50");

    // A manual clawback: negative, with its reason.
    let (status, clawback) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": ann_id, "sale_amount": "80.00", "amount": "-12.50", "status": "due", "remarks": "chargeback on the phone order"}),
        )
        .await;
    assert_eq!(status, 201, "{clawback}");
    assert_eq!(clawback["amount"], "-12.50");
    assert_eq!(balance(&app, &p.key, ann_id).await, "0.00");
    app.assert_books_balance().await;
    assert_eq!(events_of(&app, "commission.created").await, 3);
}

#[tokio::test]
async fn bad_manual_commissions_are_refused_naming_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    app.other_store("other", "boss@other.example").await;
    let other_key = app.api_key("other").await;
    app.api_post(
        "/api/v1/campaigns",
        &other_key,
        json!({"name": "Theirs", "website_url": "https://other.example"}),
    )
    .await;
    let theirs = app
        .new_affiliate(&other_key, "zed@other.example", json!({}))
        .await;
    let good = json!({"affiliate_id": ann_id, "sale_amount": "10.00", "amount": "2.00"});
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("amount", json!("0")), "amount"),
        (with("amount", json!(0)), "amount"),
        (with("amount", json!("1.234")), "amount"),
        (with("amount", json!("1_000")), "amount"),
        (with("amount", json!("1000000000000.01")), "amount"),
        (with("amount", json!("-2.00")), "remarks"),
        (with("sale_amount", json!("0")), "sale_amount"),
        (with("sale_amount", json!("-10")), "sale_amount"),
        (
            with("admin_earned_amount", json!("-1")),
            "admin_earned_amount",
        ),
        (
            with("affiliate_id", json!(uuid::Uuid::now_v7().to_string())),
            "affiliate_id",
        ),
        (with("affiliate_id", theirs["id"].clone()), "affiliate_id"),
        (with("affiliate_id", json!("not-an-id")), "affiliate_id"),
        (
            with("campaign_id", json!(uuid::Uuid::now_v7().to_string())),
            "campaign_id",
        ),
        (
            with("referral_id", json!(uuid::Uuid::now_v7().to_string())),
            "referral_id",
        ),
        (
            with("customer_email", json!("nobody@example.com")),
            "customer_email",
        ),
        (
            json!({"affiliate_id": ann_id, "sale_amount": "10.00", "amount": "-2.00",
                   "remarks": "a clawback", "status": "paid"}),
            "status",
        ),
        (with("status", json!("voided")), "status"),
        (with("date", json!("0000-01-01T00:00:00Z")), "date"),
        (with("date", json!("2999-01-01")), "date"),
        (
            json!({"sale_amount": "10.00", "amount": "2.00"}),
            "affiliate_id",
        ),
        (with("stripe_payment_id", json!("")), "body"),
    ];
    let before = app.snapshot().await;

    for (body, field) in cases {
        let (status, answer) = app
            .api_post("/api/v1/commissions", &p.key, body.clone())
            .await;
        if field == "body" {
            // An empty payment id is no payment id: accepted, so left out here.
            continue;
        }
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(
            has_field_error(&answer, field),
            "{body} names {field}: {answer}"
        );
    }

    let mut after = app.snapshot().await;
    let mut before = before;
    for table in [
        "commissions",
        "stats_days",
        "stats_store_days",
        "commission_status_days",
        "events",
        "audit_entries",
        "emails",
    ] {
        // The one accepted body (an empty payment id) wrote a commission
        // (its dashboards' rollups and totals by status, and its "you
        // earned" mail).
        after.remove(table);
        before.remove(table);
    }
    assert_eq!(after, before, "nothing else written");
    assert_eq!(app.count("commissions").await, 1, "only the accepted one");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_duplicate_external_payment_id_is_a_422_naming_it_even_when_raced() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let body = json!({"affiliate_id": ann["id"], "sale_amount": "10.00", "amount": "2.00", "status": "due", "external_payment_id": "ch_dup"});

    let answers = futures_util::future::join_all(
        (0..8).map(|_| app.api_post("/api/v1/commissions", &p.key, body.clone())),
    )
    .await;

    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, answer) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422, "{answer}");
        assert!(has_field_error(answer, "external_payment_id"), "{answer}");
    }
    assert_eq!(app.count("commissions").await, 1);
    assert_eq!(
        balance(&app, &p.key, ann["id"].as_str().unwrap()).await,
        "2.00"
    );
    app.assert_books_balance().await;
}
