//! The portal's Settings page: each form saves through the affiliate
//! update service and is audited as the affiliate; refused fields are named
//! on the page; no token, or staff viewing as the affiliate, changes
//! nothing; a new password ends the affiliate's other sessions; the email
//! preferences silence the commission and payout mails.

use serde_json::json;
use tributary::domain::mail::EmailKind;

use crate::emails::of_kind;
use crate::support::*;

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn affiliate_json(app: &TestApp, key: &str, id: &str) -> serde_json::Value {
    let (status, body) = app.api_json(&format!("/api/v1/affiliates/{id}"), key).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn profile<'a>(first: &'a str, payout: &'a str, method: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("first_name", first),
        ("last_name", "Smith"),
        ("payout_email", payout),
        ("payout_method", method),
    ]
}

#[tokio::test]
async fn the_profile_is_saved_and_audited_as_the_affiliate() {
    // Arrange
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, browser) = app.portal_affiliate(&p.key, "ann@example.com", "ann").await;
    let id = ann["id"].as_str().unwrap();
    assert!(
        browser
            .get_html("/a/acme/settings")
            .await
            .contains("settings-profile")
    );

    // Act
    let res = browser
        .post_form(
            "/a/acme/settings/profile",
            &profile("Annie", "ann@pay.example.com", "external"),
        )
        .await;

    // Assert
    assert_eq!(location(&res), "/a/acme/settings");
    let saved = affiliate_json(&app, &p.key, id).await;
    assert_eq!(saved["first_name"], "Annie");
    assert_eq!(saved["payout_email"], "ann@pay.example.com");
    assert_eq!(
        app.count(
            "audit_entries WHERE action = 'affiliate.updated' AND actor_type = 'affiliate' \
             AND actor_label = 'Affiliate Ann Smith'"
        )
        .await,
        1
    );
    let log = app.browser.get_html("/admin/audit").await;
    assert!(log.contains("Affiliate Ann Smith"), "{log}");
}

