//! The mail each change sends, in its own transaction: applications (to
//! the applicant and the team), approval and rejection, every commission
//! earned by a sale or by hand (not clawbacks or negative ones), and a paid
//! payout; the affiliate's preferences turn the last two off.

use reqwest::Method;
use serde_json::json;
use tributary::domain::mail::EmailKind;

use super::*;

async fn sale(app: &TestApp, key: &str, token: &str, id: &str, amount: &str) {
    let referral = app.referred(token).await;
    let (status, body) = app
        .api_post(
            "/api/v1/sales",
            key,
            json!({"external_id": id, "amount": amount, "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

async fn turn_off(app: &TestApp, column: &str, email: &str) {
    app.sql(&format!(
        "UPDATE affiliates SET {column} = false WHERE email = '{email}'"
    ))
    .await;
}

#[tokio::test]
async fn an_application_is_confirmed_to_the_applicant_and_announced_to_the_team() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.new_affiliate(&p.key, "bob@example.com", json!({"status": "approved"}))
        .await;
    assert!(
        outbox(&app).await.is_empty(),
        "an approved newcomer applied for nothing"
    );

    app.new_affiliate(&p.key, "ann@example.com", json!({"status": "pending"}))
        .await;

    let received = of_kind(&app, EmailKind::ApplicationReceived).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].recipient, "ann@example.com");
    assert!(
        received[0].text_body.contains("Partners"),
        "{}",
        received[0].text_body
    );
    let staff = of_kind(&app, EmailKind::NewApplication).await;
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].recipient, OWNER_EMAIL);
    assert!(
        staff[0].text_body.contains("Ann Smith <ann@example.com>"),
        "{}",
        staff[0].text_body
    );
}

#[tokio::test]
async fn approval_and_rejection_are_mailed_but_suspension_is_not() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(&p.key, "ann@example.com", json!({"status": "pending"}))
        .await;
    let bob = app
        .new_affiliate(&p.key, "bob@example.com", json!({"status": "pending"}))
        .await;
    let verb = |id: &serde_json::Value, verb: &str| {
        format!("/api/v1/affiliates/{}/{verb}", id.as_str().unwrap())
    };

    app.api(Method::POST, &verb(&ann["id"], "approve"), &p.key, None)
        .await;
    app.api(
        Method::POST,
        &verb(&bob["id"], "reject"),
        &p.key,
        Some(json!({"reason": "No website yet"})),
    )
    .await;
    app.api(Method::POST, &verb(&ann["id"], "suspend"), &p.key, None)
        .await;

    let approved = of_kind(&app, EmailKind::AffiliateApproved).await;
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].recipient, "ann@example.com");
    assert!(approved[0].subject.contains("approved"));
    let rejected = of_kind(&app, EmailKind::AffiliateRejected).await;
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].recipient, "bob@example.com");
    assert!(rejected[0].text_body.contains("Reason: No website yet"));
    assert_eq!(
        outbox(&app).await.len(),
        2 + 2 + 2,
        "applications + decisions, nothing for the suspension"
    );
}

#[tokio::test]
async fn a_sale_commission_is_mailed_unless_the_affiliate_turned_it_off() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    app.approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    turn_off(&app, "notify_new_commission", "bob@example.com").await;

    sale(&app, &p.key, "ann", "pi_ann_1", "100.00").await;
    sale(&app, &p.key, "bob", "pi_bob_1", "100.00").await;

    let mails = of_kind(&app, EmailKind::NewCommission).await;
    assert_eq!(mails.len(), 1, "bob turned it off");
    assert_eq!(mails[0].recipient, "ann@example.com");
    assert_eq!(mails[0].subject, "You earned 20.00 USD with Acme Shop");
    assert!(
        mails[0].text_body.contains("on hold until"),
        "{}",
        mails[0].text_body
    );
    assert!(mails[0].html_body.contains("<strong>20.00 USD</strong>"));
}

#[tokio::test]
async fn sales_recorded_together_each_mail_their_commission_once() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let mut referrals = Vec::new();
    for _ in 0..8 {
        referrals.push(app.referred("ann").await);
    }

    let answers = futures_util::future::join_all(referrals.iter().enumerate().map(|(n, r)| {
        app.api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": format!("pi_batch_{n}"), "amount": "10.00", "referral_id": r}),
        )
    }))
    .await;
    // A repeated delivery answers the original and mails nothing more.
    app.api_post(
        "/api/v1/sales",
        &p.key,
        json!({"external_id": "pi_batch_0", "amount": "10.00", "referral_id": referrals[0]}),
    )
    .await;

    assert!(answers.iter().all(|(s, _)| *s == 201), "{answers:?}");
    let mails = of_kind(&app, EmailKind::NewCommission).await;
    assert_eq!(mails.len(), 8);
    assert!(
        mails
            .iter()
            .all(|m| m.subject == "You earned 2.00 USD with Acme Shop")
    );
}

