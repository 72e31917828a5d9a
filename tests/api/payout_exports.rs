//! Payout exports and the Payouts list's date filter, over HTTP: the Wise
//! batch file (columns, quoting, formulas defused, only pending external
//! payouts), the list's CSV equal to the filtered set, exports that span
//! several database batches, the created/paid date range on the page and in
//! `GET /api/v1/payouts`, and bad dates refused naming the field.

use crate::support::*;
use serde_json::{Value, json};
use tributary::domain::payout::{PayoutMethod, PayoutStatus};

/// An approved affiliate with one 20.00 due commission (a 100.00 sale).
async fn due(app: &TestApp, key: &str, email: &str, token: &str, extra: Value) -> String {
    let mut body = json!({"status": "approved", "link_token": token});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let a = app.new_affiliate(key, email, body).await;
    let referral = app.referred(token).await;
    let (status, sale) = app
        .api_post("/api/v1/sales", key, json!({"external_id": format!("pi_{token}"), "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral}))
        .await;
    assert_eq!(status, 201, "{sale}");
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    a["id"].as_str().unwrap().to_owned()
}

/// One payout for the affiliate; its id.
async fn payout(app: &TestApp, key: &str, affiliate: &str, method: &str) -> String {
    let (status, body) = app
        .api_post(
            "/api/v1/payouts",
            key,
            json!({"affiliate_ids": [affiliate], "method": method}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["data"][0]["id"].as_str().unwrap().to_owned()
}

async fn csv(app: &TestApp, path: &str) -> String {
    let res = app.browser.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    res.text().await.unwrap()
}

fn reference(payout_id: &str) -> String {
    format!("TRB-{}", &payout_id.replace('-', "")[20..])
}

#[tokio::test]
async fn the_wise_file_lists_pending_external_payouts_quoted_with_formulas_defused() {
    // Arrange: two external payouts (one to a name that is a formula) and a
    // store-credit one.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "ann@pay.example.com"}),
    )
    .await;
    let eve = due(&app, &p.key, "eve@example.com", "eve", json!({"first_name": "=HYPERLINK(\"http://x.example\")", "last_name": "Doe, Jr", "payout_email": "eve@pay.example.com"})).await;
    let cat = due(
        &app,
        &p.key,
        "cat@example.com",
        "cat",
        json!({"external_customer_id": "cus_cat", "payout_email": "cat@pay.example.com"}),
    )
    .await;
    let ann_payout = payout(&app, &p.key, &ann, "external").await;
    let eve_payout = payout(&app, &p.key, &eve, "external").await;
    let cat_payout = payout(&app, &p.key, &cat, "store_credit").await;

    // Act: none checked = every pending external payout.
    let res = app.browser.get("/admin/payouts/wise.csv").await;
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"wise-batch.csv\""
    );
    let all = res.text().await.unwrap();

    // Assert
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 3, "{all}");
    assert_eq!(
        lines[0],
        "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency"
    );
    assert!(
        lines.contains(
            &format!(
                "\"Ann Smith\",\"ann@pay.example.com\",\"{}\",PERSON,target,20.00,USD,USD",
                reference(&ann_payout)
            )
            .as_str()
        ),
        "{all}"
    );
    assert!(
        lines.contains(&format!(
            "\"'=HYPERLINK(\"\"http://x.example\"\") Doe, Jr\",\"eve@pay.example.com\",\"{}\",PERSON,target,20.00,USD,USD",
            reference(&eve_payout)
        )
        .as_str()),
        "the name is one quoted field and cannot run as a formula: {all}"
    );
    assert!(
        !all.contains(&reference(&cat_payout)) && !all.contains("cat@pay"),
        "store credit is never in a transfer file: {all}"
    );

    // Only the checked ones; store credit stays out even when checked.
    let checked = csv(
        &app,
        &format!("/admin/payouts/wise.csv?id={ann_payout}&id={cat_payout}"),
    )
    .await;
    assert_eq!(checked.lines().count(), 2, "{checked}");
    assert!(checked.contains(&reference(&ann_payout)), "{checked}");

    // A paid payout is no longer sent.
    let (status, _) = app
        .api_post(
            &format!("/api/v1/payouts/{ann_payout}/mark_paid"),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let after = csv(&app, "/admin/payouts/wise.csv").await;
    assert_eq!(after.lines().count(), 2, "{after}");
    assert!(after.contains(&reference(&eve_payout)), "{after}");
    app.assert_books_balance().await;
}

/// Three payouts: Ann's (external, pending, created 5 Jan), Bob's
/// (external, created 20 Jan, paid 15 Feb) and Cat's (store credit,
/// pending, created 10 Feb). Returns their ids.
async fn three_payouts(app: &TestApp, key: &str) -> (String, String, String) {
    let ann = due(
        app,
        key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "ann@pay.example.com"}),
    )
    .await;
    let bob = due(
        app,
        key,
        "bob@example.com",
        "bob",
        json!({"first_name": "Bob", "payout_email": "bob@pay.example.com"}),
    )
    .await;
    let cat = due(
        app,
        key,
        "cat@example.com",
        "cat",
        json!({"first_name": "Cat", "external_customer_id": "cus_cat"}),
    )
    .await;
    let ids = (
        payout(app, key, &ann, "external").await,
        payout(app, key, &bob, "external").await,
        payout(app, key, &cat, "store_credit").await,
    );
    let (status, body) = app
        .api_post(
            &format!("/api/v1/payouts/{}/mark_paid", ids.1),
            key,
            json!({"paid_at": "2026-02-15T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for (id, at) in [
        (&ids.0, "2026-01-05T10:00:00+00:00"),
        (&ids.1, "2026-01-20T10:00:00+00:00"),
        (&ids.2, "2026-02-10T10:00:00+00:00"),
    ] {
        app.sql(&format!(
            "UPDATE payouts SET created_at = '{at}' WHERE id = {}",
            app.uuid_sql(id)
        ))
        .await;
    }
    ids
}

fn ids_in(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_payouts_csv_and_page_are_the_filtered_set_with_its_totals() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, bob, cat) = three_payouts(&app, &p.key).await;

    // Created in January: Ann's and Bob's, newest first.
    let january = csv(
        &app,
        "/admin/payouts/export.csv?from=2026-01-01&until=2026-01-31",
    )
    .await;
    assert!(january.starts_with("id,created_at,affiliate_id,affiliate_name,affiliate_email,amount,currency,method,status,"), "{january}");
    assert_eq!(
        ids_in(&january),
        vec![bob.clone(), ann.clone()],
        "{january}"
    );
    let bob_line = january.lines().nth(1).unwrap();
    assert!(
        bob_line.contains(",\"Bob Smith\",\"bob@example.com\",20.00,USD,external,paid,1,")
            && bob_line.contains(",2026-02-15T10:00:00+00:00,"),
        "{bob_line}"
    );
    // Paid in February: Bob's alone; pending external: Ann's alone.
    let paid = csv(
        &app,
        "/admin/payouts/export.csv?date_field=paid_at&from=2026-02-01&until=2026-02-28",
    )
    .await;
    assert_eq!(ids_in(&paid), vec![bob.clone()], "{paid}");
    let pending = csv(
        &app,
        "/admin/payouts/export.csv?status=pending&method=external",
    )
    .await;
    assert_eq!(ids_in(&pending), vec![ann.clone()], "{pending}");
    let everything = csv(&app, "/admin/payouts/export.csv").await;
    assert_eq!(
        ids_in(&everything),
        vec![cat.clone(), bob.clone(), ann.clone()]
    );

    // The page: the same set, totals by status above the table, a CSV link
    // carrying the filters, labelled date inputs.
    let page = app
        .browser
        .get_html("/admin/payouts?from=2026-01-01&until=2026-01-31")
        .await;
    assert!(
        page.contains(&format!("payout-{ann}"))
            && page.contains(&format!("payout-{bob}"))
            && !page.contains(&format!("payout-{cat}")),
        "{page}"
    );
    assert_eq!(
        element_text(&page, "total-pending").as_deref(),
        Some("20.00 USD")
    );
    assert_eq!(
        element_text(&page, "total-paid").as_deref(),
        Some("20.00 USD")
    );
    assert_eq!(
        element_text(&page, "total-voided").as_deref(),
        Some("0.00 USD")
    );
    assert!(
        page.contains("<label>From <input type=\"date\" name=\"from\""),
        "{page}"
    );
    assert!(
        page.contains("<label>Until <input type=\"date\" name=\"until\""),
        "{page}"
    );
    assert!(
        page.contains("href=\"/admin/payouts/export.csv?from=2026-01-01&#38;until=2026-01-31\""),
        "{page}"
    );
    // A status tab keeps the dates; the totals still show every status.
    let tab = app
        .browser
        .get_html("/admin/payouts?status=paid&from=2026-01-01&until=2026-01-31")
        .await;
    assert!(tab.contains(&format!("payout-{bob}")) && !tab.contains(&format!("payout-{ann}")));
    assert_eq!(
        element_text(&tab, "total-pending").as_deref(),
        Some("20.00 USD")
    );
    assert!(
        tab.contains("href=\"/admin/payouts?status=pending&from=2026-01-01&#38;until=2026-01-31\""),
        "{tab}"
    );
    // Paid in February on the page.
    let by_paid = app
        .browser
        .get_html("/admin/payouts?date_field=paid_at&from=2026-02-01&until=2026-02-28")
        .await;
    assert!(
        by_paid.contains(&format!("payout-{bob}")) && !by_paid.contains(&format!("payout-{ann}"))
    );
    assert_eq!(
        element_text(&by_paid, "total-pending").as_deref(),
        Some("0.00 USD")
    );
}

#[tokio::test]
async fn the_payouts_api_filters_by_created_or_paid_date_and_pages_the_set() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, bob, _cat) = three_payouts(&app, &p.key).await;
    let ids = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (status, first) = app
        .api_json(
            "/api/v1/payouts?from=2026-01-01&until=2026-01-31&limit=1",
            &p.key,
        )
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(ids(&first), vec![bob.clone()]);
    assert_eq!(first["has_more"], true);
    let (_, second) = app
        .api_json(
            &format!(
                "/api/v1/payouts?from=2026-01-01&until=2026-01-31&limit=1&starting_after={bob}"
            ),
            &p.key,
        )
        .await;
    assert_eq!(ids(&second), vec![ann.clone()]);
    assert_eq!(second["has_more"], false);
    let (_, paid) = app
        .api_json(
            "/api/v1/payouts?date_field=paid_at&from=2026-02-15T00:00:00Z",
            &p.key,
        )
        .await;
    assert_eq!(ids(&paid), vec![bob.clone()]);
    let (_, before) = app
        .api_json("/api/v1/payouts?until=2026-01-05T10:00:00Z", &p.key)
        .await;
    assert!(
        ids(&before).is_empty(),
        "until a time excludes it: {before}"
    );
}

