//! The audit log in sentences, with links and filters.

use crate::support::*;
use serde_json::json;

/// The entry rows of the audit page, one string each.
fn rows(page: &str) -> Vec<String> {
    page.split("<tr id=\"audit-")
        .skip(1)
        .map(|r| r[..r.find("</tr>").unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn approvals_refunds_and_new_campaigns_read_as_sentences_with_links() {
    let app = spawn_app().await;
    let p = app.program().await;
    let affiliate = app
        .new_affiliate(
            &p.key,
            "jane@example.com",
            json!({"first_name": "Jane", "last_name": "Doe", "link_token": "jane"}),
        )
        .await;
    let a = affiliate["id"].as_str().unwrap();
    let (status, _) = app
        .api_post(
            &format!("/api/v1/affiliates/{a}/approve"),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let referral = app.referred("jane").await;
    let (_, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pay_1002", "amount": "100.00", "referral_id": referral}),
        )
        .await;
    let s = sale["id"].as_str().unwrap();
    let (status, _) = app
        .api_post(
            &format!("/api/v1/sales/{s}/refunds"),
            &p.key,
            json!({"amount": "40.00"}),
        )
        .await;
    assert_eq!(status, 200);

    let page = app.browser.get_html("/admin/audit").await;

    let c = &p.campaign_id;
    assert!(
        page.contains(&format!(
            "approved affiliate <a href=\"/admin/affiliates/{a}\">Jane Doe</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "Refund of 40.00 USD on sale <a href=\"/admin/sales/{s}\">pay_1002</a> by API key test key"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "created campaign <a href=\"/admin/campaigns/{c}\">Partners</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains("API key test key (tb_"),
        "who did it, by the key's name"
    );
    let refund_row = rows(&page)
        .into_iter()
        .find(|r| r.contains("Refund of"))
        .unwrap();
    assert!(
        refund_row.contains("<details class=\"audit-details\"><summary>details</summary>"),
        "the raw entry behind a toggle"
    );
    assert!(
        refund_row.contains("&#34;amount_minor&#34;: 4000")
            || refund_row.contains("\"amount_minor\": 4000"),
        "{refund_row}"
    );
    let sale_page = app.browser.get_html(&format!("/admin/sales/{s}")).await;
    assert!(
        sale_page.contains("Refund of 40.00 USD on sale"),
        "the sale's trail reads the same"
    );
}

#[tokio::test]
async fn the_log_filters_by_actor_action_and_object() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "jane@example.com", "jane")
        .await;
    app.browser
        .post_form("/admin/api-keys", &[("name", "Second key")])
        .await;

    let by_action = rows(
        &app.browser
            .get_html("/admin/audit?action=campaign.created")
            .await,
    );
    let by_object = rows(&app.browser.get_html("/admin/audit?object=affiliate").await);
    let by_actor = rows(
        &app.browser
            .get_html(&format!("/admin/audit?actor={OWNER_EMAIL}"))
            .await,
    );
    let everything = rows(&app.browser.get_html("/admin/audit").await);

    assert_eq!(by_action.len(), 1, "{by_action:?}");
    assert!(by_action[0].contains("created campaign"));
    assert!(
        !by_object.is_empty() && by_object.iter().all(|r| r.contains("affiliate")),
        "{by_object:?}"
    );
    assert!(
        !by_actor.is_empty() && by_actor.iter().all(|r| r.contains(OWNER_EMAIL)),
        "{by_actor:?}"
    );
    assert!(
        by_actor
            .iter()
            .any(|r| r.contains("created API key Second key")),
        "{by_actor:?}"
    );
    assert!(everything.len() > by_action.len() + by_object.len() - 1);
    assert!(
        everything.iter().any(|r| r.contains("test key"))
            && !by_actor.iter().any(|r| r.contains("test key created"))
    );
}
