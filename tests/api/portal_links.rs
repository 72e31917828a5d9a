//! One-time portal links: magic sign-in, password reset, invite and SSO —
//! single use, expiring (time is passed to the services, nobody sleeps),
//! and the same answer whether an email has an account or not.

use chrono::{Duration, Utc};
use serde_json::json;
use tributary::domain::AffiliateId;
use tributary::domain::portal_token::TokenPurpose;
use tributary::services::portal::{login, tokens};

use crate::support::*;

async fn token_for(app: &TestApp, affiliate: &serde_json::Value, purpose: TokenPurpose) -> String {
    let id = AffiliateId(affiliate["id"].as_str().unwrap().parse().unwrap());
    tokens::issue(&app.db, app.store_id("acme").await, id, purpose, Utc::now())
        .await
        .unwrap()
        .token
}

#[tokio::test]
async fn a_magic_link_signs_in_once_and_its_get_uses_nothing() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let a = app
        .approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    let token = token_for(&app, &a, TokenPurpose::MagicLogin).await;
    let browser = app.new_browser();
    let path = format!("/a/acme/login/{token}");

    // A mail scanner's GETs leave the link usable.
    assert!(browser.get_html(&path).await.contains("Continue"));
    assert!(browser.get_html(&path).await.contains("Continue"));
    let res = browser.post_form(&path, &[]).await;
    assert_eq!(location(&res), "/a/acme/");
    assert!(browser.get_html("/a/acme/").await.contains("Hi Ann"));

    // Used: refused the second time, by GET and POST alike.
    let other = app.new_browser();
    assert_eq!(other.get(&path).await.status().as_u16(), 410);
    assert_eq!(other.post_form(&path, &[]).await.status().as_u16(), 410);
}

#[tokio::test]
async fn a_magic_link_expires_after_15_minutes() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let a = app
        .approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    let store = app.store_id("acme").await;
    let late = token_for(&app, &a, TokenPurpose::MagicLogin).await;
    let in_time = token_for(&app, &a, TokenPurpose::MagicLogin).await;

    let refused =
        login::sign_in_with_link(&app.db, store, &late, Utc::now() + Duration::minutes(15)).await;
    let accepted =
        login::sign_in_with_link(&app.db, store, &in_time, Utc::now() + Duration::minutes(14))
            .await;

    assert!(refused.is_err());
    assert_eq!(accepted.unwrap().email, "pat@example.com");
}

#[tokio::test]
async fn asking_for_a_link_answers_the_same_for_unknown_emails() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    app.approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    let mails_before = app.count("emails").await;

    for path in ["/a/acme/login/link", "/a/acme/password/forgot"] {
        let known = app
            .new_browser()
            .post_form(path, &[("email", "pat@example.com")])
            .await;
        let unknown = app
            .new_browser()
            .post_form(path, &[("email", "who@example.com")])
            .await;
        assert_eq!(known.status().as_u16(), 200);
        assert_eq!(unknown.status().as_u16(), 200);
        let known = element_text(&known.text().await.unwrap(), "link-sent").unwrap();
        let unknown = element_text(&unknown.text().await.unwrap(), "link-sent").unwrap();
        assert_eq!(known.replace("pat@", "who@"), unknown, "{path}");
    }
    // Links were made, and mailed, for the known email only.
    assert_eq!(app.count("portal_tokens").await, 2);
    assert_eq!(app.count("emails").await - mails_before, 2);
}

