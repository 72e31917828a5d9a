use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn referrals_are_found_by_email_corrected_and_erased_while_money_stays() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;

    let (status, r) = app
        .api_post(
            "/api/v1/referrals",
            &p.key,
            json!({"affiliate_id": ann["id"], "email": "eve@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_owned();
    let (_, found) = app
        .api_json("/api/v1/referrals?email=EVE@example.com", &p.key)
        .await;
    assert_eq!(found["data"][0]["id"], id.as_str());
    let (_, patched) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/referrals/{id}"),
            &p.key,
            Some(json!({"external_customer_id": "cus_eve"})),
        )
        .await;
    assert_eq!(patched["external_customer_id"], "cus_eve");
    let (_, sale) = app.api_post("/api/v1/sales", &p.key, json!({"external_id": "pi_eve", "amount": "40.00", "customer_email": "eve@example.com"})).await;
    assert_eq!(sale["attribution"], "email");

    let (status, erased) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/referrals/{id}"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(erased["email"].is_null());
    assert!(erased["external_customer_id"].is_null());
    assert_eq!(erased["erased"], true);
    let (_, still) = app
        .api_json(
            &format!("/api/v1/sales/{}", sale["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(
        still["referral_id"],
        id.as_str(),
        "the sale keeps an anonymous reference"
    );
    assert_eq!(still["commissions"][0]["amount"], "8.00");
    let (_, gone) = app
        .api_json("/api/v1/referrals?email=eve@example.com", &p.key)
        .await;
    assert!(gone["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn staff_record_and_correct_a_referral_from_the_pages() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();

    let res = app
        .browser
        .post_form(
            "/admin/referrals",
            &[("affiliate_id", ann_id), ("email", "not-an-email")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("id=\"email-error\""));
    assert_eq!(app.count("referrals").await, 0);

    let res = app
        .browser
        .post_form(
            "/admin/referrals",
            &[
                ("affiliate_id", ann_id),
                ("email", "frank@example.com"),
                ("external_customer_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let page = location(&res);
    let res = app
        .browser
        .post_form(
            &page,
            &[
                ("email", "frank@example.com"),
                ("external_customer_id", "cus_frank"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, found) = app
        .api_json("/api/v1/referrals?email=frank@example.com", &p.key)
        .await;
    assert_eq!(found["data"][0]["external_customer_id"], "cus_frank");
    assert_eq!(found["data"][0]["source"], "manual");
    let html = app.browser.get_html(&page).await;
    assert!(html.contains("frank@example.com") && html.contains("Referred"));
}
