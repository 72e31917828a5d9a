//! Campaigns and affiliates in the browser: create a campaign, create an
//! affiliate and copy their link, approve a pending one in place from the
//! list, find one by link token, pick one by typing (referral form, sales
//! page), and read the API docs.

use crate::driver::*;
use crate::support::*;
use fantoccini::Locator;
use serde_json::json;

async fn sign_in(b: &fantoccini::Client, base: &str) {
    b.goto(&format!("{base}/login")).await.unwrap();
    fill(b, "#email", OWNER_EMAIL).await;
    fill(b, "#password", OWNER_PASSWORD).await;
    click(b, "form[action='/login'] button[type=submit]").await;
    wait_for_text(b, "main h1", "Acme Shop").await;
}

#[tokio::test]
async fn an_owner_creates_a_campaign_and_an_affiliate_and_copies_the_link() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let base = app.address.clone();
    with_browser(|b| async move {
        sign_in(&b, &base).await;

        click(&b, "aside a[href='/admin/campaigns']").await;
        click(&b, "#new-campaign").await;
        fill(&b, "#name", "Partners").await;
        fill(&b, "#website_url", "https://shop.example.com").await;
        b.find(Locator::Css("#commission_type"))
            .await
            .unwrap()
            .select_by_value("fixed")
            .await
            .unwrap();
        fill(&b, "#commission_value", "12.5").await;
        fill(&b, "#cookie_days", "90").await;
        click(&b, "#campaign-form button[type=submit]").await;
        wait_for_text(&b, "#campaigns", "Partners").await;
        wait_for_text(&b, "#campaigns", "12.50 USD per sale").await;

        click(&b, "aside a[href='/admin/affiliates']").await;
        click(&b, "#new-affiliate").await;
        fill(&b, "#first_name", "Ann").await;
        fill(&b, "#last_name", "Smith").await;
        fill(&b, "#email", "ann@example.com").await;
        fill(&b, "#email", "not-an-email").await;
        click(&b, "#affiliate-form button[type=submit]").await;
        wait_for_text(&b, "#email-error", "Email must be an email address").await;
        fill(&b, "#email", "ann@example.com").await;
        click(&b, "#affiliate-form button[type=submit]").await;
        wait_for_text(&b, "main h1", "Ann Smith").await;

        let share = wait_for_text(&b, ".share-url", "/r/ann-smith").await;
        assert_eq!(
            share,
            format!("{base}/r/ann-smith"),
            "the full shareable URL"
        );
        click(&b, "#copy-ann-smith").await;
        wait_for_text(&b, "#copy-ann-smith", "Copied").await;
        // Paste what was copied into a field to prove it is the link.
        b.find(Locator::Css("#links summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let field = b.find(Locator::Css("#url")).await.unwrap();
        field
            .send_keys(&format!("{}v", char::from(fantoccini::key::Key::Control)))
            .await
            .unwrap();
        assert_eq!(
            field.prop("value").await.unwrap().as_deref(),
            Some(share.as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn a_pending_affiliate_is_approved_in_place_and_found_by_link_token() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"link_token": "ann-promo"}),
        )
        .await;
    app.new_affiliate(
        &p.key,
        "bob@example.com",
        json!({"first_name": "Bob", "last_name": "Jones"}),
    )
    .await;
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    let base = app.address.clone();
    with_browser(|b| async move {
        sign_in(&b, &base).await;
        b.goto(&format!("{base}/admin/affiliates?status=pending"))
            .await
            .unwrap();
        wait_for_text(&b, "#count-pending", "2").await;
        // The bulk bar shows only while rows are selected, with their count.
        let bar = || async {
            b.find(Locator::Css("#bulk-bar"))
                .await
                .unwrap()
                .is_displayed()
                .await
                .unwrap()
        };
        assert!(!bar().await, "no bulk bar before a row is selected");
        click(&b, "#affiliates tbody tr input[name=ids]").await;
        wait_for_text(&b, "#bulk-bar", "1 selected").await;
        click(&b, "#affiliates thead input[data-select-all]").await;
        wait_for_text(&b, "#bulk-bar", "2 selected").await;
        click(&b, "#affiliates thead input[data-select-all]").await;
        assert!(!bar().await, "hidden again when nothing is selected");
        // Page state that a reload would lose: a marker and a ticked box.
        b.execute("window.__sameDocument = true;", vec![])
            .await
            .unwrap();
        let row = format!("#affiliate-{ann_id}");
        click(&b, &format!("{row} button[data-action='approve']")).await;

        wait_for_text(&b, &format!("{row} [data-status]"), "approved").await;
        wait_for_text(&b, "#count-pending", "1").await;
        wait_for_text(&b, "#count-approved", "1").await;
        wait_for_text(&b, "#toast", "is now approved").await;
        let same = b
            .execute("return window.__sameDocument === true;", vec![])
            .await
            .unwrap();
        assert_eq!(same, json!(true), "no page reload");
        let rows = b
            .find_all(Locator::Css("#affiliates tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "the other row is still there");
        let bob_status = b
            .find(Locator::XPath(
                "//tr[contains(., 'Bob Jones')]//*[@data-status]",
            ))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(bob_status, "pending", "the other row is unchanged");

        // Search by link token, typed into the search box (htmx, no submit).
        b.goto(&format!("{base}/admin/affiliates")).await.unwrap();
        fill(&b, "#affiliate-search", "ann-promo").await;
        let started = std::time::Instant::now();
        loop {
            let rows = b
                .find_all(Locator::Css("#affiliates tbody tr"))
                .await
                .unwrap();
            if rows.len() == 1 {
                assert!(rows[0].text().await.unwrap().contains("Ann Smith"));
                break;
            }
            assert!(started.elapsed() < WAIT, "the search never narrowed to Ann");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            path_of(&b).await.contains("q=ann-promo"),
            "the URL keeps the search"
        );
    })
    .await;
}

#[tokio::test]
async fn staff_pick_an_affiliate_by_typing_to_record_a_referral_and_attribute_a_sale() {
    let app = spawn_app().await;
    let p = app.program().await;
    let zoe = app
        .new_affiliate(
            &p.key,
            "zoe@example.com",
            json!({"first_name": "Zoe", "last_name": "Zimmer", "status": "approved"}),
        )
        .await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_orphan", "amount": "50.00"}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    let zoe_id = zoe["id"].as_str().unwrap().to_owned();
    let sale_id = sale["id"].as_str().unwrap().to_owned();
    let base = app.address.clone();
    with_browser(|b| async move {
        sign_in(&b, &base).await;

        // The referral form: type, pick from the matches, record.
        b.goto(&format!("{base}/admin/referrals")).await.unwrap();
        click(&b, "details:has(#new-referral) summary").await;
        fill(&b, "#ref-affiliate-search", "zim").await;
        wait_for_text(&b, "#ref-affiliate-options", "Zoe Zimmer").await;
        click(
            &b,
            &format!("#ref-affiliate-options input[value='{zoe_id}']"),
        )
        .await;
        fill(&b, "#ref-email", "frank@example.com").await;
        click(&b, "#new-referral button[type=submit]").await;
        wait_for_text(&b, "main h1", "frank@example.com").await;
        wait_for_text(&b, "main hgroup", "Zoe Zimmer").await;

        // The Sales page: the same picker in the unattributed sale's row.
        b.goto(&format!("{base}/admin/sales?unattributed=true"))
            .await
            .unwrap();
        fill(&b, &format!("#sale-{sale_id}-search"), "zoe@").await;
        wait_for_text(&b, &format!("#sale-{sale_id}-options"), "Zoe Zimmer").await;
        click(
            &b,
            &format!("#sale-{sale_id}-options input[value='{zoe_id}']"),
        )
        .await;
        click(&b, &format!("#sale-{sale_id} button[type=submit]")).await;
        // The confirm page says what it will make before anything is written.
        wait_for_text(&b, "#preview-result", "Zoe Zimmer").await;
        click(&b, "#confirm-attribution").await;
        wait_for_text(&b, "main", "Sale attributed").await;
        b.goto(&format!("{base}/admin/sales")).await.unwrap();
        wait_for_text(&b, &format!("#sale-{sale_id}"), "Zoe Zimmer").await;
    })
    .await;
}

#[tokio::test]
async fn the_api_docs_page_renders_the_document() {
    let app = spawn_app().await;
    let base = app.address.clone();
    with_browser(|b| async move {
        b.goto(&format!("{base}/api/docs")).await.unwrap();
        wait_for_text(&b, ".swagger-ui .info .title", "Tributary API").await;
        wait_for_text(&b, ".swagger-ui", "/api/v1/affiliates/{id}/approve").await;
    })
    .await;
}
