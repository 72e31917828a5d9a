//! The Campaigns list's figures: affiliates, revenue (net of tax) and live
//! commissions per campaign, exact, in the store's currency.

use crate::support::*;
use serde_json::json;

fn figure(page: &str, campaign: &str, name: &str) -> String {
    let start = page
        .find(&format!("<tr id=\"campaign-{campaign}\""))
        .unwrap_or_else(|| panic!("row of {campaign} in {page}"));
    let row = &page[start..start + page[start..].find("</tr>").unwrap()];
    let marker = format!("data-figure=\"{name}\">");
    let at = row
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {row}"))
        + marker.len();
    row[at..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_campaigns_list_shows_affiliates_revenue_and_commissions_per_campaign() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (status, creators) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "Creators", "website_url": "https://shop.example.com"}),
        )
        .await;
    assert_eq!(status, 201);
    let creators = creators["id"].as_str().unwrap().to_owned();
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    app.approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    app.new_affiliate(&p.key, "carl@example.com", json!({"campaign_id": creators}))
        .await;
    let referral = app.referred("ann").await;
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_1", "amount": "110.00", "tax": "10.00", "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    for (amount, void) in [("5.00", false), ("7.00", true)] {
        let (status, c) = app
            .api_post(
                "/api/v1/commissions",
                &p.key,
                json!({"affiliate_id": ann["id"], "sale_amount": "50.00", "amount": amount, "status": "due", "remarks": "bonus"}),
            )
            .await;
        assert_eq!(status, 201, "{c}");
        if void {
            let (status, _) = app
                .api(
                    reqwest::Method::DELETE,
                    &format!("/api/v1/commissions/{}", c["id"].as_str().unwrap()),
                    &p.key,
                    None,
                )
                .await;
            assert_eq!(status, 200);
        }
    }
    let (_, commissions) = app
        .api_json(
            &format!(
                "/api/v1/commissions?affiliate_id={}",
                ann["id"].as_str().unwrap()
            ),
            &p.key,
        )
        .await;
    let from_sale: Vec<_> = commissions["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["sale_id"] == sale["id"])
        .collect();
    assert_eq!(from_sale.len(), 1, "{commissions}");
    assert_eq!(
        from_sale[0]["amount"], "20.00",
        "20 % of the sale net of tax"
    );
    // Another store's sale never counts here.
    app.other_store("beta", "owner@beta.example.com").await;
    let beta = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta,
        json!({"name": "B", "website_url": "https://beta.example.com"}),
    )
    .await;
    app.approved_affiliate(&beta, "dora@example.com", "dora")
        .await;
    let referral = app.referred("dora").await;
    let (status, _) = app
        .api_post(
            "/api/v1/sales",
            &beta,
            json!({"external_id": "pi_1", "amount": "999.00", "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201);

    let page = app.browser.get_html("/admin/campaigns").await;

    assert_eq!(figure(&page, &p.campaign_id, "affiliates"), "2");
    assert_eq!(figure(&page, &p.campaign_id, "revenue"), "100.00 USD");
    assert_eq!(
        figure(&page, &p.campaign_id, "commissions"),
        "25.00 USD",
        "20.00 from the sale + 5.00, the voided 7.00 not"
    );
    assert_eq!(figure(&page, &creators, "affiliates"), "1");
    assert_eq!(figure(&page, &creators, "revenue"), "0.00 USD");
    assert_eq!(figure(&page, &creators, "commissions"), "0.00 USD");
    assert!(!page.contains("999"), "another store's sale");
}
