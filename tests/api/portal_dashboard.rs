//! The portal's dashboard and lists (`/a/{slug}/`, `/commissions`,
//! `/payouts`, `/customers` and their CSVs): the figures are what was
//! recorded, and no other affiliate's or store's data ever shows, whatever
//! the URL carries; staff and suspended affiliates get no page.

use serde_json::json;

use crate::support::*;

/// The `data-value` of KPI tile `id` on a dashboard page.
fn tile(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no tile {id}"));
    let rest = &html[start..];
    let value = &rest[rest.find("data-value").unwrap()..];
    let value = &value[value.find('>').unwrap() + 1..];
    value[..value.find('<').unwrap()].trim().to_owned()
}

/// A visitor of `token` who signs up as `email` and buys for `amount`:
/// returns the referral id.
async fn customer(
    app: &TestApp,
    key: &str,
    token: &str,
    email: &str,
    sale: (&str, &str),
) -> String {
    let referral = app.referred(token).await;
    app.wait_for_rows(
        &format!("visits WHERE referral_id = {}", app.uuid_sql(&referral)),
        1,
    )
    .await;
    let (status, body) = app
        .api_post(
            "/api/v1/leads",
            key,
            json!({"referral_id": referral, "email": email}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .api_post(
            "/api/v1/sales",
            key,
            json!({"external_id": sale.0, "amount": sale.1, "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    referral
}

struct World {
    app: TestApp,
    key: String,
    campaign_id: String,
    ann: Browser,
    ann_id: String,
    bob_id: String,
    other_key: String,
}

/// Ann and Bob, affiliates of acme, each with a customer who bought; an
/// affiliate of another store with a sale too.
async fn world() -> World {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (ann_json, ann) = app
        .portal_affiliate(&p.key, "ann@example.com", "ann-link")
        .await;
    let bob = app
        .approved_affiliate(&p.key, "bob@example.com", "bob-link")
        .await;
    customer(
        &app,
        &p.key,
        "ann-link",
        "jane@buyers.example.com",
        ("ann-sale", "100.00"),
    )
    .await;
    customer(
        &app,
        &p.key,
        "bob-link",
        "bart@secret.example.com",
        ("bob-sale", "333.00"),
    )
    .await;
    app.other_store("other", "boss@other.example").await;
    let other_key = app.api_key("other").await;
    let (_, c) = app
        .api_post(
            "/api/v1/campaigns",
            &other_key,
            json!({"name": "Theirs", "website_url": "https://other.example.com"}),
        )
        .await;
    let (status, body) = app
        .api_post(
            "/api/v1/affiliates",
            &other_key,
            json!({"email": "ann@example.com", "first_name": "Ann", "last_name": "Other",
                   "status": "approved", "link_token": "other-link", "campaign_id": c["id"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    customer(
        &app,
        &other_key,
        "other-link",
        "olga@elsewhere.example.com",
        ("other-sale", "777.00"),
    )
    .await;
    World {
        ann_id: ann_json["id"].as_str().unwrap().to_owned(),
        bob_id: bob["id"].as_str().unwrap().to_owned(),
        key: p.key,
        campaign_id: p.campaign_id,
        ann,
        other_key,
        app,
    }
}

async fn commissions_of(app: &TestApp, key: &str, affiliate_id: &str) -> serde_json::Value {
    let (status, list) = app
        .api_json(
            &format!("/api/v1/commissions?affiliate_id={affiliate_id}"),
            key,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list["data"].clone()
}

#[tokio::test]
async fn the_dashboard_shows_what_was_recorded() {
    let w = world().await;
    let recorded = commissions_of(&w.app, &w.key, &w.ann_id).await;
    assert_eq!(recorded.as_array().unwrap().len(), 1, "{recorded}");
    assert_eq!(recorded[0]["status"], "pending");
    let amount = recorded[0]["amount"].as_str().unwrap().to_owned();

    let html = w.ann.get_html("/a/acme/").await;

    assert_eq!(tile(&html, "kpi-visitors"), "1");
    assert_eq!(tile(&html, "kpi-leads"), "1");
    assert_eq!(tile(&html, "kpi-conversions"), "1");
    assert_eq!(tile(&html, "kpi-pending"), format!("{amount} USD"));
    assert_eq!(tile(&html, "kpi-due"), "0.00 USD");
    assert_eq!(tile(&html, "kpi-paid"), "0.00 USD");
    assert!(
        html.contains("100.00%"),
        "conversion rate: one visitor, one sale"
    );
    // Pending commissions are not in the balance yet.
    assert_eq!(tile(&html, "kpi-balance"), "0.00 USD");
    // The chart's table has today's row with the click and the sale.
    assert!(html.contains("id=\"chart-counts\"") && html.contains("id=\"chart-money\""));
    // The 7-day period under htmx answers only the statistics.
    let res = w
        .ann
        .client
        .get(format!("{}/a/acme/?period=7", w.app.address))
        .header("HX-Request", "true")
        .header("HX-Target", "portal-stats")
        .send()
        .await
        .unwrap();
    let part = res.text().await.unwrap();
    assert!(part.starts_with("<section id=\"portal-stats\""), "{part}");
    assert_eq!(tile(&part, "kpi-conversions"), "1");
}

#[tokio::test]
async fn no_other_affiliates_or_stores_data_on_any_portal_route() {
    let w = world().await;
    let bob = commissions_of(&w.app, &w.key, &w.bob_id).await;
    let bob_commission = bob[0]["id"].as_str().unwrap().to_owned();
    let bob_amount = bob[0]["amount"].as_str().unwrap().to_owned();
    let other_store = w.app.api_json("/api/v1/commissions", &w.other_key).await.1;
    let other_amount = other_store["data"][0]["amount"]
        .as_str()
        .unwrap()
        .to_owned();
    let ours = commissions_of(&w.app, &w.key, &w.ann_id).await[0]["amount"]
        .as_str()
        .unwrap()
        .to_owned();

    let foreign = [
        bob_amount.as_str(),
        other_amount.as_str(),
        "bart",
        "olga",
        "secret.example.com",
        "elsewhere.example.com",
        &bob_commission,
    ];
    let pages = [
        "/a/acme/".to_owned(),
        "/a/acme/?period=90".to_owned(),
        "/a/acme/commissions".to_owned(),
        "/a/acme/commissions?status=pending".to_owned(),
        format!("/a/acme/commissions?affiliate_id={}", w.bob_id),
        // A cursor past Bob's commission still lists only Ann's.
        format!("/a/acme/commissions?after={}", uuid::Uuid::max()),
        "/a/acme/commissions.csv".to_owned(),
        format!("/a/acme/commissions.csv?affiliate_id={}", w.bob_id),
        "/a/acme/payouts".to_owned(),
        "/a/acme/payouts.csv".to_owned(),
        "/a/acme/customers".to_owned(),
        format!("/a/acme/customers?affiliate_id={}", w.bob_id),
    ];
    for path in &pages {
        let res = w.ann.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let body = res.text().await.unwrap();
        for f in foreign {
            assert!(!body.contains(f), "{path} shows {f}");
        }
    }
    let csv = w.ann.get_html("/a/acme/commissions.csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(&ours), "{csv}");
    assert!(
        w.ann
            .get_html(&format!("/a/acme/commissions?after={}", uuid::Uuid::max()))
            .await
            .contains(&ours)
    );
    // Ann's session at the other store (where an Ann exists too) is no one.
    assert_eq!(
        location(&w.ann.get("/a/other/commissions").await),
        "/a/other/login"
    );
}

#[tokio::test]
async fn staff_and_visitors_cannot_open_the_portal_lists() {
    let w = world().await;
    let visitor = w.app.new_browser();
    for path in [
        "/a/acme/commissions",
        "/a/acme/commissions.csv",
        "/a/acme/payouts",
        "/a/acme/payouts.csv",
        "/a/acme/customers",
    ] {
        // The app's browser is the store owner, signed in as staff.
        assert_eq!(
            location(&w.app.browser.get(path).await),
            "/a/acme/login",
            "{path}"
        );
        assert_eq!(
            location(&visitor.get(path).await),
            "/a/acme/login",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_suspended_affiliate_is_logged_out_on_the_lists() {
    let w = world().await;
    assert_eq!(
        w.ann.get("/a/acme/commissions").await.status().as_u16(),
        200
    );
    // Behind the services' back, so the request itself must end it.
    w.app
        .sql(&format!(
            "UPDATE affiliates SET status = 'suspended' WHERE id = {}",
            w.app.uuid_sql(&w.ann_id)
        ))
        .await;

    assert_eq!(
        location(&w.ann.get("/a/acme/payouts.csv").await),
        "/a/acme/status"
    );
    for path in ["/a/acme/commissions", "/a/acme/customers"] {
        assert_eq!(location(&w.ann.get(path).await), "/a/acme/login", "{path}");
    }
}

#[tokio::test]
async fn customer_emails_are_masked_unless_the_campaign_shows_them() {
    let w = world().await;
    let masked = w.ann.get_html("/a/acme/customers").await;
    assert!(masked.contains("j***@buyers.example.com"), "{masked}");
    assert!(!masked.contains("jane@"));

    let (status, body) = w
        .app
        .api(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{}", w.campaign_id),
            &w.key,
            Some(json!({"show_customer_emails": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["show_customer_emails"], true);

    let shown = w.ann.get_html("/a/acme/customers").await;
    assert!(shown.contains("jane@buyers.example.com"), "{shown}");
    assert!(!shown.contains("bart"));
}