#[tokio::test]
async fn a_reset_link_sets_a_password_once_and_ends_other_sessions() {
    // Arrange: an affiliate with a password, signed in elsewhere.
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (a, elsewhere) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;
    let token = token_for(&app, &a, TokenPurpose::PasswordReset).await;
    let browser = app.new_browser();
    let path = format!("/a/acme/password/{token}");
    assert!(browser.get_html(&path).await.contains("Choose a password"));

    // A typo: the field is named and the link still works.
    let res = browser
        .post_form(
            &path,
            &[
                ("password", "a brand new password"),
                ("confirm_password", "typo"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Password again does not match")
    );

    // Act
    let res = browser
        .post_form(
            &path,
            &[
                ("password", "a brand new password"),
                ("confirm_password", "a brand new password"),
            ],
        )
        .await;

    // Assert
    assert_eq!(location(&res), "/a/acme/");
    assert_eq!(location(&elsewhere.get("/a/acme/").await), "/a/acme/login");
    let again = app
        .new_browser()
        .portal_login("acme", "pat@example.com", AFFILIATE_PASSWORD)
        .await;
    assert_eq!(again.status().as_u16(), 401, "the old password is gone");
    let new = app
        .new_browser()
        .portal_login("acme", "pat@example.com", "a brand new password")
        .await;
    assert_eq!(location(&new), "/a/acme/");
    assert_eq!(app.new_browser().get(&path).await.status().as_u16(), 410);
}

#[tokio::test]
async fn an_sso_url_signs_in_once_within_60_seconds() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let a = app
        .approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    let id = a["id"].as_str().unwrap();

    let (status, body) = app
        .api_post(&format!("/api/v1/affiliates/{id}/sso"), &p.key, json!({}))
        .await;

    assert_eq!(status, 201, "{body}");
    let url = body["url"].as_str().unwrap();
    let expires: chrono::DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires - Utc::now();
    assert!(
        left <= Duration::seconds(60) && left > Duration::seconds(50),
        "{left}"
    );
    let path = url.strip_prefix(&app.address).unwrap();
    let browser = app.new_browser();
    let res = browser.get(path).await;
    assert_eq!(location(&res), "/a/acme/");
    assert!(browser.get_html("/a/acme/").await.contains("Hi Ann"));
    assert_eq!(app.new_browser().get(path).await.status().as_u16(), 410);
    assert_eq!(
        app.count("audit_entries WHERE action = 'affiliate.sso_link_created'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_sso_url_is_refused_after_60_seconds() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let a = app
        .approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    let store = app.store_id("acme").await;
    let id = AffiliateId(a["id"].as_str().unwrap().parse().unwrap());
    let actor = tributary::services::Actor::cli();
    let made_at = Utc::now();
    let late =
        tributary::services::portal::staff::sso_link(&app.db, store, &actor, id, made_at, None)
            .await
            .unwrap();
    let in_time =
        tributary::services::portal::staff::sso_link(&app.db, store, &actor, id, made_at, None)
            .await
            .unwrap();

    let refused =
        login::sign_in_with_link(&app.db, store, &late.token, made_at + Duration::seconds(60))
            .await;
    let accepted = login::sign_in_with_link(
        &app.db,
        store,
        &in_time.token,
        made_at + Duration::seconds(59),
    )
    .await;

    assert!(refused.is_err());
    assert!(accepted.is_ok());
}

#[tokio::test]
async fn another_stores_affiliate_gets_no_sso_url() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let a = app
        .approved_affiliate(&p.key, "pat@example.com", "pat")
        .await;
    app.other_store("other", "boss@other.example").await;
    let other_key = app.api_key("other").await;

    let (status, body) = app
        .api_post(
            &format!("/api/v1/affiliates/{}/sso", a["id"].as_str().unwrap()),
            &other_key,
            json!({}),
        )
        .await;

    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(app.count("portal_tokens").await, 0);
}

#[tokio::test]
async fn an_invite_link_lets_a_staff_made_affiliate_choose_a_password() {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;

    let (a, browser) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;

    assert!(browser.get_html("/a/acme/").await.contains("Hi Ann"));
    let page = app
        .browser
        .get_html(&format!("/admin/affiliates/{}", a["id"].as_str().unwrap()))
        .await;
    assert_eq!(element_text(&page, "portal-password").unwrap(), "set");
    assert_eq!(
        app.count("audit_entries WHERE action = 'affiliate.invite_link_created'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_sso_route_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .browser
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/affiliates/{id}/sso"]["post"].is_object());
}