#[tokio::test]
async fn bad_dates_are_refused_naming_the_field_and_nothing_is_listed() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(
        &app,
        &p.key,
        "ann@example.com",
        "ann",
        json!({"payout_email": "ann@pay.example.com"}),
    )
    .await;
    let ann_payout = payout(&app, &p.key, &ann, "external").await;

    for (query, field) in [
        ("from=yesterday", "from"),
        ("until=2026-13-01", "until"),
        ("from=2026-02-01&until=2026-01-31", "until"),
        ("date_field=due_at", "date_field"),
        ("from=1999-12-31", "from"),
    ] {
        let (status, body) = app
            .api_json(&format!("/api/v1/payouts?{query}"), &p.key)
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(has_field_error(&body, field), "{query}: {body}");

        let res = app
            .browser
            .get(&format!("/admin/payouts/export.csv?{query}"))
            .await;
        assert_eq!(res.status().as_u16(), 422, "{query}");
        let text = res.text().await.unwrap();
        assert!(
            text.contains(field) && !text.contains(&ann_payout),
            "{query}: {text}"
        );

        let page = app
            .browser
            .get_html(&format!("/admin/payouts?{query}"))
            .await;
        let errors = element_text(&page, "filter-errors").unwrap_or_default();
        assert!(page.contains("id=\"filter-errors\""), "{query}: {page}");
        assert!(
            page.contains(&format!("<strong>{field}</strong>")),
            "{query}: {errors}"
        );
        assert!(!page.contains(&format!("payout-{ann_payout}")), "{query}");
    }
}

