//! Isolation: two affiliates of one store and two stores; staff and
//! affiliate sessions never stand in for each other; CSRF on every portal
//! form; view as affiliate is read only and dies with the staff session.

use chrono::Utc;
use serde_json::json;
use tributary::domain::AffiliateId;
use tributary::domain::portal_token::TokenPurpose;
use tributary::services::portal::tokens;

use crate::support::*;

/// Two stores, each with an affiliate signed in to its portal.
struct World {
    app: TestApp,
    ann: Browser,
    ann_json: serde_json::Value,
    bob: Browser,
    other: Browser,
    other_json: serde_json::Value,
}

async fn world() -> World {
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (ann_json, ann) = app
        .portal_affiliate(&p.key, "ann@example.com", "ann-link")
        .await;
    let (_, bob) = app
        .portal_affiliate(&p.key, "bob@example.com", "bob-link")
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
    app.set_approval(&other_key, c["id"].as_str().unwrap(), false)
        .await;
    let other = app.new_browser();
    other
        .join("/a/other/join", &join_fields("ann@example.com"))
        .await;
    let (_, list) = app
        .api_json("/api/v1/affiliates?email=ann@example.com", &other_key)
        .await;
    World {
        ann,
        ann_json,
        bob,
        other,
        other_json: list["data"][0].clone(),
        app,
    }
}

#[tokio::test]
async fn each_affiliate_sees_only_their_own_links() {
    let w = world().await;

    let ann = w.ann.get_html("/a/acme/").await;
    let bob = w.bob.get_html("/a/acme/").await;

    assert!(ann.contains("/r/ann-link") && !ann.contains("bob-link"));
    assert!(bob.contains("/r/bob-link") && !bob.contains("ann-link"));
}

