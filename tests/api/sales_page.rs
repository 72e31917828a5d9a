//! The Sales page: totals of the filtered set, search, CSV, a sale's page,
//! and the warning for a coupon code no coupon has.

use crate::support::*;
use serde_json::{Value, json};
use tributary::services::sales::{self, SaleFilter, SaleTotals};

/// Records a sale through the API; returns its body.
async fn sale(app: &TestApp, key: &str, body: Value) -> Value {
    let (status, json) = app.api_post("/api/v1/sales", key, body).await;
    assert_eq!(status, 201, "{json}");
    json
}

/// The markup from the element with this id to the first `end` after it.
fn block(html: &str, id: &str, end: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let stop = start + html[start..].find(end)?;
    Some(html[start..stop].to_owned())
}

fn day(d: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(format!("{d}T00:00:00Z").parse().unwrap())
}

#[tokio::test]
async fn totals_of_a_filtered_set_are_the_exact_sums_of_its_rows() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let r1 = app.referred("ann").await;
    let r2 = app.referred("ann").await;
    // Two sales inside January, one before it (outside the filter).
    let a = sale(&app, &p.key, json!({"external_id": "pay_1001", "amount": "100.10", "tax": "10.01", "occurred_at": "2026-01-05T10:00:00Z", "referral_id": r1})).await;
    let b = sale(&app, &p.key, json!({"external_id": "pay_1002", "amount": "49.99", "tax": "0.99", "occurred_at": "2026-01-31T23:59:00Z", "referral_id": r2})).await;
    sale(&app, &p.key, json!({"external_id": "pay_0999", "amount": "1000.00", "tax": "100.00", "occurred_at": "2025-12-31T23:59:00Z"})).await;
    let (status, refunded) = app
        .api_post(
            &format!("/api/v1/sales/{}/refunds", b["id"].as_str().unwrap()),
            &p.key,
            json!({"amount": "9.99"}),
        )
        .await;
    assert_eq!(status, 200, "{refunded}");
    let commission_minor = |s: &Value| -> i64 {
        let (status, c) = (
            200,
            s["commissions"][0]["amount"]
                .as_str()
                .unwrap()
                .replace('.', ""),
        );
        assert_eq!(status, 200);
        c.parse().unwrap()
    };
    let (_, b_now) = app
        .api_json(
            &format!("/api/v1/sales/{}", b["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    let expected_commission = commission_minor(&a) + commission_minor(&b_now);

    let filter = SaleFilter {
        from: day("2026-01-01"),
        to: day("2026-02-01"),
        ..Default::default()
    };
    let totals = sales::totals(&app.db, app.store_id("acme").await, &filter)
        .await
        .unwrap();
    let page = app
        .browser
        .get_html("/admin/sales?from=2026-01-01&to=2026-01-31")
        .await;

    assert_eq!(
        totals,
        SaleTotals {
            count: 2,
            gross: 10010 + 4999,
            tax: 1001 + 99,
            net: 9009 + 4900,
            refunded: 999,
            commission: expected_commission,
        }
    );
    assert_eq!(
        element_text(&page, "total-gross").as_deref(),
        Some("150.09 USD")
    );
    assert_eq!(
        element_text(&page, "total-tax").as_deref(),
        Some("11.00 USD")
    );
    assert_eq!(
        element_text(&page, "total-net").as_deref(),
        Some("139.09 USD")
    );
    assert_eq!(
        element_text(&page, "total-refunded").as_deref(),
        Some("9.99 USD")
    );
    assert!(page.contains("pay_1001") && page.contains("pay_1002"));
    assert!(!page.contains("pay_0999"), "outside the date range");
    assert!(
        page.contains("10.01 USD"),
        "the tax column, with its currency"
    );
}

#[tokio::test]
async fn search_finds_a_sale_by_payment_id_customer_id_or_email() {
    let app = spawn_app().await;
    let p = app.program().await;
    sale(
        &app,
        &p.key,
        json!({"external_id": "pay_a", "amount": "10.00", "external_customer_id": "cus_alpha"}),
    )
    .await;
    sale(
        &app,
        &p.key,
        json!({"external_id": "pay_b", "amount": "10.00", "customer_email": "Bea@Example.com"}),
    )
    .await;
    sale(
        &app,
        &p.key,
        json!({"external_id": "pay_c", "amount": "10.00"}),
    )
    .await;

    for (q, found) in [
        ("pay_c", "pay_c"),
        ("cus_alpha", "pay_a"),
        ("bea@example.com", "pay_b"),
        ("BEA@example.com", "pay_b"),
    ] {
        let page = app
            .browser
            .get_html(&format!("/admin/sales?q={}", urlencode(q)))
            .await;

        let shown: Vec<&str> = ["pay_a", "pay_b", "pay_c"]
            .into_iter()
            .filter(|id| page.contains(&format!("<code>{id}</code>")))
            .collect();
        assert_eq!(shown, vec![found], "searching {q}");
        assert_eq!(
            element_text(&page, "total-count").as_deref(),
            Some("1"),
            "totals follow the search"
        );
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn the_csv_has_a_header_and_one_row_per_sale_of_the_filter() {
    let app = spawn_app().await;
    let p = app.program().await;
    for (id, at) in [
        ("pay_1", "2026-03-01T12:00:00Z"),
        ("pay_2", "2026-03-02T12:00:00Z"),
        ("=pay_3", "2026-04-01T12:00:00Z"),
    ] {
        sale(
            &app,
            &p.key,
            json!({"external_id": id, "amount": "12.50", "tax": "2.50", "occurred_at": at}),
        )
        .await;
    }

    let res = app
        .browser
        .get("/admin/sales.csv?from=2026-03-01&to=2026-03-31")
        .await;

    assert_eq!(res.status().as_u16(), 200);
    let disposition = res
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert!(
        lines[0].starts_with("payment_id,occurred_at,amount,tax"),
        "{body}"
    );
    assert_eq!(lines.len(), 3, "a header and the two March sales: {body}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("pay_1,") && l.contains(",12.50,2.50,")),
        "{body}"
    );
    let all = app
        .browser
        .get("/admin/sales.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(all.lines().count(), 4);
    assert!(all.contains("\n'=pay_3,"), "a formula is defused: {all}");
}

#[tokio::test]
async fn a_sales_page_shows_its_referral_commissions_refunds_and_trail() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    let s = sale(
        &app,
        &p.key,
        json!({"external_id": "pay_1002", "amount": "200.00", "referral_id": referral}),
    )
    .await;
    let id = s["id"].as_str().unwrap();
    let (status, _) = app
        .api_post(
            &format!("/api/v1/sales/{id}/refunds"),
            &p.key,
            json!({"amount": "40.00", "reason": "damaged"}),
        )
        .await;
    assert_eq!(status, 200);

    let page = app.browser.get_html(&format!("/admin/sales/{id}")).await;

    assert!(
        page.contains(&format!("href=\"/admin/referrals/{referral}\"")),
        "its referral"
    );
    let commissions = block(&page, "sale-commissions", "</table>").expect("a commissions table");
    assert!(commissions.contains("Ann Smith"), "{commissions}");
    assert!(commissions.contains("USD"), "{commissions}");
    assert!(page.contains("data-status=\""), "each commission's status");
    let refunds = block(&page, "sale-refunds", "</table>").expect("a refunds table");
    assert!(
        refunds.contains("40.00 USD") && refunds.contains("damaged"),
        "{refunds}"
    );
    let trail = block(&page, "sale-trail", "</ul>").unwrap();
    assert!(
        trail.contains("sale.refunded") || trail.contains("Refund"),
        "{trail}"
    );
    let list = app.browser.get_html("/admin/sales").await;
    assert!(
        list.contains(&format!("href=\"/admin/sales/{id}\"")),
        "the list links to it"
    );
}

#[tokio::test]
async fn a_sale_with_an_unknown_coupon_is_stored_with_a_warning_the_api_and_pages_show() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.affiliate_with_coupon(&p.key, "ann@example.com", "ann", "ANN10")
        .await;

    let (status, unknown) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pay_typo", "amount": "30.00", "coupon_code": "ANN01"}),
        )
        .await;
    let (_, known) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pay_ok", "amount": "30.00", "coupon_code": "ann10"}),
        )
        .await;

    assert_eq!(status, 201, "the sale is stored: {unknown}");
    assert_eq!(
        unknown["warnings"],
        json!([{"field": "coupon_code", "message": "no coupon of this store has this code"}])
    );
    assert_eq!(known["warnings"], json!([]), "{known}");
    assert_eq!(known["attribution"], "coupon");
    let id = unknown["id"].as_str().unwrap();
    let (_, read) = app.api_json(&format!("/api/v1/sales/{id}"), &p.key).await;
    assert_eq!(read["warnings"][0]["field"], "coupon_code", "{read}");
    let (_, again) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pay_typo", "amount": "30.00", "coupon_code": "ANN01"}),
        )
        .await;
    assert_eq!(
        again["warnings"][0]["field"], "coupon_code",
        "a replay says it too: {again}"
    );
    let list = app.browser.get_html("/admin/sales").await;
    assert!(
        list.contains("coupon ANN01 not found"),
        "a badge on the row"
    );
    assert_eq!(
        list.matches("coupon-not-found").count(),
        1,
        "only on the unknown one"
    );
    let page = app.browser.get_html(&format!("/admin/sales/{id}")).await;
    assert!(
        block(&page, "coupon-not-found", "</p>")
            .unwrap()
            .contains("ANN01")
    );
}
