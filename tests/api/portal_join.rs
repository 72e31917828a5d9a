//! Joining a store's program from its portal: approval rules, validation,
//! duplicate emails, invite-only campaigns, extra questions, rate limits.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn joining_a_campaign_that_needs_approval_signs_in_and_waits() {
    // Arrange
    let app = spawn_app().await;
    let p = app.portal_program(true).await;
    let visitor = app.new_browser();
    assert!(visitor.get_html("/a/acme/join").await.contains("Partners"));

    // Act
    let res = visitor
        .join("/a/acme/join", &join_fields("pat@example.com"))
        .await;

    // Assert: signed in, on the waiting page, no dashboard yet.
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/a/acme/status");
    let page = visitor.get_html("/a/acme/status").await;
    assert!(page.contains("Waiting for approval"), "{page}");
    assert_eq!(location(&visitor.get("/a/acme/").await), "/a/acme/status");
    let (_, list) = app
        .api_json("/api/v1/affiliates?email=pat@example.com", &p.key)
        .await;
    assert_eq!(list["data"][0]["status"], "pending");
    assert_eq!(
        app.count("affiliates WHERE signup_ip_hash IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("affiliates WHERE password_hash IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("sessions WHERE affiliate_id IS NOT NULL").await,
        1
    );
}

#[tokio::test]
async fn joining_without_approval_opens_the_home_page_with_the_default_link() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    let visitor = app.new_browser();

    let res = visitor
        .join("/a/acme/join", &join_fields("pat@example.com"))
        .await;

    assert_eq!(location(&res), "/a/acme/");
    let home = visitor.get_html("/a/acme/").await;
    assert!(home.contains("Hi Pat"), "{home}");
    assert!(home.contains(&format!("{}/r/pat", app.address)), "{home}");
    assert!(home.contains("data-copy=\"#share-1\""));
    assert!(
        element_text(&home, "balance")
            .unwrap()
            .starts_with("0.00 USD")
    );
}

#[tokio::test]
async fn signup_errors_name_their_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    let visitor = app.new_browser();

    let res = visitor
        .join(
            "/a/acme/join",
            &[
                ("first_name", String::new()),
                ("last_name", String::new()),
                ("email", "not-an-email".into()),
                ("password", "short".into()),
                ("payout_email", "nope".into()),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    for expected in [
        "First name is required.",
        "Last name is required.",
        "Email must be an email address",
        "Password must be at least 12 characters.",
        "Payout email must be an email address",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    assert!(
        page.contains("value=\"not-an-email\""),
        "the form keeps what was typed"
    );
    assert_eq!(app.count("affiliates").await, 0);
}

#[tokio::test]
async fn a_duplicate_email_is_told_only_the_way_back_in() {
    let app = spawn_app().await;
    app.portal_program(true).await;
    app.new_browser()
        .join("/a/acme/join", &join_fields("pat@example.com"))
        .await;

    let res = app
        .new_browser()
        .join("/a/acme/join", &join_fields("PAT@example.com"))
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("If you already have an account, log in or reset your password."),
        "{page}"
    );
    // Nothing about the existing account: not its status, not its name.
    assert!(!page.contains("pending") && !page.contains("Waiting"));
    assert_eq!(app.count("affiliates").await, 1);
}

#[tokio::test]
async fn the_same_email_joins_two_stores_as_two_affiliates() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    app.other_store("other", "boss@other.example").await;
    let other_key = app.api_key("other").await;
    let (_, campaign) = app
        .api_post(
            "/api/v1/campaigns",
            &other_key,
            json!({"name": "Other partners", "website_url": "https://other.example.com"}),
        )
        .await;
    app.set_approval(&other_key, campaign["id"].as_str().unwrap(), false)
        .await;
    app.new_browser()
        .join("/a/acme/join", &join_fields("pat@example.com"))
        .await;

    let res = app
        .new_browser()
        .join("/a/other/join", &join_fields("pat@example.com"))
        .await;

    assert_eq!(location(&res), "/a/other/");
    assert_eq!(app.count("affiliates").await, 2);
}