#[tokio::test]
async fn a_session_of_one_store_opens_nothing_of_another() {
    let w = world().await;
    // The affiliate of "other" on acme's pages, and acme's on other's.
    for (browser, slug) in [(&w.other, "acme"), (&w.ann, "other")] {
        for page in ["/", "/status"] {
            let res = browser.get(&format!("/a/{slug}{page}")).await;
            assert_eq!(location(&res), format!("/a/{slug}/login"), "{slug}{page}");
        }
    }
    // Still signed in to their own store.
    assert_eq!(w.other.get("/a/other/").await.status().as_u16(), 200);
    assert_eq!(w.ann.get("/a/acme/").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_link_of_one_stores_affiliate_is_unknown_at_another_store() {
    let w = world().await;
    let other_id = AffiliateId(w.other_json["id"].as_str().unwrap().parse().unwrap());
    let other_store = w.app.store_id("other").await;
    for purpose in [TokenPurpose::MagicLogin, TokenPurpose::PasswordReset] {
        let t = tokens::issue(&w.app.db, other_store, other_id, purpose, Utc::now())
            .await
            .unwrap()
            .token;
        let visitor = w.app.new_browser();
        for path in [
            format!("/a/acme/login/{t}"),
            format!("/a/acme/password/{t}"),
        ] {
            assert_eq!(visitor.get(&path).await.status().as_u16(), 410, "{path}");
        }
        let res = visitor
            .post_form(
                &format!("/a/acme/password/{t}"),
                &[
                    ("password", "taken over password"),
                    ("confirm_password", "taken over password"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 410);
        assert_eq!(location(&visitor.get("/a/acme/").await), "/a/acme/login");
    }
}

#[tokio::test]
async fn staff_sessions_are_not_affiliates_and_affiliates_are_not_staff() {
    let w = world().await;
    // The owner (the app's browser) on the portal: the portal's login.
    assert_eq!(w.app.browser.get("/admin").await.status().as_u16(), 200);
    assert_eq!(
        location(&w.app.browser.get("/a/acme/").await),
        "/a/acme/login"
    );
    // An affiliate on admin pages: the staff sign-in.
    for page in ["/admin", "/admin/affiliates", "/admin/settings"] {
        let res = w.ann.get(page).await;
        assert_eq!(res.status().as_u16(), 303, "{page}");
        assert!(
            location(&res).starts_with("/login"),
            "{page}: {}",
            location(&res)
        );
    }
    let res = w
        .ann
        .post_form(
            &format!(
                "/admin/affiliates/{}/approve",
                w.ann_json["id"].as_str().unwrap()
            ),
            &[],
        )
        .await;
    assert!(location(&res).starts_with("/login"));
}

#[tokio::test]
async fn every_portal_form_refuses_a_post_without_the_csrf_token() {
    let w = world().await;
    let a = AffiliateId(w.ann_json["id"].as_str().unwrap().parse().unwrap());
    let store = w.app.store_id("acme").await;
    let magic = tokens::issue(&w.app.db, store, a, TokenPurpose::MagicLogin, Utc::now())
        .await
        .unwrap()
        .token;
    let reset = tokens::issue(&w.app.db, store, a, TokenPurpose::PasswordReset, Utc::now())
        .await
        .unwrap()
        .token;
    let campaign = w.ann_json["campaign_id"].as_str().unwrap().to_owned();
    let forms: Vec<(String, Vec<(&str, String)>)> = vec![
        ("/a/acme/join".into(), join_fields("csrf@example.com")),
        (
            format!("/a/acme/join/{campaign}"),
            join_fields("csrf2@example.com"),
        ),
        (
            "/a/acme/login".into(),
            vec![
                ("email", "ann@example.com".into()),
                ("password", AFFILIATE_PASSWORD.into()),
            ],
        ),
        ("/a/acme/logout".into(), vec![]),
        (
            "/a/acme/login/link".into(),
            vec![("email", "ann@example.com".into())],
        ),
        (
            "/a/acme/password/forgot".into(),
            vec![("email", "ann@example.com".into())],
        ),
        (format!("/a/acme/login/{magic}"), vec![]),
        (
            format!("/a/acme/password/{reset}"),
            vec![
                ("password", "another password!".into()),
                ("confirm_password", "another password!".into()),
            ],
        ),
        ("/a/acme/view_as/exit".into(), vec![]),
    ];
    let before = w.app.snapshot().await;
    for (path, fields) in &forms {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = w.ann.post_form_raw(path, &fields).await;
        assert_eq!(res.status().as_u16(), 403, "POST {path} without the token");
    }
    assert!(
        w.app.snapshot().await == before,
        "a refused POST changed state"
    );
    // And the signed-in affiliate is still signed in.
    assert_eq!(w.ann.get("/a/acme/").await.status().as_u16(), 200);
}

#[tokio::test]
async fn viewing_as_an_affiliate_is_read_only_audited_and_ends_with_the_view() {
    // Arrange
    let w = world().await;
    let id = w.ann_json["id"].as_str().unwrap();
    let staff = &w.app.browser;

    // Act
    let res = staff
        .post_form(&format!("/admin/affiliates/{id}/view_as"), &[])
        .await;

    // Assert: Ann's home, with the banner, and no writes.
    assert_eq!(location(&res), "/a/acme/");
    let page = staff.get_html("/a/acme/").await;
    assert!(page.contains("ann-link"));
    assert!(element_text(&page, "view-as-banner").is_some());
    assert!(page.contains("read only"));
    let res = staff
        .post_form("/a/acme/password/forgot", &[("email", "ann@example.com")])
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = staff
        .post_form(
            "/a/acme/login",
            &[
                ("email", "bob@example.com"),
                ("password", AFFILIATE_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(
        w.app
            .count("portal_tokens WHERE purpose = 'password_reset'")
            .await,
        0
    );
    assert_eq!(
        w.app
            .count("audit_entries WHERE action = 'affiliate.viewed_as'")
            .await,
        1
    );
    // No affiliate session was made for the staff member.
    assert_eq!(
        w.app.count("sessions WHERE affiliate_id IS NOT NULL").await,
        3
    );

    // Exit: back to the admin page, the portal closed again.
    let res = staff.post_form("/a/acme/view_as/exit", &[]).await;
    assert_eq!(location(&res), format!("/admin/affiliates/{id}"));
    assert_eq!(location(&staff.get("/a/acme/").await), "/a/acme/login");
    assert_eq!(staff.get("/admin").await.status().as_u16(), 200);

    // Signing out of the admin ends a view too.
    staff
        .post_form(&format!("/admin/affiliates/{id}/view_as"), &[])
        .await;
    assert_eq!(staff.get("/a/acme/").await.status().as_u16(), 200);
    staff.post_form("/logout", &[]).await;
    assert_eq!(location(&staff.get("/a/acme/").await), "/a/acme/login");
}

#[tokio::test]
async fn view_as_refuses_another_stores_affiliate() {
    let w = world().await;
    let other_id = w.other_json["id"].as_str().unwrap();

    let res = w
        .app
        .browser
        .post_form(&format!("/admin/affiliates/{other_id}/view_as"), &[])
        .await;

    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(
        location(&w.app.browser.get("/a/other/").await),
        "/a/other/login"
    );
}
