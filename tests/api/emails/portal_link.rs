//! Where the portal link in a mail points: the configured public URL when
//! one is set, else the origin the request that caused the mail came to,
//! never the bind address (`http://0.0.0.0:8080` in a container) nor the
//! address of whichever instance started last. The sales writer's mail
//! follows its sale's request.

use reqwest::Method;
use serde_json::{Value, json};
use tributary::domain::mail::EmailKind;

use super::*;

/// An API call sent to this app with `headers` (a `Host` among them).
async fn api_as(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: Value,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut req = app
        .browser
        .client
        .request(method, app.browser.url(path))
        .bearer_auth(key)
        .json(&body);
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

fn host(value: String) -> Vec<(&'static str, String)> {
    vec![("host", value)]
}

/// The one portal link of the single mail of `kind`, in both parts.
async fn portal_link_of(app: &TestApp, kind: EmailKind) -> String {
    let mails = of_kind(app, kind).await;
    assert_eq!(mails.len(), 1, "{kind}");
    let link = first_link(&mails[0].text_body);
    assert!(
        mails[0].html_body.contains(&format!("href=\"{link}\"")),
        "{kind}: {}",
        mails[0].html_body
    );
    link
}

/// Ann applies (pending, link `ann`); the approval, a sale and a paid
/// payout follow, each request with its own headers.
async fn ann_is_approved_earns_and_is_paid(
    app: &TestApp,
    approve: &[(&str, String)],
    sell: &[(&str, String)],
    pay: &[(&str, String)],
) {
    let p = app.program().await;
    let ann = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"status": "pending", "link_token": "ann", "payout_email": "ann@pay.example.com"}),
        )
        .await;
    let id = ann["id"].as_str().unwrap();
    let path = format!("/api/v1/affiliates/{id}/approve");
    let (status, body) = api_as(app, Method::POST, &path, &p.key, json!({}), approve).await;
    assert_eq!(status, 200, "{body}");
    let referral = app.referred("ann").await;
    let sale = json!({"external_id": "pi_1", "amount": "100.00", "referral_id": referral});
    let (status, body) = api_as(app, Method::POST, "/api/v1/sales", &p.key, sale, sell).await;
    assert_eq!(status, 201, "{body}");
    let manual =
        json!({"affiliate_id": id, "sale_amount": "100.00", "amount": "30.00", "status": "due"});
    let (status, body) = app.api_post("/api/v1/commissions", &p.key, manual).await;
    assert_eq!(status, 201, "{body}");
    let (status, created) = app.api_post("/api/v1/payouts", &p.key, json!({})).await;
    assert_eq!(status, 201, "{created}");
    let payout = created["data"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/payouts/{payout}/mark_paid");
    let (status, body) = api_as(app, Method::POST, &path, &p.key, json!({}), pay).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn without_a_configured_public_url_each_mail_links_to_the_origin_its_request_came_to() {
    // Arrange: no TRIBUTARY_PUBLIC_URL on a server bound to 0.0.0.0, whose
    // own idea of its address is one no affiliate can open.
    let app = spawn_app_with(|c| c.public_url = url::Url::parse("http://0.0.0.0").unwrap()).await;
    let port = app.port;

    // Act: the approval and the sale come through `localhost`, the payout
    // through 127.0.0.1 with proxy headers nobody said to trust.
    let mut pay = host(format!("127.0.0.1:{port}"));
    pay.push(("x-forwarded-host", "evil.example".into()));
    pay.push(("x-forwarded-proto", "https".into()));
    ann_is_approved_earns_and_is_paid(
        &app,
        &host(format!("localhost:{port}")),
        &host(format!("localhost:{port}")),
        &pay,
    )
    .await;

    // Assert
    let via_localhost = format!("http://localhost:{port}/a/acme/login");
    assert_eq!(
        portal_link_of(&app, EmailKind::AffiliateApproved).await,
        via_localhost
    );
    // Written by the sales writer's task, under the sale's request.
    let earned = of_kind(&app, EmailKind::NewCommission).await;
    assert_eq!(earned.len(), 2, "the sale's and the manual commission's");
    assert_eq!(first_link(&earned[0].text_body), via_localhost);
    assert_eq!(
        first_link(&earned[1].text_body),
        format!("http://127.0.0.1:{port}/a/acme/login")
    );
    assert_eq!(
        portal_link_of(&app, EmailKind::PayoutPaid).await,
        format!("http://127.0.0.1:{port}/a/acme/login")
    );
    for m in outbox(&app).await {
        assert!(!m.text_body.contains("0.0.0.0"), "{}", m.text_body);
    }
}

#[tokio::test]
async fn a_configured_public_url_wins_over_the_origin_of_the_request() {
    // Arrange
    let app = spawn_app_with(|c| {
        c.public_url = url::Url::parse("http://affiliates.example.com").unwrap();
        c.public_url_set = true;
        c.trust_proxy = true;
    })
    .await;
    let port = app.port;
    let mut proxied = host(format!("localhost:{port}"));
    proxied.push(("x-forwarded-host", "other.example".into()));

    // Act
    ann_is_approved_earns_and_is_paid(
        &app,
        &host(format!("localhost:{port}")),
        &proxied,
        &host(format!("127.0.0.1:{port}")),
    )
    .await;

    // Assert
    let configured = "http://affiliates.example.com/a/acme/login";
    assert_eq!(
        portal_link_of(&app, EmailKind::AffiliateApproved).await,
        configured
    );
    for m in of_kind(&app, EmailKind::NewCommission).await {
        assert_eq!(first_link(&m.text_body), configured);
    }
    assert_eq!(
        portal_link_of(&app, EmailKind::PayoutPaid).await,
        configured
    );
}

#[tokio::test]
async fn a_trusted_proxy_names_the_origin_the_affiliate_can_open() {
    // Arrange
    let app = spawn_app_with(|c| c.trust_proxy = true).await;
    let port = app.port;
    let mut proxied = host(format!("127.0.0.1:{port}"));
    proxied.push(("x-forwarded-host", "partners.shop.example".into()));
    proxied.push(("x-forwarded-proto", "https".into()));

    // Act
    ann_is_approved_earns_and_is_paid(&app, &proxied, &proxied, &proxied).await;

    // Assert
    assert_eq!(
        portal_link_of(&app, EmailKind::AffiliateApproved).await,
        "https://partners.shop.example/a/acme/login"
    );
}
