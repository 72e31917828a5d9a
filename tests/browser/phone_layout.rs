//! Every admin page at phone width (390×844): nothing scrolls sideways and
//! the page's heading is on the first screen (the navigation folds into a
//! menu button instead of filling it).

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::driver::*;
use crate::support::*;

const WIDTH: i64 = 390;
const HEIGHT: i64 = 844;

/// Sizes the window so that the page's viewport is 390×844.
async fn phone_viewport(b: &Client) {
    b.set_window_size(WIDTH as u32, HEIGHT as u32)
        .await
        .unwrap();
    let inner = b
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
    if (w, h) != (WIDTH, HEIGHT) {
        b.set_window_size((2 * WIDTH - w) as u32, (2 * HEIGHT - h) as u32)
            .await
            .unwrap();
    }
}

/// What does not fit the phone screen on the page `b` shows (`label` names
/// it): sideways scrolling, actions off screen, a heading below the first
/// screen; and how many rows with actions the page has.
async fn fit_problems(b: &Client, label: &str) -> (Vec<String>, i64) {
    let m = b
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth,
                     document.querySelector('main h1').getBoundingClientRect().top,
                     Array.from(document.querySelectorAll('body *'))
                       .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                                 && !e.closest('.table-wrap'))
                       .slice(0, 3).map(e => e.tagName + '.' + e.className).join(' '),
                     Array.from(document.querySelectorAll('td.actions'))
                       .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length,
                     document.querySelectorAll('td.actions').length];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner, top) = (
        m[0].as_f64().unwrap(),
        m[1].as_f64().unwrap(),
        m[2].as_f64().unwrap(),
    );
    let mut problems = vec![];
    if scroll > inner {
        problems.push(format!(
            "{label}: {scroll} px wide in {inner} px ({})",
            m[3]
        ));
    }
    if m[4].as_i64().unwrap() > 0 {
        problems.push(format!(
            "{label}: {} of {} rows' actions are off screen",
            m[4], m[5]
        ));
    }
    if top >= HEIGHT as f64 {
        problems.push(format!("{label}: heading starts at {top} px"));
    }
    (problems, m[5].as_i64().unwrap())
}

#[tokio::test]
async fn every_admin_page_fits_a_phone_screen_with_its_heading_in_view() {
    // Arrange: a store with rows in every list.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann.with.a.rather.long.address@example.com", "ann")
        .await;
    app.new_affiliate(&p.key, "bob@example.com", json!({"first_name": "Bob"}))
        .await;
    let referral = app.referred("ann").await;
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_a_long_payment_identifier_0001", "amount": "1234.56",
                   "referral_id": referral, "customer_email": "customer.with.long.email@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    app.api_key("acme").await;
    let ann_id = ann["id"].as_str().unwrap().to_owned();
    // Money rows: a due adjustment, recorded as a payout, and a commission.
    let (status, adjusted) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann_id}/adjustments"),
            &p.key,
            json!({"amount": "50.00", "reason": "opening balance from the old system"}),
        )
        .await;
    assert_eq!(status, 201, "{adjusted}");
    let (status, payout) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann_id}/payouts"),
            &p.key,
            json!({"amount": "50.00", "comment": "paid by bank transfer, see the ledger"}),
        )
        .await;
    assert_eq!(status, 201, "{payout}");
    let commission = sale["commissions"][0]["id"].as_str().unwrap().to_owned();
    let pages = [
        "/admin".to_owned(),
        "/admin?period=90".to_owned(),
        "/admin?period=custom&from=2026-02-31&to=".to_owned(),
        "/admin/campaigns".to_owned(),
        "/admin/campaigns/new".to_owned(),
        format!("/admin/campaigns/{}/edit", p.campaign_id),
        "/admin/affiliates".to_owned(),
        format!("/admin/affiliates/{ann_id}"),
        "/admin/referrals".to_owned(),
        format!("/admin/referrals/{referral}"),
        "/admin/sales".to_owned(),
        "/admin/commissions".to_owned(),
        "/admin/commissions/new".to_owned(),
        format!("/admin/commissions/{commission}"),
        "/admin/payouts".to_owned(),
        "/admin/payouts/due".to_owned(),
        format!("/admin/payouts/{}", payout["id"].as_str().unwrap()),
        "/admin/team".to_owned(),
        "/admin/api-keys".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/account".to_owned(),
    ];
    let base = app.address.clone();

    with_browser(|b| async move {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "main h1", "Acme Shop").await;
        phone_viewport(&b).await;

        let mut problems = vec![];
        let mut actions_seen = 0;
        for path in &pages {
            // Act
            b.goto(&format!("{base}{path}")).await.unwrap();
            b.wait()
                .at_most(WAIT)
                .for_element(Locator::Css("main h1"))
                .await
                .unwrap_or_else(|e| panic!("{path} has no heading: {e}"));
            let (found, actions) = fit_problems(&b, path).await;
            problems.extend(found);
            actions_seen += actions;
        }
        // The API key page as it is once a key was created: the key and
        // the command that tries it, shown once, fit the screen too.
        b.goto(&format!("{base}/admin/api-keys")).await.unwrap();
        fill(&b, "#key-name", "Checkout backend of the shop").await;
        click(&b, "form.create-key button[type=submit]").await;
        wait_for_text(&b, "#new-key", "tb_").await;
        wait_for_text(&b, "#new-key-sample", "curl").await;
        let (found, _) = fit_problems(&b, "/admin/api-keys (new key shown)").await;
        problems.extend(found);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(actions_seen > 3, "the lists had rows with actions");

        // At desktop width, a link's Copy button sits beside the link.
        b.set_window_size(1280, 900).await.unwrap();
        b.goto(&format!("{base}/admin/affiliates/{ann_id}"))
            .await
            .unwrap();
        let gap = b
            .execute(
                "const code = document.querySelector('.share-url').getBoundingClientRect();
                 const button = document.querySelector('#copy-ann').getBoundingClientRect();
                 return button.left - code.right;",
                vec![],
            )
            .await
            .unwrap();
        let gap = gap.as_f64().unwrap();
        assert!(
            (0.0..=24.0).contains(&gap),
            "Copy is {gap} px from its link"
        );
        phone_viewport(&b).await;

        // The menu button opens the navigation.
        b.goto(&format!("{base}/admin")).await.unwrap();
        let nav = b.find(Locator::Css("aside nav")).await.unwrap();
        assert!(!nav.is_displayed().await.unwrap(), "folded on a phone");
        click(&b, "label[for='nav-toggle']").await;
        assert!(nav.is_displayed().await.unwrap(), "the menu opens it");
        click(&b, "aside a[href='/admin/sales']").await;
        wait_for_text(&b, "main h1", "Sales").await;
    })
    .await;
}