#[tokio::test]
async fn refused_fields_are_named_on_the_page_and_nothing_is_saved() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, browser) = app.portal_affiliate(&p.key, "ann@example.com", "ann").await;
    let id = ann["id"].as_str().unwrap();

    let res = browser
        .post_form(
            "/a/acme/settings/profile",
            &profile("", "not-an-email", "external"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(element_text(&page, "first_name-error").is_some(), "{page}");
    assert!(
        element_text(&page, "payout_email-error").is_some(),
        "{page}"
    );

    // Store credit needs a customer account in the store; Ann has none, so
    // it is neither offered nor accepted.
    assert!(
        !browser
            .get_html("/a/acme/settings")
            .await
            .contains("store_credit")
    );
    let res = browser
        .post_form(
            "/a/acme/settings/profile",
            &profile("Annie", "", "store_credit"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        element_text(&page, "payout_method-error").is_some(),
        "{page}"
    );

    let res = browser
        .post_form(
            "/a/acme/settings/password",
            &[
                ("current_password", "wrong password entirely"),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        element_text(&page, "current_password-error").is_some(),
        "{page}"
    );

    assert_eq!(affiliate_json(&app, &p.key, id).await["first_name"], "Ann");
    assert_eq!(
        app.count(
            "audit_entries WHERE actor_type = 'affiliate' AND action <> 'affiliate.password_set'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn store_credit_is_offered_to_an_affiliate_with_a_customer_account() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, browser) = app.portal_affiliate(&p.key, "ann@example.com", "ann").await;
    let id = ann["id"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE affiliates SET external_customer_id = 'cus_1' WHERE email = 'ann@example.com'"
    ))
    .await;
    assert!(
        browser
            .get_html("/a/acme/settings")
            .await
            .contains("store_credit")
    );

    let res = browser
        .post_form(
            "/a/acme/settings/profile",
            &profile("Ann", "", "store_credit"),
        )
        .await;

    assert_eq!(location(&res), "/a/acme/settings");
    assert_eq!(
        app.count(&format!(
            "affiliates WHERE payout_method = 'store_credit' AND first_name = 'Ann'"
        ))
        .await,
        1,
        "{}",
        affiliate_json(&app, &p.key, id).await
    );
    // Staff see the preference where they pay the affiliate from.
    let admin = app
        .browser
        .get_html(&format!("/admin/affiliates/{id}"))
        .await;
    assert_eq!(
        element_text(&admin, "prefers-paid").as_deref(),
        Some("as store credit")
    );
}

#[tokio::test]
async fn a_post_without_the_token_or_while_viewing_as_changes_nothing() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, browser) = app.portal_affiliate(&p.key, "ann@example.com", "ann").await;
    let id = ann["id"].as_str().unwrap();

    let res = browser
        .post_form_raw(
            "/a/acme/settings/profile",
            &profile("Mallory", "", "external"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = browser
        .post_form_raw("/a/acme/settings/notifications", &[])
        .await;
    assert_eq!(res.status().as_u16(), 403);

    // Staff viewing as Ann: read only.
    let staff = &app.browser;
    staff
        .post_form(&format!("/admin/affiliates/{id}/view_as"), &[])
        .await;
    assert!(
        staff
            .get_html("/a/acme/settings")
            .await
            .contains("settings-profile")
    );
    let res = staff
        .post_form(
            "/a/acme/settings/profile",
            &profile("Mallory", "", "external"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = staff.post_form("/a/acme/settings/notifications", &[]).await;
    assert_eq!(res.status().as_u16(), 403);

    let saved = affiliate_json(&app, &p.key, id).await;
    assert_eq!(saved["first_name"], "Ann");
    assert_eq!(
        app.count("affiliates WHERE notify_new_commission = true AND notify_payout_paid = true")
            .await,
        1
    );
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_keeps_this_one() {
    // Arrange: Ann signed in on two devices.
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, phone) = app.portal_affiliate(&p.key, "ann@example.com", "ann").await;
    let laptop = app.new_browser();
    let res = laptop
        .portal_login("acme", "ann@example.com", AFFILIATE_PASSWORD)
        .await;
    assert_eq!(location(&res), "/a/acme/");

    // Act
    let res = phone
        .post_form(
            "/a/acme/settings/password",
            &[
                ("current_password", AFFILIATE_PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;

    // Assert
    assert_eq!(location(&res), "/a/acme/settings");
    assert_eq!(phone.get("/a/acme/").await.status().as_u16(), 200);
    assert_eq!(location(&laptop.get("/a/acme/").await), "/a/acme/login");
    assert_eq!(
        app.count("sessions WHERE affiliate_id IS NOT NULL").await,
        1
    );
    assert_eq!(
        app.count(
            "audit_entries WHERE action = 'affiliate.password_changed' AND actor_type = 'affiliate'"
        )
        .await,
        1
    );
    let other = app.new_browser();
    let res = other
        .portal_login("acme", "ann@example.com", AFFILIATE_PASSWORD)
        .await;
    assert_ne!(location(&res), "/a/acme/", "the old password still works");
    let res = other
        .portal_login("acme", "ann@example.com", NEW_PASSWORD)
        .await;
    assert_eq!(location(&res), "/a/acme/");
}

#[tokio::test]
async fn turned_off_preferences_silence_the_commission_and_payout_mails() {
    // Arrange: Ann turns both emails off on the page (unticked boxes are
    // not sent).
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, browser) = app.portal_affiliate(&p.key, "ann@example.com", "ann").await;
    let res = browser
        .post_form("/a/acme/settings/notifications", &[])
        .await;
    assert_eq!(location(&res), "/a/acme/settings");
    assert_eq!(
        app.count("audit_entries WHERE action = 'affiliate.updated' AND actor_type = 'affiliate'")
            .await,
        1
    );

    // Act: a commission is earned, and a payout paid.
    app.sql("UPDATE affiliates SET payout_email = 'ann@pay.example.com'")
        .await;
    let (status, body) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": ann["id"], "sale_amount": "100.00", "amount": "30.00", "status": "due"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, created) = app.api_post("/api/v1/payouts", &p.key, json!({})).await;
    assert_eq!(status, 201, "{created}");
    let payout = created["data"][0]["id"]
        .as_str()
        .expect("one payout")
        .to_owned();
    let (status, paid) = app
        .api_post(
            &format!("/api/v1/payouts/{payout}/mark_paid"),
            &p.key,
            json!({"reference": "PP-1"}),
        )
        .await;
    assert_eq!(status, 200, "{paid}");

    // Assert
    assert!(of_kind(&app, EmailKind::NewCommission).await.is_empty());
    assert!(of_kind(&app, EmailKind::PayoutPaid).await.is_empty());

    // Ticked again: the next commission is mailed.
    browser
        .post_form(
            "/a/acme/settings/notifications",
            &[
                ("notify_new_commission", "true"),
                ("notify_payout_paid", "true"),
            ],
        )
        .await;
    let (status, body) = app
        .api_post(
            "/api/v1/commissions",
            &p.key,
            json!({"affiliate_id": ann["id"], "sale_amount": "100.00", "amount": "10.00", "status": "due"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(of_kind(&app, EmailKind::NewCommission).await.len(), 1);
}
