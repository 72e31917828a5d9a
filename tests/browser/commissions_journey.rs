//! Commissions: edit a row in place (htmx), then record a manual commission
//! with a bad amount and see the field's message.

use crate::driver::*;
use crate::support::*;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn an_owner_edits_a_commission_inline_and_sees_a_bad_manual_amount_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    let (status, sale) = app
        .api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_b", "amount": "100.00", "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral}))
        .await;
    assert_eq!(status, 201, "{sale}");
    let id = sale["commissions"][0]["id"].as_str().unwrap().to_owned();
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    let base = app.address.clone();
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    let (db_app, key) = (&app, p.key.clone());

    with_browser(|b| async move {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;

        click(&b, "aside a[href='/admin/commissions']").await;
        wait_for_text(&b, "main h1", "Commissions").await;
        wait_for_text(&b, "#total-due", "20.00").await;
        b.execute("window.__sameDocument = true;", vec![])
            .await
            .unwrap();

        // Edit in place: the row becomes a form, then the row again.
        click(&b, &format!("#commission-{id} button[data-action='edit']")).await;
        let amount = format!("#edit-{id} input[name='amount']");
        wait_for_text(&b, &format!("#commission-{id}"), "Save").await;
        let field = b.find(Locator::Css(&amount)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys("25.00").await.unwrap();
        fill(
            &b,
            &format!("#edit-{id} input[name='remarks']"),
            "bonus agreed",
        )
        .await;
        click(&b, &format!("#edit-{id} button[data-action='save']")).await;
        wait_for_text(
            &b,
            &format!("#commission-{id} td[data-field='remarks']"),
            "bonus agreed",
        )
        .await;
        let row = wait_for_text(
            &b,
            &format!("#commission-{id} td[data-field='amount']"),
            "25.00",
        )
        .await;
        assert!(row.contains("25.00"));
        let same = b
            .execute("return window.__sameDocument === true;", vec![])
            .await
            .unwrap();
        assert_eq!(same, json!(true), "edited without a page load");
        let (_, a) = db_app
            .api_json(&format!("/api/v1/affiliates/{ann_id}"), &key)
            .await;
        assert_eq!(a["balance"], "25.00", "the balance followed the edit");

        // A manual commission with a bad amount: the field says why.
        click(&b, "#new-commission").await;
        wait_for_text(&b, "main h1", "New manual commission").await;
        b.find(Locator::Css("#affiliate_id"))
            .await
            .unwrap()
            .select_by_value(&ann_id)
            .await
            .unwrap();
        fill(&b, "#sale_amount", "10.00").await;
        fill(&b, "#amount", "1.234").await;
        click(&b, "#save-commission").await;
        let message = wait_for_text(&b, "#amount-error", "decimals").await;
        assert!(
            message.contains("Commission amount may have at most 2 decimals"),
            "{message}"
        );
    })
    .await;
    app.assert_books_balance().await;
    assert_eq!(
        app.count("commissions").await,
        1,
        "the bad one was not written"
    );
}