#[tokio::test]
async fn a_manual_commission_is_mailed_and_a_negative_one_is_not() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;

    for amount in ["12.50", "-3.00"] {
        let (status, body) = app
            .api_post(
                "/api/v1/commissions",
                &p.key,
                json!({"affiliate_id": ann["id"], "sale_amount": "80.00", "amount": amount, "status": "due", "remarks": "phone order"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    let mails = of_kind(&app, EmailKind::NewCommission).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text_body.contains("12.50 USD") && mails[0].text_body.contains("payable now"));
}

#[tokio::test]
async fn a_paid_payout_is_mailed_unless_the_affiliate_turned_it_off() {
    let app = spawn_app().await;
    let p = app.program().await;
    for who in ["ann", "bob"] {
        let a = app
            .new_affiliate(
                &p.key,
                &format!("{who}@example.com"),
                json!({"status": "approved", "payout_email": format!("{who}@pay.example.com")}),
            )
            .await;
        let (status, body) = app
            .api_post(
                "/api/v1/commissions",
                &p.key,
                json!({"affiliate_id": a["id"], "sale_amount": "100.00", "amount": "30.00", "status": "due"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    turn_off(&app, "notify_payout_paid", "bob@example.com").await;
    let (status, created) = app.api_post("/api/v1/payouts", &p.key, json!({})).await;
    assert_eq!(status, 201, "{created}");

    for payout in created["data"].as_array().unwrap() {
        let (status, paid) = app
            .api_post(
                &format!(
                    "/api/v1/payouts/{}/mark_paid",
                    payout["id"].as_str().unwrap()
                ),
                &p.key,
                json!({"reference": "PP-1"}),
            )
            .await;
        assert_eq!(status, 200, "{paid}");
    }

    let mails = of_kind(&app, EmailKind::PayoutPaid).await;
    assert_eq!(mails.len(), 1, "bob turned it off");
    assert_eq!(mails[0].recipient, "ann@example.com");
    assert_eq!(mails[0].subject, "Acme Shop paid you 30.00 USD");
    assert!(mails[0].text_body.contains("Reference: PP-1"));
}

#[tokio::test]
async fn an_invitation_mails_its_link_and_the_page_still_shows_it_once() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", "bob@example.com"), ("role", "admin")],
        )
        .await;

    let page = res.text().await.unwrap();
    let mails = of_kind(&app, EmailKind::TeamInvitation).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient, "bob@example.com");
    let link = first_link(&mails[0].text_body);
    assert!(page.contains(&link), "the page shows the same link");
    assert!(mails[0].text_body.contains("owner@example.com invited you"));
}

#[tokio::test]
async fn erasing_an_affiliate_forgets_the_mail_about_them() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(&p.key, "ann@example.com", json!({"status": "pending"}))
        .await;
    app.new_affiliate(&p.key, "bob@example.com", json!({"status": "pending"}))
        .await;
    assert_eq!(outbox(&app).await.len(), 4);

    let (status, body) = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/affiliates/{}/anonymize",
                ann["id"].as_str().unwrap()
            ),
            &p.key,
            None,
        )
        .await;

    assert_eq!(status, 200, "{body}");
    let left = outbox(&app).await;
    assert_eq!(left.len(), 2, "bob's two messages stay");
    assert!(
        left.iter()
            .all(|m| !m.text_body.contains("ann@example.com") && m.recipient != "ann@example.com")
    );
}

#[tokio::test]
async fn approval_commission_and_payout_mails_link_to_the_stores_portal() {
    // Arrange: Ann applies and is approved, earns by a sale, is paid.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"status": "pending", "link_token": "ann", "payout_email": "ann@pay.example.com"}),
        )
        .await;
    let id = ann["id"].as_str().unwrap();
    app.api(
        Method::POST,
        &format!("/api/v1/affiliates/{id}/approve"),
        &p.key,
        None,
    )
    .await;
    sale(&app, &p.key, "ann", "pi_ann_1", "100.00").await;
    let (status, body) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": id, "sale_amount": "100.00", "amount": "30.00", "status": "due"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, created) = app.api_post("/api/v1/payouts", &p.key, json!({})).await;
    assert_eq!(status, 201, "{created}");
    let payout = created["data"][0]["id"].as_str().unwrap();
    let (status, paid) = app
        .api_post(
            &format!("/api/v1/payouts/{payout}/mark_paid"),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{paid}");

    // Assert: each mail, in both parts, links to the portal's sign-in page.
    let portal = format!("{}/a/acme/login", app.address);
    for kind in [
        EmailKind::AffiliateApproved,
        EmailKind::NewCommission,
        EmailKind::PayoutPaid,
    ] {
        let mails = of_kind(&app, kind).await;
        assert!(!mails.is_empty(), "{kind}");
        for m in mails {
            assert!(m.text_body.contains(&portal), "{kind}: {}", m.text_body);
            assert!(
                m.html_body.contains(&format!("href=\"{portal}\"")),
                "{kind}: {}",
                m.html_body
            );
        }
    }
    // The application's acknowledgement has no portal to offer yet.
    let received = of_kind(&app, EmailKind::ApplicationReceived).await;
    assert!(!received[0].text_body.contains(&portal));
}