/// `n` pending external payouts of 0.00 for the affiliate, by SQL (0.00:
/// the books still balance), created a second apart from `day`.
async fn bulk_payouts(app: &TestApp, affiliate: &str, n: usize, day: &str) -> Vec<String> {
    let store = app.store_id("acme").await;
    let mut ids = Vec::with_capacity(n);
    for part in (0..n).collect::<Vec<_>>().chunks(300) {
        let values: Vec<String> = part
            .iter()
            .map(|i| {
                let id = uuid::Uuid::now_v7().to_string();
                let at = format!("{day}T10:{:02}:{:02}+00:00", i / 60 % 60, i % 60);
                let row = format!(
                    "({}, {}, {}, 0, 'USD', '{}', '{}', 'test', 0, '{at}', '{at}')",
                    app.uuid_sql(&id),
                    app.uuid_sql(&store.0.to_string()),
                    app.uuid_sql(affiliate),
                    PayoutMethod::External.as_str(),
                    PayoutStatus::Pending.as_str(),
                );
                ids.push(id);
                row
            })
            .collect();
        app.sql(&format!(
            "INSERT INTO payouts (id, store_id, affiliate_id, amount_minor, currency, method, status, initiated_by, commission_count, created_at, updated_at) VALUES {}",
            values.join(", ")
        ))
        .await;
    }
    ids
}

