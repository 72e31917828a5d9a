//! Komerza's record-a-payout of an amount that ends inside a commission:
//! the commission is split into the part paid and a due remainder of the
//! same sale. The ledger, refunds of the family (paid part clawed back,
//! remainder reduced), voids, moving the sale, and `tributary check`
//! (one family = one commission; a real duplicate still found).

use crate::support::*;
use serde_json::{Value, json};

/// An approved affiliate `token` (with a payout email) and one due
/// commission per sale amount (20 % of each), sales on Jan 1, 2, 3…
/// Returns the affiliate id and the sale ids.
async fn with_due(app: &TestApp, key: &str, token: &str, sales: &[&str]) -> (String, Vec<String>) {
    let affiliate = app
        .new_affiliate(
            key,
            &format!("{token}@example.com"),
            json!({"status": "approved", "link_token": token,
                   "payout_email": format!("{token}@pay.example.com")}),
        )
        .await;
    let mut ids = Vec::new();
    for (n, amount) in sales.iter().enumerate() {
        let referral = app.referred(token).await;
        let (status, sale) = app
            .api_post(
                "/api/v1/sales",
                key,
                json!({"external_id": format!("pi_{token}_{n}"), "amount": amount,
                       "occurred_at": format!("2026-01-{:02}T12:00:00Z", n + 1), "import": true,
                       "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 201, "{sale}");
        ids.push(sale["id"].as_str().unwrap().to_owned());
    }
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    (affiliate["id"].as_str().unwrap().to_owned(), ids)
}

async fn record(app: &TestApp, key: &str, affiliate: &str, amount: &str) -> Value {
    let (status, p) = app
        .api_post(
            &format!("/api/v1/affiliates/{affiliate}/payouts"),
            key,
            json!({"amount": amount}),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    p
}

async fn available(app: &TestApp, key: &str, affiliate: &str) -> String {
    let (status, b) = app
        .api_json(&format!("/api/v1/affiliates/{affiliate}/balance"), key)
        .await;
    assert_eq!(status, 200, "{b}");
    b["available"].as_str().unwrap().to_owned()
}

async fn commission(app: &TestApp, key: &str, id: &str) -> Value {
    let (status, c) = app
        .api_json(&format!("/api/v1/commissions/{id}"), key)
        .await;
    assert_eq!(status, 200, "{c}");
    c
}

/// The sale's commissions (all kinds), oldest first.
async fn of_sale(app: &TestApp, key: &str, sale: &str) -> Vec<Value> {
    let (status, s) = app.api_json(&format!("/api/v1/sales/{sale}"), key).await;
    assert_eq!(status, 200, "{s}");
    let mut all = s["commissions"].as_array().unwrap().clone();
    all.sort_by_key(|c| c["id"].as_str().unwrap().to_owned());
    all
}

/// Σ `amount` of the sale's commissions: what its affiliates earn from it.
fn earned(commissions: &[Value]) -> String {
    let cents: i64 = commissions
        .iter()
        .map(|c| {
            let s = c["amount"].as_str().unwrap();
            let neg = s.starts_with('-');
            let v: i64 = s.trim_start_matches('-').replace('.', "").parse().unwrap();
            if neg { -v } else { v }
        })
        .sum();
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

async fn events(app: &TestApp, event: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    tributary::entities::event::Entity::find()
        .filter(tributary::entities::event::Column::EventType.eq(event))
        .count(&app.db)
        .await
        .unwrap()
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let (status, answer) = app.api_post(path, key, body).await;
    assert!(status == 200 || status == 201, "{path}: {status} {answer}");
    answer
}

#[tokio::test]
async fn an_amount_inside_a_commission_splits_it_and_the_ledger_stays_exact() {
    // Arrange: 20.00, 10.00 and 5.00 due, oldest first.
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, sales) = with_due(&app, &p.key, "ann", &["100.00", "50.00", "25.00"]).await;
    let second = of_sale(&app, &p.key, &sales[1]).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created_before = events(&app, "commission.created").await;

    // Act: 25.00 ends inside the second commission.
    let paid = record(&app, &p.key, &ann, "25.00").await;

    // Assert: 20.00 whole and 5.00 of the 10.00; 5.00 stays due.
    assert_eq!(paid["amount"], "25.00");
    assert_eq!(paid["commission_count"], 2);
    assert_eq!(paid["is_voided"], false, "Komerza's fields stay: {paid}");
    assert!(paid["initiated_by_ip"].is_string() && paid["void_date"].is_null());
    let split = &paid["split"];
    assert_eq!(split["commission_id"], second.as_str(), "{paid}");
    assert_eq!(split["settled"], "5.00");
    assert_eq!(split["remainder"], "5.00");
    let settled = commission(&app, &p.key, &second).await;
    assert_eq!(settled["amount"], "5.00");
    assert_eq!(settled["payout_id"], paid["id"]);
    assert!(settled["split_of"].is_null());
    let rest_id = split["remainder_commission_id"].as_str().unwrap();
    let rest = commission(&app, &p.key, rest_id).await;
    assert_eq!(
        (&rest["status"], &rest["amount"], &rest["split_of"]),
        (&json!("due"), &json!("5.00"), &json!(second))
    );
    for field in [
        "sale_id",
        "referral_id",
        "affiliate_id",
        "campaign_id",
        "kind",
        "due_at",
    ] {
        assert_eq!(rest[field], settled[field], "{field}");
    }
    assert!(rest["payout_id"].is_null());
    assert_eq!(available(&app, &p.key, &ann).await, "10.00");
    assert_eq!(events(&app, "commission.created").await, created_before + 1);
    app.assert_books_balance().await;

    // A part of the remainder: the new one still names the family's first.
    let again = record(&app, &p.key, &ann, "1.00").await;
    assert_eq!(again["split"]["commission_id"], rest_id);
    let last = commission(
        &app,
        &p.key,
        again["split"]["remainder_commission_id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        (&last["amount"], &last["split_of"]),
        (&json!("4.00"), &json!(second))
    );
    // An amount on a boundary splits nothing: 4.00 + 5.00.
    let whole = record(&app, &p.key, &ann, "9.00").await;
    assert!(whole["split"].is_null(), "{whole}");
    assert_eq!(available(&app, &p.key, &ann).await, "0.00");
    assert_eq!(earned(&of_sale(&app, &p.key, &sales[1]).await), "10.00");

    // The commission pages say where each part comes from.
    let page = app
        .browser
        .get_html(&format!("/admin/commissions/{rest_id}"))
        .await;
    let note =
        format!("id=\"commission-split-of\">split from <a href=\"/admin/commissions/{second}\">");
    assert!(page.contains(&note), "a note names the first part");
    let page = app
        .browser
        .get_html(&format!("/admin/commissions/{second}"))
        .await;
    assert!(
        element_text(&page, "commission-parts").is_some(),
        "the first lists its parts"
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_refund_after_a_split_claws_back_the_paid_part_and_reduces_the_due_remainder() {
    // Arrange: 10.00 earned (20 % of 50.00), 3.33 of it paid.
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, sales) = with_due(&app, &p.key, "ann", &["50.00"]).await;
    let paid = record(&app, &p.key, &ann, "3.33").await;
    assert_eq!(paid["split"]["remainder"], "6.67");
    let payout = paid["id"].as_str().unwrap();
    post(
        &app,
        &p.key,
        &format!("/api/v1/payouts/{payout}/mark_paid"),
        json!({}),
    )
    .await;
    let refund = format!("/api/v1/sales/{}/refunds", sales[0]);

    // Act: half the sale refunded.
    post(&app, &p.key, &refund, json!({"amount": "25.00"})).await;

    // Assert: the family keeps 5.00, as the whole would (each part rounded
    // on its own would keep 1.67 + 3.34 = 5.01): the paid part stays paid
    // with a clawback, the remainder is reduced, and the balance lost
    // exactly what the family did.
    let parts = of_sale(&app, &p.key, &sales[0]).await;
    assert_eq!(earned(&parts), "5.00", "{parts:?}");
    let by_kind = |kind: &str, status: &str| -> Vec<String> {
        parts
            .iter()
            .filter(|c| c["kind"] == kind && c["status"] == status)
            .map(|c| c["amount"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(by_kind("sale", "paid"), ["3.33"]);
    assert_eq!(by_kind("clawback", "due"), ["-1.67"]);
    assert_eq!(by_kind("sale", "due"), ["3.34"]);
    assert_eq!(
        available(&app, &p.key, &ann).await,
        "1.67",
        "6.67 − 3.33 − 1.67"
    );
    app.assert_books_balance().await;

    // Act: the rest refunded.
    post(&app, &p.key, &refund, json!({})).await;

    // Assert: nothing earned; the paid 3.33 clawed back in full.
    let parts = of_sale(&app, &p.key, &sales[0]).await;
    assert_eq!(earned(&parts), "0.00", "{parts:?}");
    let refunded: Vec<&Value> = parts.iter().filter(|c| c["status"] == "refunded").collect();
    assert_eq!(
        refunded.len(),
        1,
        "the remainder is refunded as a due one: {parts:?}"
    );
    assert_eq!(available(&app, &p.key, &ann).await, "-3.33");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn voiding_a_payout_after_a_split_leaves_two_due_parts_and_the_balance_whole() {
    // Arrange: 20.00 due, 12.00 of it recorded.
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, sales) = with_due(&app, &p.key, "ann", &["100.00"]).await;
    let paid = record(&app, &p.key, &ann, "12.00").await;
    let payout = paid["id"].as_str().unwrap();
    assert_eq!(available(&app, &p.key, &ann).await, "8.00");

    // Act
    post(
        &app,
        &p.key,
        &format!("/api/v1/payouts/{payout}/void"),
        json!({"void_reason": "bounced"}),
    )
    .await;

    // Assert: 12.00 and 8.00, both due; the balance is the whole 20.00.
    let parts = of_sale(&app, &p.key, &sales[0]).await;
    let amounts: Vec<(&Value, &Value)> =
        parts.iter().map(|c| (&c["amount"], &c["status"])).collect();
    assert_eq!(
        amounts,
        [
            (&json!("12.00"), &json!("due")),
            (&json!("8.00"), &json!("due"))
        ]
    );
    assert_eq!(available(&app, &p.key, &ann).await, "20.00");
    app.assert_books_balance().await;

    // A refund of half now reduces both due parts; the Due view pays the rest.
    let refund = format!("/api/v1/sales/{}/refunds", sales[0]);
    post(&app, &p.key, &refund, json!({"amount": "50.00"})).await;
    let parts = of_sale(&app, &p.key, &sales[0]).await;
    let amounts: Vec<&Value> = parts.iter().map(|c| &c["amount"]).collect();
    assert_eq!(amounts, [&json!("6.00"), &json!("4.00")]);
    let batch = post(
        &app,
        &p.key,
        "/api/v1/payouts",
        json!({"affiliate_ids": [ann]}),
    )
    .await;
    assert_eq!(batch["data"][0]["amount"], "10.00");
    assert_eq!(batch["data"][0]["commission_count"], 2);
    assert_eq!(available(&app, &p.key, &ann).await, "0.00");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_sale_with_a_paid_part_keeps_its_attribution_and_after_a_void_moves_whole() {
    // Arrange: ann's 20.00 split, 12.00 of it paid.
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, sales) = with_due(&app, &p.key, "ann", &["100.00"]).await;
    let bob = app
        .approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    let bob = bob["id"].as_str().unwrap();
    let paid = record(&app, &p.key, &ann, "12.00").await;
    let payout = paid["id"].as_str().unwrap();
    post(
        &app,
        &p.key,
        &format!("/api/v1/payouts/{payout}/mark_paid"),
        json!({}),
    )
    .await;
    let sale = &sales[0];
    let move_to = |who: String| {
        let app = &app;
        async move {
            app.browser
                .post_form(
                    &format!("/admin/sales/{sale}/attribution/move"),
                    &[("affiliate_id", who.as_str())],
                )
                .await
        }
    };

    // Act: moving it while a part is paid.
    let before = app.snapshot().await;
    move_to(bob.to_owned()).await;

    // Assert: refused, nothing changed.
    assert_eq!(
        app.snapshot().await.get("commissions"),
        before.get("commissions")
    );

    // Act: the payout voided, the sale moves to bob and back to ann.
    post(
        &app,
        &p.key,
        &format!("/api/v1/payouts/{payout}/void"),
        json!({"void_reason": "wrong affiliate"}),
    )
    .await;
    move_to(bob.to_owned()).await;

    // Assert: both of ann's parts voided, bob earns the whole once.
    let parts = of_sale(&app, &p.key, sale).await;
    let live: Vec<(&Value, &Value)> = parts
        .iter()
        .filter(|c| c["status"] != "voided")
        .map(|c| (&c["affiliate_id"], &c["amount"]))
        .collect();
    assert_eq!(live, [(&json!(bob), &json!("20.00"))], "{parts:?}");
    assert_eq!(available(&app, &p.key, &ann).await, "0.00");
    app.assert_books_balance().await;
    move_to(ann.clone()).await;
    let live = of_sale(&app, &p.key, sale)
        .await
        .into_iter()
        .filter(|c| c["status"] != "voided")
        .map(|c| c["affiliate_id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(live, [ann.clone()]);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn the_check_counts_a_split_family_once_and_still_finds_a_real_duplicate() {
    use sea_orm::{ConnectionTrait, Statement};
    use tributary::services::check::{self, Violation};
    let duplicates = |v: &[Violation]| {
        v.iter()
            .filter(|v| matches!(v, Violation::DuplicateCommission { .. }))
            .count()
    };
    // Arrange: a split family of two live parts.
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, sales) = with_due(&app, &p.key, "ann", &["100.00", "50.00"]).await;
    let paid = record(&app, &p.key, &ann, "5.00").await;
    let rest = paid["split"]["remainder_commission_id"].as_str().unwrap();
    assert_eq!(
        check::run(&app.db).await.unwrap(),
        vec![],
        "a split is no duplicate"
    );

    // The index refuses a second family for the sale…
    let unsplit = format!(
        "UPDATE commissions SET split_of = NULL WHERE id = {}",
        app.uuid_sql(rest)
    );
    let backend = app.db.get_database_backend();
    let refused = app
        .db
        .execute_raw(Statement::from_string(backend, unsplit.clone()))
        .await;
    assert!(refused.is_err(), "the unique index holds first parts");

    // …and where it is missing, the check finds it.
    app.sql("DROP INDEX ux_commissions_sale_affiliate_family")
        .await;
    app.sql(&unsplit).await;
    let found = check::run(&app.db).await.unwrap();
    assert_eq!(duplicates(&found), 1, "{found:?}");
    assert!(found.iter().any(|v| matches!(v,
        Violation::DuplicateCommission { sale_id, count: 2, .. } if sale_id.to_string() == sales[0])));

    // A part pointing at another sale's commission is no family either.
    let other = of_sale(&app, &p.key, &sales[1]).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.sql(&format!(
        "UPDATE commissions SET split_of = {} WHERE id = {}",
        app.uuid_sql(&other),
        app.uuid_sql(rest)
    ))
    .await;
    assert_eq!(duplicates(&check::run(&app.db).await.unwrap()), 1);
}

#[tokio::test]
async fn the_openapi_document_describes_the_split_answer_and_split_of() {
    let app = spawn_app().await;
    let doc: Value = app
        .browser
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    let answer = &doc["paths"]["/api/v1/affiliates/{id}/payouts"]["post"]["responses"]["201"];
    assert!(
        answer.to_string().contains("RecordedPayoutBody"),
        "{answer}"
    );
    let recorded = schemas["RecordedPayoutBody"].to_string();
    assert!(
        recorded.contains("#/components/schemas/PayoutBody"),
        "{recorded}"
    );
    assert!(
        recorded.contains("remainder_commission_id")
            || schemas["SplitBody"]["properties"]["remainder_commission_id"].is_object(),
        "{recorded}"
    );
    assert!(schemas["CommissionBody"]["properties"]["split_of"].is_object());
}

#[tokio::test]
async fn the_record_payout_form_pays_an_amount_inside_a_commission() {
    // Arrange: 20.00 due.
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, sales) = with_due(&app, &p.key, "ann", &["100.00"]).await;

    // Act: the affiliate page's "Record payout" with 12.34.
    let res = app
        .browser
        .post_form(
            &format!("/admin/affiliates/{ann}/payouts"),
            &[("amount", "12.34")],
        )
        .await;

    // Assert: paid, not refused; 7.66 stays due as its own commission.
    assert_eq!(res.status().as_u16(), 303);
    let money = app
        .browser
        .get_html(&format!("/admin/affiliates/{ann}/money"))
        .await;
    assert_eq!(
        element_text(&money, "money-in-payouts").as_deref(),
        Some("12.34")
    );
    assert_eq!(
        element_text(&money, "money-available").as_deref(),
        Some("7.66")
    );
    let parts = of_sale(&app, &p.key, &sales[0]).await;
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(parts[1]["split_of"], parts[0]["id"]);
    app.assert_books_balance().await;
}
