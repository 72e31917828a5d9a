//! The portal's main journey (#11), in two parts. An affiliate's way in: a
//! visitor joins a campaign that needs approval and waits; staff approve in
//! the admin; the affiliate logs in by password and sees their link, and
//! the page fits a phone (390×844) without sideways scrolling. Then: log
//! out, in again by a magic link read from the admin's Emails page, copy
//! the link, build a deep link to a page and copy that; a click and a sale
//! show on the dashboard and its chart; staff
//! pay a due commission, and the portal shows it paid with the balance down.

use crate::driver::*;
use crate::support::*;

#[tokio::test]
async fn a_visitor_joins_waits_is_approved_and_logs_in_to_their_link() {
    let app = spawn_app().await;
    let p = app.portal_program(true).await;
    let base = app.address.clone();
    let key = p.key.clone();
    let app = &app;
    with_browser(|b| async move {
        // The visitor joins and is told to wait.
        b.goto(&format!("{base}/a/acme/join")).await.unwrap();
        wait_for_text(&b, "main h1", "Join Acme Shop").await;
        fill(&b, "#first_name", "Pat").await;
        fill(&b, "#last_name", "Jones").await;
        fill(&b, "#email", "pat@example.com").await;
        fill(&b, "#password", AFFILIATE_PASSWORD).await;
        click(&b, "#join-submit").await;
        wait_for_text(&b, "#portal-status", "Waiting for approval").await;
        click(&b, "form[action='/a/acme/logout'] button").await;
        wait_for_text(&b, "article", "You have been logged out.").await;

        // Staff approve the application in the admin.
        let (_, list) = app
            .api_json("/api/v1/affiliates?email=pat@example.com", &key)
            .await;
        let id = list["data"][0]["id"].as_str().unwrap().to_owned();
        b.goto(&format!("{base}/admin/affiliates/{id}"))
            .await
            .unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "#affiliate-status", "pending").await;
        click(&b, "button[data-action='approve']").await;
        wait_for_text(&b, "#affiliate-status", "approved").await;
        click(&b, "form[action='/logout'] button").await;
        wait_for_text(&b, "article", "You have been signed out.").await;

        // The affiliate logs in by password and sees their link.
        b.goto(&format!("{base}/a/acme/login")).await.unwrap();
        fill(&b, "#email", "pat@example.com").await;
        fill(&b, "#password", AFFILIATE_PASSWORD).await;
        click(&b, "#login-submit").await;
        wait_for_text(&b, "#links", "/r/pat").await;
        assert_eq!(path_of(&b).await, "/a/acme/");

        // At phone width nothing scrolls sideways.
        assert_fits_a_phone(&b).await;
    })
    .await;
}

/// At 390×844 (the viewport, whatever the window's chrome) the page
/// reloaded has no horizontal scroll.
async fn assert_fits_a_phone(b: &fantoccini::Client) {
    b.set_window_size(390, 844).await.unwrap();
    let inner = b
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
    if (w, h) != (390, 844) {
        b.set_window_size((780 - w) as u32, (1688 - h) as u32)
            .await
            .unwrap();
    }
    b.refresh().await.unwrap();
    wait_for_text(b, "#links", "/r/pat").await;
    let m = b
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, width) = (m[0].as_i64().unwrap(), m[1].as_i64().unwrap());
    assert_eq!(width, 390);
    assert!(scroll <= width, "scrollWidth {scroll} > innerWidth {width}");
}

/// The text of `css` even when hidden (the chart tables sit in <details>).
async fn text_of(b: &fantoccini::Client, css: &str) -> String {
    b.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap()
    .to_owned()
}

async fn staff_sign_in(b: &fantoccini::Client, base: &str) {
    b.goto(&format!("{base}/login")).await.unwrap();
    fill(b, "#email", OWNER_EMAIL).await;
    fill(b, "#password", OWNER_PASSWORD).await;
    click(b, "form[action='/login'] button[type=submit]").await;
    wait_for_text(b, "main h1", "Acme Shop").await;
}

async fn affiliate_sign_in(b: &fantoccini::Client, base: &str) {
    b.goto(&format!("{base}/a/acme/login")).await.unwrap();
    fill(b, "#email", "pat@example.com").await;
    fill(b, "#password", AFFILIATE_PASSWORD).await;
    click(b, "#login-submit").await;
    wait_for_text(b, "#links", "/r/pat").await;
}