#[tokio::test]
async fn exports_larger_than_a_batch_stream_every_row_once() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"status": "approved", "payout_email": "ann@pay.example.com"}),
        )
        .await;
    let ann = ann["id"].as_str().unwrap();
    let mut made = bulk_payouts(&app, ann, 1205, "2026-01-10").await;
    made.extend(bulk_payouts(&app, ann, 40, "2026-03-10").await);

    let all = csv(&app, "/admin/payouts/export.csv").await;
    let mut listed = ids_in(&all);
    assert_eq!(listed.len(), 1245);
    listed.sort();
    listed.dedup();
    made.sort();
    assert_eq!(listed, made, "every payout once, across batches");
    let january = csv(&app, "/admin/payouts/export.csv?until=2026-01-31").await;
    assert_eq!(ids_in(&january).len(), 1205);
    let wise = csv(&app, "/admin/payouts/wise.csv").await;
    assert_eq!(wise.lines().count(), 1246, "a header and every payout");
    let paypal = csv(&app, "/admin/payouts/paypal.csv").await;
    assert_eq!(paypal.lines().count(), 1245, "PayPal's file has no header");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn the_commissions_csv_streams_a_filtered_set_larger_than_a_chunk() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(&p.key, "ann@example.com", json!({"status": "approved"}))
        .await;
    let ann = ann["id"].as_str().unwrap();
    let store = app.store_id("acme").await;
    // Voided commissions: in no balance, so the books stay balanced.
    let voided = tributary::domain::states::CommissionStatus::Voided.as_str();
    for (day, n) in [("2026-01-10", 1103), ("2026-03-10", 30)] {
        let values: Vec<String> = (0..n)
            .map(|i| {
                let at = format!("{day}T10:{:02}:{:02}+00:00", i / 60 % 60, i % 60);
                format!(
                    "({}, {}, {}, 'manual', 1000, 100, 100, 'USD', '{voided}', '{at}', 'test', '{at}', '{at}')",
                    app.uuid_sql(&uuid::Uuid::now_v7().to_string()),
                    app.uuid_sql(&store.0.to_string()),
                    app.uuid_sql(ann),
                )
            })
            .collect();
        for part in values.chunks(300) {
            app.sql(&format!(
                "INSERT INTO commissions (id, store_id, affiliate_id, kind, sale_amount_minor, amount_minor, original_amount_minor, currency, status, due_at, created_by, created_at, updated_at) VALUES {}",
                part.join(", ")
            ))
            .await;
        }
    }

    let january = csv(
        &app,
        &format!("/admin/commissions/export.csv?status={voided}&from=2026-01-01&until=2026-01-31"),
    )
    .await;
    let mut ids = ids_in(&january);
    assert_eq!(
        ids.len(),
        1103,
        "every row of the filtered set, over three chunks"
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1103, "each once");
    let all = csv(&app, "/admin/commissions/export.csv").await;
    assert_eq!(ids_in(&all).len(), 1133);
    app.assert_books_balance().await;
}