#[tokio::test]
async fn invite_only_archived_and_foreign_campaigns_have_no_join_page() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, secret) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "VIP", "website_url": "https://shop.example.com", "visibility": "invite_only"}),
        )
        .await;
    let (_, public) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "Creators", "website_url": "https://shop.example.com"}),
        )
        .await;
    app.other_store("other", "boss@other.example").await;
    let other_key = app.api_key("other").await;
    let (_, foreign) = app
        .api_post(
            "/api/v1/campaigns",
            &other_key,
            json!({"name": "Theirs", "website_url": "https://other.example.com"}),
        )
        .await;
    let visitor = app.new_browser();

    // A public, non-default campaign has its page.
    let page = visitor
        .get_html(&format!("/a/acme/join/{}", public["id"].as_str().unwrap()))
        .await;
    assert!(page.contains("Creators"));
    for id in [
        secret["id"].as_str().unwrap().to_owned(),
        foreign["id"].as_str().unwrap().to_owned(),
        uuid::Uuid::now_v7().to_string(),
    ] {
        let path = format!("/a/acme/join/{id}");
        assert_eq!(
            visitor.get(&path).await.status().as_u16(),
            404,
            "GET {path}"
        );
        let res = visitor.join(&path, &join_fields("x@example.com")).await;
        assert_eq!(res.status().as_u16(), 404, "POST {path}");
    }
    assert_eq!(
        visitor.get("/a/nosuchstore/join").await.status().as_u16(),
        404
    );
    assert_eq!(app.count("affiliates").await, 0);
}

#[tokio::test]
async fn the_stores_questions_are_asked_answered_and_shown_to_staff() {
    // Arrange: two questions on Settings.
    let app = spawn_app().await;
    app.portal_program(false).await;
    let res = app
        .browser
        .post_form(
            "/admin/settings/portal",
            &[
                (
                    "signup_questions",
                    "Where will you promote us?\nAudience size?",
                ),
                ("accent_color", "#1E88E5"),
                ("logo_url", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let visitor = app.new_browser();
    assert!(
        visitor
            .get_html("/a/acme/join")
            .await
            .contains("Audience size?")
    );

    // Act 1: one answer missing.
    let mut fields = join_fields("pat@example.com");
    fields.push(("answer_0", "My blog".into()));
    let res = visitor.join("/a/acme/join", &fields).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Audience size? is required.")
    );

    // Act 2: both answered.
    fields.push(("answer_1", "About 5,000".into()));
    let res = visitor.join("/a/acme/join", &fields).await;
    assert_eq!(res.status().as_u16(), 303);

    // Assert: the answers on the affiliate's admin page.
    let (_, list) = app
        .api_json(
            "/api/v1/affiliates?email=pat@example.com",
            &app.api_key("acme").await,
        )
        .await;
    let id = list["data"][0]["id"].as_str().unwrap();
    let page = app
        .browser
        .get_html(&format!("/admin/affiliates/{id}"))
        .await;
    assert!(page.contains("Where will you promote us?") && page.contains("My blog"));
    assert!(page.contains("About 5,000"));
    // And the accent colour is served as the portal's stylesheet.
    let css = visitor.get("/a/acme/theme.css").await.text().await.unwrap();
    assert!(css.contains("--pico-primary: #1e88e5"), "{css}");
}

#[tokio::test]
async fn affiliates_joining_from_one_address_are_flagged_in_the_list() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    let key = app.api_key("acme").await;
    app.approved_affiliate(&key, "staff-made@example.com", "staffmade")
        .await;
    app.new_browser()
        .join("/a/acme/join", &join_fields("one@example.com"))
        .await;
    let list = app.browser.get_html("/admin/affiliates").await;
    assert!(
        !list.contains("data-flag=\"shared-ip\""),
        "one signup is not a pattern"
    );

    app.new_browser()
        .join("/a/acme/join", &join_fields("two@example.com"))
        .await;

    let list = app.browser.get_html("/admin/affiliates").await;
    assert_eq!(list.matches("data-flag=\"shared-ip\"").count(), 2, "{list}");
}

#[tokio::test]
async fn signups_are_rate_limited_per_address() {
    let app = spawn_app().await;
    app.portal_program(false).await;
    let bad = [("email", "nope".to_owned())];
    for i in 0..11 {
        let res = app.new_browser().join("/a/acme/join", &bad).await;
        assert_eq!(res.status().as_u16(), 422, "attempt {i}");
    }

    let res = app
        .new_browser()
        .join("/a/acme/join", &join_fields("late@example.com"))
        .await;

    assert_eq!(res.status().as_u16(), 429);
    assert!(res.text().await.unwrap().contains("Too many signups"));
    assert_eq!(app.count("affiliates").await, 0);
}