/// After approval: password log-in, log-out, magic link from the admin's
/// Emails page, copy the link, build and copy a deep link; a click and a
/// sale show on the dashboard and its chart; staff pay a due commission and
/// the portal shows it paid.
#[tokio::test]
async fn an_approved_affiliate_signs_in_by_link_sees_their_sale_and_gets_paid() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    // A payout email, so the store can pay Pat externally.
    let mut fields = join_fields("pat@example.com");
    fields.retain(|(k, _)| *k != "payout_email");
    fields.push(("payout_email", "pat@pay.example.com".to_owned()));
    app.new_browser().join("/a/acme/join", &fields).await;
    let base = app.address.clone();
    let key = p.key.clone();
    let app = &app;
    with_browser(|b| async move {
        // Password, then out, then a magic link read from the Emails page.
        affiliate_sign_in(&b, &base).await;
        click(&b, "#portal-logout").await;
        b.goto(&format!("{base}/a/acme/login/link")).await.unwrap();
        fill(&b, "#email", "pat@example.com").await;
        click(&b, "form button[type=submit]").await;
        wait_for_text(&b, "#link-sent", "").await;
        staff_sign_in(&b, &base).await;
        b.goto(&format!("{base}/admin/emails")).await.unwrap();
        wait_for_text(&b, "#emails", "pat@example.com").await;
        click(&b, "#emails tbody a").await;
        click(&b, "#email-text a").await;
        click(&b, "#link-continue").await;
        wait_for_text(&b, "#links", "/r/pat").await;
        assert_eq!(path_of(&b).await, "/a/acme/");

        // Copy the link; a visitor clicks it and buys.
        let share = text_of(&b, "#share-1").await;
        click(&b, "#links button[data-copy]").await;
        wait_for_text(&b, "#links button[data-copy]", "Copied").await;
        // The link builder: a page elsewhere is named, a path gets its deep
        // link in place (htmx), with its own copy button.
        fill(&b, "#page_url", "https://evil.example.net/").await;
        click(&b, "#deep-link-submit").await;
        wait_for_text(&b, "#page_url-error", "must be on shop.example.com").await;
        fill(&b, "#page_url", "/pricing").await;
        click(&b, "#deep-link-submit").await;
        wait_for_text(&b, "#deep-link", "/r/pat-jones?to=%2Fpricing").await;
        assert_eq!(path_of(&b).await, "/a/acme/", "built in place");
        click(&b, "#copy-deep-link").await;
        wait_for_text(&b, "#copy-deep-link", "Copied").await;
        let path = share.trim().strip_prefix(&base).unwrap().to_owned();
        let referral = query_param(&location(&app.new_browser().click(&path).await), "tb_ref")
            .unwrap();
        app.wait_for_rows(
            &format!("visits WHERE referral_id = {}", app.uuid_sql(&referral)),
            1,
        )
        .await;
        let (status, sale) = app
            .api_post(
                "/api/v1/sales",
                &key,
                serde_json::json!({"external_id": "pi_1", "amount": "100.00", "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 201, "{sale}");
        b.refresh().await.unwrap();
        wait_for_text(&b, "#kpi-visitors [data-value]", "1").await;
        wait_for_text(&b, "#kpi-conversions [data-value]", "1").await;
        wait_for_text(&b, "#kpi-pending [data-value]", "20.00 USD").await;
        let today = chrono::Utc::now().date_naive().to_string();
        // The chart's last day is today: one click, no lead, one conversion.
        let last_day = b
            .execute(
                "return [...document.querySelectorAll('#chart-counts-table tbody tr:last-child > *')].map(c => c.textContent.trim());",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(last_day, serde_json::json!([today, "1", "0", "1"]));

        // An old imported sale's commission becomes due: the balance.
        let referral = query_param(&location(&app.new_browser().click(&path).await), "tb_ref")
            .unwrap();
        let (status, sale) = app
            .api_post(
                "/api/v1/sales",
                &key,
                serde_json::json!({"external_id": "pi_old", "amount": "50.00", "referral_id": referral,
                                   "occurred_at": "2026-01-01T00:00:00Z", "import": true}),
            )
            .await;
        assert_eq!(status, 201, "{sale}");
        tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
            .await
            .unwrap();
        b.refresh().await.unwrap();
        wait_for_text(&b, "#kpi-balance [data-value]", "10.00 USD").await;

        // Staff pay it and mark it paid.
        staff_sign_in(&b, &base).await;
        b.goto(&format!("{base}/admin/payouts/due")).await.unwrap();
        click(&b, "#create-all").await;
        wait_for_text(&b, "main", "1 payout created").await;
        click(&b, "#payouts td.num a").await;
        fill(&b, "#payout-status input[name='reference']", "TX-PAT-1").await;
        click(&b, "#mark-paid").await;
        wait_for_text(&b, "#payout-status-badge", "paid").await;

        // The portal shows it paid; the balance dropped.
        affiliate_sign_in(&b, &base).await;
        wait_for_text(&b, "#kpi-balance [data-value]", "0.00 USD").await;
        b.goto(&format!("{base}/a/acme/payouts")).await.unwrap();
        wait_for_text(&b, "#payouts", "paid").await;
        wait_for_text(&b, "#payouts", "TX-PAT-1").await;
        wait_for_text(&b, "#payouts", "10.00 USD").await;

        // The dashboard, with its figures and charts, fits a phone.
        b.goto(&format!("{base}/a/acme/")).await.unwrap();
        assert_fits_a_phone(&b).await;
    })
    .await;
}
