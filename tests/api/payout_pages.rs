//! The Payouts pages over HTTP: the Due view creates payouts from the
//! checked rows, a payout's page marks it paid and voids it (htmx partials
//! in place), the affiliate's money box records and adjusts, and the PayPal
//! file lists the checked pending payouts.

use crate::support::*;
use serde_json::json;

async fn due_affiliate(app: &TestApp, key: &str, email: &str, token: &str) -> String {
    let a = app
        .new_affiliate(key, email, json!({"status": "approved", "link_token": token, "payout_email": format!("pay-{email}")}))
        .await;
    let referral = app.referred(token).await;
    let (status, _) = app
        .api_post("/api/v1/sales", key, json!({"external_id": format!("pi_{token}"), "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral}))
        .await;
    assert_eq!(status, 201);
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    a["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_due_view_creates_payouts_that_are_marked_paid_and_voided_in_place() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due_affiliate(&app, &p.key, "ann@example.com", "ann").await;
    let bob = due_affiliate(&app, &p.key, "bob@example.com", "bob").await;

    let due = app.browser.get_html("/admin/payouts/due").await;
    assert!(
        due.contains(&format!("due-{ann}")) && due.contains(&format!("due-{bob}")),
        "{due}"
    );
    assert_eq!(element_text(&due, "due-total").as_deref(), Some("40.00"));
    let res = app
        .browser
        .post_form(
            "/admin/payouts",
            &[("affiliate_id", &ann), ("affiliate_id", &bob)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, list) = app.api_json("/api/v1/payouts?status=pending", &p.key).await;
    let ids: Vec<String> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        app.browser
            .get_html("/admin/payouts/due")
            .await
            .contains("nobody-due")
    );

    let csv = app
        .browser
        .get(&format!("/admin/payouts/paypal.csv?id={}", ids[0]))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1, "{csv}");
    assert!(
        csv.contains(&ids[0]) && csv.contains(",20.00,USD,"),
        "{csv}"
    );

    let paid = app
        .browser
        .client
        .post(
            app.browser
                .url(&format!("/admin/payouts/{}/mark_paid", ids[0])),
        )
        .header("HX-Request", "true")
        .form(&[
            ("reference", "TX-9"),
            ("csrf_token", &app.browser.csrf().await),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status().as_u16(), 200);
    let partial = paid.text().await.unwrap();
    assert!(
        partial.starts_with("<article id=\"payout-status\""),
        "a partial: {partial}"
    );
    assert_eq!(
        element_text(&partial, "payout-status-badge").as_deref(),
        Some("paid")
    );
    let void = app
        .browser
        .post_form(
            &format!("/admin/payouts/{}/void", ids[1]),
            &[("void_reason", "Wrong account")],
        )
        .await;
    assert_eq!(void.status().as_u16(), 303);
    let page = app
        .browser
        .get_html(&format!("/admin/payouts/{}", ids[1]))
        .await;
    assert_eq!(
        element_text(&page, "void-reason").as_deref(),
        Some("Wrong account")
    );
    assert!(page.contains(OWNER_EMAIL), "who initiated and voided it");
    let list = app.browser.get_html("/admin/payouts?status=voided").await;
    assert!(list.contains(&format!("payout-{}", ids[1])));
    app.assert_books_balance().await;
}

#[tokio::test]
async fn the_affiliates_money_box_splits_the_balance_and_records_and_adjusts_in_place() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due_affiliate(&app, &p.key, "ann@example.com", "ann").await;

    let show = app
        .browser
        .get_html(&format!("/admin/affiliates/{ann}"))
        .await;
    assert!(show.contains(&format!("/admin/affiliates/{ann}/money")));
    let money = app
        .browser
        .get_html(&format!("/admin/affiliates/{ann}/money"))
        .await;
    assert_eq!(
        element_text(&money, "money-available").as_deref(),
        Some("20.00")
    );
    let adjusted = app
        .browser
        .client
        .post(
            app.browser
                .url(&format!("/admin/affiliates/{ann}/adjustments")),
        )
        .header("HX-Request", "true")
        .form(&[
            ("amount", "5.00"),
            ("reason", "Bonus"),
            ("csrf_token", &app.browser.csrf().await),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        element_text(&adjusted, "money-available").as_deref(),
        Some("25.00")
    );
    let res = app
        .browser
        .post_form(
            &format!("/admin/affiliates/{ann}/payouts"),
            &[("amount", "25.00")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let money = app
        .browser
        .get_html(&format!("/admin/affiliates/{ann}/money"))
        .await;
    assert_eq!(
        element_text(&money, "money-available").as_deref(),
        Some("0.00")
    );
    assert_eq!(
        element_text(&money, "money-in-payouts").as_deref(),
        Some("25.00")
    );
    app.assert_books_balance().await;
}
