//! The affiliates list's money: earnings, due and paid columns with exact
//! figures, the "Due for payout" tab at its campaign's minimum, the
//! campaign filter, and another store's affiliates left out.

use crate::support::*;
use serde_json::json;

async fn commission(
    app: &TestApp,
    key: &str,
    affiliate: &str,
    amount: &str,
    status: &str,
) -> String {
    let (code, c) = app
        .api_post(
            "/api/v1/commissions",
            key,
            json!({"affiliate_id": affiliate, "sale_amount": "100.00", "amount": amount, "status": status, "remarks": "test"}),
        )
        .await;
    assert_eq!(code, 201, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

async fn affiliate(app: &TestApp, key: &str, email: &str, extra: serde_json::Value) -> String {
    let mut body = json!({"status": "approved", "payout_email": format!("pay-{email}")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.new_affiliate(key, email, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn money(row: &str, column: &str) -> String {
    let marker = format!("data-money=\"{column}\">");
    let start = row
        .find(&marker)
        .unwrap_or_else(|| panic!("{column} in {row}"))
        + marker.len();
    row[start..].split('<').next().unwrap().to_owned()
}

fn row<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<tr id=\"affiliate-{id}\""))
        .unwrap_or_else(|| panic!("row of {id} in {page}"));
    let end = page[start..].find("</tr>").unwrap() + start;
    &page[start..end]
}

#[tokio::test]
async fn the_affiliates_list_shows_earnings_due_and_paid_and_the_due_tab_holds_who_reaches_the_minimum()
 {
    let app = spawn_app().await;
    let p = app.program().await;
    // Ann: exactly the minimum due, a pending one, a voided one.
    let ann = affiliate(&app, &p.key, "ann@example.com", json!({})).await;
    commission(&app, &p.key, &ann, "30.00", "due").await;
    commission(&app, &p.key, &ann, "20.00", "due").await;
    commission(&app, &p.key, &ann, "10.00", "pending").await;
    let voided = commission(&app, &p.key, &ann, "7.00", "due").await;
    let (status, _) = app
        .api(
            reqwest::Method::DELETE,
            &format!("/api/v1/commissions/{voided}"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    // Bob: 25.00 paid, then 54.99 due less a 5.00 clawback: one cent short.
    let bob = affiliate(&app, &p.key, "bob@example.com", json!({})).await;
    commission(&app, &p.key, &bob, "25.00", "due").await;
    let (status, created) = app
        .api_post("/api/v1/payouts", &p.key, json!({"affiliate_ids": [bob]}))
        .await;
    assert_eq!(status, 201, "{created}");
    let payout = created["data"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .api_post(
            &format!("/api/v1/payouts/{payout}/mark_paid"),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    // The minimum rises after Bob's first payout.
    let (status, _) = app
        .api(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            Some(json!({"minimum_payout": "50.00"})),
        )
        .await;
    assert_eq!(status, 200);
    commission(&app, &p.key, &bob, "54.99", "due").await;
    commission(&app, &p.key, &bob, "-5.00", "due").await;
    // Carl, in another campaign with no minimum, has nothing.
    let (status, other_campaign) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "Creators", "website_url": "https://shop.example.com"}),
        )
        .await;
    assert_eq!(status, 201);
    let creators = other_campaign["id"].as_str().unwrap().to_owned();
    let carl = affiliate(
        &app,
        &p.key,
        "carl@example.com",
        json!({"campaign_id": creators}),
    )
    .await;
    // Another store's affiliate, due far above its minimum.
    app.other_store("beta", "owner@beta.example.com").await;
    let beta = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta,
        json!({"name": "B", "website_url": "https://beta.example.com"}),
    )
    .await;
    let dora = affiliate(&app, &beta, "dora@example.com", json!({})).await;
    commission(&app, &beta, &dora, "500.00", "due").await;

    let all = app.browser.get_html("/admin/affiliates").await;

    let ann_row = row(&all, &ann);
    assert_eq!(
        money(ann_row, "earnings"),
        "60.00",
        "30 + 20 + 10 pending, the voided 7 not"
    );
    assert_eq!(money(ann_row, "due"), "50.00");
    assert_eq!(money(ann_row, "paid"), "0.00");
    let bob_row = row(&all, &bob);
    assert_eq!(
        money(bob_row, "earnings"),
        "74.99",
        "25 + 54.99 − 5 clawback"
    );
    assert_eq!(money(bob_row, "due"), "49.99");
    assert_eq!(money(bob_row, "paid"), "25.00");
    let carl_row = row(&all, &carl);
    assert_eq!(money(carl_row, "earnings"), "0.00");
    assert!(!all.contains(&dora), "another store's affiliate");
    assert_eq!(element_text(&all, "count-due").as_deref(), Some("1"));

    let due_tab = app
        .browser
        .get_html("/admin/affiliates?status=due_for_payout")
        .await;
    assert!(
        due_tab.contains(&format!("affiliate-{ann}")),
        "at the minimum: {due_tab}"
    );
    assert!(
        !due_tab.contains(&format!("affiliate-{bob}")),
        "a cent below it"
    );
    assert!(
        !due_tab.contains(&format!("affiliate-{carl}")),
        "nothing due"
    );
    assert!(!due_tab.contains(&dora));

    let by_creators = app
        .browser
        .get_html(&format!("/admin/affiliates?campaign={creators}"))
        .await;
    assert!(by_creators.contains(&format!("affiliate-{carl}")));
    assert!(!by_creators.contains(&format!("affiliate-{ann}")));
    assert!(!by_creators.contains(&format!("affiliate-{bob}")));
    let by_partners = app
        .browser
        .get_html(&format!("/admin/affiliates?campaign={}", p.campaign_id))
        .await;
    assert!(
        by_partners.contains(&format!("affiliate-{ann}"))
            && by_partners.contains(&format!("affiliate-{bob}"))
    );
    assert!(!by_partners.contains(&format!("affiliate-{carl}")));
    let due_in_creators = app
        .browser
        .get_html(&format!(
            "/admin/affiliates?status=due_for_payout&campaign={creators}"
        ))
        .await;
    assert!(
        due_in_creators.contains("no-affiliates"),
        "the tab and the filter combine"
    );

    // Bob's cent arrives: he joins the tab.
    commission(&app, &p.key, &bob, "0.01", "due").await;
    let due_tab = app
        .browser
        .get_html("/admin/affiliates?status=due_for_payout")
        .await;
    assert!(due_tab.contains(&format!("affiliate-{bob}")));
    assert_eq!(element_text(&due_tab, "count-due").as_deref(), Some("2"));
}
