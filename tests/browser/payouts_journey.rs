//! Payouts: from the Due view create payouts, export the PayPal CSV of
//! them, mark one paid and void another with a reason, each in place
//! (htmx), with the affiliate's balance following. (Editing a commission
//! inline and a manual commission's bad amount are the commissions
//! journey's, `commissions_journey.rs`.)

use crate::driver::*;
use crate::support::*;
use fantoccini::Client;
use serde_json::json;

/// An approved affiliate with a payout email and one due commission of 20 %
/// of `amount`.
async fn due_affiliate(app: &TestApp, key: &str, token: &str, amount: &str) -> String {
    let a = app
        .new_affiliate(
            key,
            &format!("{token}@example.com"),
            json!({"status": "approved", "link_token": token, "first_name": token,
                   "payout_email": format!("{token}@pay.example.com")}),
        )
        .await;
    let referral = app.referred(token).await;
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            key,
            json!({"external_id": format!("pi_{token}"), "amount": amount,
                   "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    a["id"].as_str().unwrap().to_owned()
}

async fn same_document(b: &Client) -> bool {
    b.execute("return window.__sameDocument === true;", vec![])
        .await
        .unwrap()
        == json!(true)
}

#[tokio::test]
async fn an_owner_pays_the_due_affiliates_exports_paypal_marks_one_paid_and_voids_another() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due_affiliate(&app, &p.key, "ann", "100.00").await;
    let bob = due_affiliate(&app, &p.key, "bob", "50.00").await;
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    let base = app.address.clone();
    let (db_app, key) = (&app, p.key.clone());

    with_browser(|b| async move {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;

        // The Due view: both, 20.00 + 10.00; pay everyone due.
        b.goto(&format!("{base}/admin/payouts/due")).await.unwrap();
        wait_for_text(&b, &format!("#due-{ann}"), "20.00").await;
        wait_for_text(&b, &format!("#due-{bob}"), "10.00").await;
        wait_for_text(&b, "#due-total", "30.00").await;
        click(&b, "#create-all").await;
        wait_for_text(&b, "main", "2 payouts created, 30.00 in all.").await;
        assert_eq!(path_of(&b).await, "/admin/payouts?status=pending");

        // The PayPal CSV of the checked payouts, fetched with the page's
        // own cookies from the form's URL.
        b.execute(
            "document.querySelectorAll('#paypal-form input[name=id]').forEach(c => c.checked = true);",
            vec![],
        )
        .await
        .unwrap();
        let csv = b
            .execute(
                "const f = document.getElementById('paypal-form');
                 const url = f.action + '?' + new URLSearchParams(new FormData(f));
                 return fetch(url).then(r => r.text().then(t => [r.status, r.headers.get('content-type'), t]));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(csv[0], 200, "{csv}");
        assert!(csv[1].as_str().unwrap().starts_with("text/csv"), "{csv}");
        let text = csv[2].as_str().unwrap();
        assert!(text.contains("\"ann@pay.example.com\",20.00,USD"), "{text}");
        assert!(text.contains("\"bob@pay.example.com\",10.00,USD"), "{text}");
        assert_eq!(text.lines().count(), 2, "{text}");

        // Ann's payout: mark it paid in place.
        click(&b, &format!("#payouts tr:has(a[href='/admin/affiliates/{ann}']) td.num a")).await;
        wait_for_text(&b, "#payout-status-badge", "pending").await;
        wait_for_text(&b, "#affiliate-available", "0.00").await;
        wait_for_text(&b, "#affiliate-paid", "0.00").await;
        b.execute("window.__sameDocument = true;", vec![]).await.unwrap();
        fill(&b, "#payout-status input[name='reference']", "PAYPAL-TX-1").await;
        click(&b, "#mark-paid").await;
        wait_for_text(&b, "#payout-status-badge", "paid").await;
        wait_for_text(&b, "#payout-status", "PAYPAL-TX-1").await;
        wait_for_text(&b, "#affiliate-paid", "20.00").await;
        assert!(same_document(&b).await, "marked paid without a page load");

        // Bob's payout: void it with a reason; his money is due again.
        b.goto(&format!("{base}/admin/payouts?status=pending")).await.unwrap();
        click(&b, &format!("#payouts tr:has(a[href='/admin/affiliates/{bob}']) td.num a")).await;
        wait_for_text(&b, "#payout-status-badge", "pending").await;
        b.execute("window.__sameDocument = true;", vec![]).await.unwrap();
        fill(&b, "#payout-status input[name='void_reason']", "Transfer bounced").await;
        click(&b, "#void").await;
        wait_for_text(&b, "#payout-status-badge", "voided").await;
        wait_for_text(&b, "#void-reason", "Transfer bounced").await;
        wait_for_text(&b, "#affiliate-available", "10.00").await;
        assert!(same_document(&b).await, "voided without a page load");

        // The Due view shows Bob again, and only him.
        b.goto(&format!("{base}/admin/payouts/due")).await.unwrap();
        wait_for_text(&b, "#due-total", "10.00").await;
        wait_for_text(&b, &format!("#due-{bob}"), "10.00").await;

        let (_, a) = db_app
            .api_json(&format!("/api/v1/affiliates/{ann}/balance"), &key)
            .await;
        assert_eq!((a["available"].as_str(), a["paid"].as_str()), (Some("0.00"), Some("20.00")));
        db_app.assert_books_balance().await;
    })
    .await;
}
