//! Every state-changing page route, one after another on one store: a GET
//! carrying the form (in the query and the body, token included) changes
//! nothing, the POST without the token is refused and changes nothing, and
//! the POST with it does its work. A route that also answered GET, or took
//! a POST without the token, fails here.

use serde_json::json;

use crate::support::*;

/// `GET path?fields` (with the same fields as a form body and a valid
/// token, the most a GET could carry) changes nothing; the POST without the
/// token is refused and changes nothing; the POST with it does its work.
async fn only_the_post_with_the_token_changes_state(
    app: &TestApp,
    path: &str,
    fields: &[(&str, String)],
) {
    let token = app.browser.csrf().await;
    let without_token: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut with_token = without_token.clone();
    with_token.push(("csrf_token", &token));
    let before = app.snapshot().await;

    let status = get_with(&app.browser, path, &without_token).await;
    assert!(app.snapshot().await == before, "GET {path} changed state");
    assert!(
        matches!(status, 200 | 404 | 405),
        "GET {path} answered {status}"
    );

    let res = app.browser.post_form_raw(path, &without_token).await;
    assert_eq!(res.status().as_u16(), 403, "POST {path} without the token");
    assert!(
        app.snapshot().await == before,
        "POST {path} without the token changed state"
    );

    let res = app.browser.post_form_raw(path, &with_token).await;
    let status = res.status().as_u16();
    assert!(
        (200..400).contains(&status),
        "POST {path} with the token answered {status}: {}",
        res.text().await.unwrap()
    );
    assert!(
        app.snapshot().await != before,
        "POST {path} with the token changed nothing"
    );
}

async fn signed_in(browser: &Browser) -> bool {
    browser.get("/admin").await.status().as_u16() == 200
}

/// A GET with the form's fields, in the query and in the body, token included.
async fn get_with(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> u16 {
    let token = browser.csrf().await;
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    let res = browser
        .client
        .get(browser.url(path))
        .query(&all)
        .form(&all)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

fn id_of(json: &serde_json::Value) -> String {
    json["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_get_never_changes_state_and_a_post_needs_the_token() {
    // First-run setup, before anything exists.
    let app = spawn_app().await;
    let setup = [
        ("email", OWNER_EMAIL),
        ("password", OWNER_PASSWORD),
        ("store_name", "Acme Shop"),
        ("currency", "USD"),
        ("slug", "acme"),
    ];
    let empty = app.snapshot().await;
    get_with(&app.browser, "/setup", &setup).await;
    assert!(app.snapshot().await == empty, "GET /setup changed state");
    assert_eq!(
        app.browser
            .post_form_raw("/setup", &setup)
            .await
            .status()
            .as_u16(),
        403
    );
    assert!(
        app.snapshot().await == empty,
        "POST /setup without the token"
    );
    app.setup_owner().await;

    // Arrange: something for every admin form to act on.
    let key = app.api_key("acme").await;
    let api = |path: &'static str, body: serde_json::Value| {
        let (app, key) = (&app, key.clone());
        async move {
            let (status, json) = app.api_post(path, &key, body).await;
            assert_eq!(status, 201, "{path}: {json}");
            json
        }
    };
    api(
        "/api/v1/campaigns",
        json!({"name": "Partners", "website_url": "https://shop.example.com"}),
    )
    .await;
    let spare = id_of(
        &api(
            "/api/v1/campaigns",
            json!({"name": "Spare", "website_url": "https://shop.example.com"}),
        )
        .await,
    );
    let ann = id_of(&app.approved_affiliate(&key, "ann@example.com", "ann").await);
    let pending = |email: &'static str| {
        let (app, key) = (&app, key.clone());
        async move {
            id_of(
                &app.new_affiliate(&key, email, json!({"status": "pending"}))
                    .await,
            )
        }
    };
    let (pam, rex, bea) = (
        pending("pam@example.com").await,
        pending("rex@example.com").await,
        pending("bea@example.com").await,
    );
    let dan = id_of(&app.approved_affiliate(&key, "dan@example.com", "dan").await);
    let del = id_of(&app.approved_affiliate(&key, "del@example.com", "del").await);
    let link = id_of(
        &api(
            "/api/v1/links",
            json!({"affiliate_id": ann, "token": "ann-promo"}),
        )
        .await,
    );
    let coupon = id_of(
        &api(
            "/api/v1/coupons",
            json!({"affiliate_id": ann, "code": "ANN10"}),
        )
        .await,
    );
    let referral = id_of(
        &api(
            "/api/v1/referrals",
            json!({"affiliate_id": ann, "email": "eve@example.com"}),
        )
        .await,
    );
    let orphan = id_of(
        &api(
            "/api/v1/sales",
            json!({"external_id": "pi_orphan", "amount": "10.00"}),
        )
        .await,
    );
    let s = |v: &str| v.to_owned();
    let campaign_form = |name: &str| {
        vec![
            ("name", s(name)),
            ("website_url", s("https://shop.example.com")),
            ("visibility", s("public")),
            ("commission_type", s("percentage")),
            ("commission_value", s("20")),
            ("recurring", s("lifetime")),
            ("cookie_days", s("30")),
            ("attribution", s("first_click")),
            ("discount_percent", s("0")),
            ("hold_days", s("30")),
            ("minimum_payout", s("50")),
        ]
    };

    let manual = id_of(
        &api(
            "/api/v1/commissions",
            json!({"affiliate_id": ann, "sale_amount": "10.00", "amount": "1.00"}),
        )
        .await,
    );

    // Act and assert, one state-changing admin route after another.
    let routes: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            s("/admin/settings"),
            vec![
                ("name", s("Acme Renamed")),
                ("slug", s("acme")),
                ("currency", s("USD")),
            ],
        ),
        (
            s("/admin/settings/stripe"),
            vec![("stripe_secret", s("whsec_0123456789abcdefghij"))],
        ),
        (s("/admin/api-keys"), vec![("name", s("Probe key"))]),
        (
            s("/admin/team/invitations"),
            vec![("email", s("carol@example.com")), ("role", s("admin"))],
        ),
        (s("/admin/campaigns"), campaign_form("Another")),
        (
            format!("/admin/campaigns/{spare}"),
            campaign_form("Spare two"),
        ),
        (format!("/admin/campaigns/{spare}/archive"), vec![]),
        (format!("/admin/campaigns/{spare}/restore"), vec![]),
        (format!("/admin/campaigns/{spare}/delete"), vec![]),
        (
            s("/admin/affiliates"),
            vec![
                ("email", s("new@example.com")),
                ("first_name", s("New")),
                ("is_enabled", s("true")),
            ],
        ),
        (
            s("/admin/affiliates/bulk"),
            vec![("ids", bea.clone()), ("action", s("approve"))],
        ),
        (format!("/admin/affiliates/{pam}/approve"), vec![]),
        (format!("/admin/affiliates/{rex}/reject"), vec![]),
        (format!("/admin/affiliates/{ann}/suspend"), vec![]),
        (format!("/admin/affiliates/{ann}/enable"), vec![]),
        (
            format!("/admin/affiliates/{ann}"),
            vec![
                ("email", s("ann@example.com")),
                ("first_name", s("Annie")),
                ("last_name", s("Smith")),
                ("is_enabled", s("true")),
            ],
        ),
        (
            format!("/admin/affiliates/{ann}/links"),
            vec![("token", s("ann-spring")), ("url", s(""))],
        ),
        (
            format!("/admin/affiliates/{ann}/coupons"),
            vec![("code", s("SPRING"))],
        ),
        (format!("/admin/links/{link}/delete"), vec![]),
        (format!("/admin/coupons/{coupon}/delete"), vec![]),
        (
            s("/admin/referrals"),
            vec![
                ("affiliate_id", ann.clone()),
                ("email", s("fay@example.com")),
            ],
        ),
        (
            format!("/admin/referrals/{referral}"),
            vec![
                ("email", s("eve@example.com")),
                ("external_customer_id", s("cus_eve")),
            ],
        ),
        (format!("/admin/referrals/{referral}/erase"), vec![]),
        (
            format!("/admin/sales/{orphan}/attribution"),
            vec![("affiliate_id", ann.clone())],
        ),
        (
            format!("/admin/sales/{orphan}/attribution/move"),
            vec![("affiliate_id", dan.clone())],
        ),
        (format!("/admin/sales/{orphan}/attribution/undo"), vec![]),
        (
            s("/admin/commissions"),
            vec![
                ("affiliate_id", ann.clone()),
                ("sale_amount", s("20.00")),
                ("amount", s("2.00")),
            ],
        ),
        (
            format!("/admin/commissions/{manual}"),
            vec![
                ("amount", s("1.50")),
                ("due_date", s("2026-01-20")),
                ("remarks", s("corrected")),
            ],
        ),
        (
            format!("/admin/commissions/{manual}/void"),
            vec![("void_reason", s("duplicate")), ("void_note", s(""))],
        ),
        (
            s("/admin/settings/portal"),
            vec![
                ("logo_url", s("https://cdn.example.com/logo.png")),
                ("accent_color", s("#1e88e5")),
                ("signup_questions", s("Where do you promote?")),
            ],
        ),
        (format!("/admin/affiliates/{ann}/invite_link"), vec![]),
        (format!("/admin/affiliates/{ann}/view_as"), vec![]),
        (format!("/admin/affiliates/{dan}/erase"), vec![]),
        (format!("/admin/affiliates/{del}/delete"), vec![]),
    ];
    for (path, fields) in &routes {
        only_the_post_with_the_token_changes_state(&app, path, fields).await;
    }
    let store = app.store_id("acme").await;
    let carol = tributary::services::invitations::pending(&app.db, store)
        .await
        .unwrap()[0]
        .id;
    only_the_post_with_the_token_changes_state(
        &app,
        &format!("/admin/team/invitations/{carol}/revoke"),
        &[],
    )
    .await;
    crate::settings::add_member(&app, "bob@example.com", "admin").await;
    let bob = tributary::services::team::list(&app.db, store)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.email == "bob@example.com")
        .unwrap()
        .membership_id;
    only_the_post_with_the_token_changes_state(
        &app,
        &format!("/admin/team/members/{bob}/role"),
        &[("role", s("owner"))],
    )
    .await;
    only_the_post_with_the_token_changes_state(
        &app,
        &format!("/admin/team/members/{bob}/remove"),
        &[],
    )
    .await;
    let probe_key = tributary::services::api_keys::list(&app.db, store)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.name == "Probe key")
        .unwrap()
        .id;
    only_the_post_with_the_token_changes_state(
        &app,
        &format!("/admin/api-keys/{probe_key}/revoke"),
        &[],
    )
    .await;
    let mail = tributary::services::email::outbox::list(&app.db, store, None, None, 1)
        .await
        .unwrap()
        .emails[0]
        .id;
    app.sql("UPDATE emails SET status = 'failed'").await;
    only_the_post_with_the_token_changes_state(&app, &format!("/admin/emails/{mail}/retry"), &[])
        .await;
    only_the_post_with_the_token_changes_state(
        &app,
        "/password-reset",
        &[("email", s(OWNER_EMAIL))],
    )
    .await;

    // Switching stores changes only the session.
    let (beta, _, _) = tributary::services::setup::create_admin_from_cli(
        &app.db,
        OWNER_EMAIL,
        OWNER_PASSWORD,
        "Beta Shop",
        Some("beta"),
        "EUR",
    )
    .await
    .unwrap();
    let switch = [("store_id", beta.to_string())];
    let switch: Vec<(&str, &str)> = switch.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let in_beta = || async {
        app.browser
            .get_html("/admin")
            .await
            .contains("<h1>Beta Shop</h1>")
    };
    get_with(&app.browser, "/admin/stores/switch", &switch).await;
    assert!(!in_beta().await, "GET /admin/stores/switch switched");
    let refused = app
        .browser
        .post_form_raw("/admin/stores/switch", &switch)
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!in_beta().await, "POST without the token switched");
    app.browser.post_form("/admin/stores/switch", &switch).await;
    assert!(in_beta().await, "POST with the token switches");

    only_the_post_with_the_token_changes_state(
        &app,
        "/admin/account/password",
        &[
            ("current_password", s(OWNER_PASSWORD)),
            ("new_password", s("a new horse battery staple")),
            ("confirm_password", s("a new horse battery staple")),
        ],
    )
    .await;

    // Signing out and in change only sessions.
    get_with(&app.browser, "/logout", &[]).await;
    assert!(signed_in(&app.browser).await, "GET /logout signed out");
    app.browser.post_form_raw("/logout", &[]).await;
    assert!(
        signed_in(&app.browser).await,
        "POST /logout without the token"
    );
    app.browser.post_form("/logout", &[]).await;
    assert!(
        !signed_in(&app.browser).await,
        "POST /logout with the token"
    );

    let other = app.new_browser();
    let login = [
        ("email", OWNER_EMAIL),
        ("password", "a new horse battery staple"),
    ];
    get_with(&other, "/login", &login).await;
    assert!(!signed_in(&other).await, "GET /login signed in");
    other.post_form_raw("/login", &login).await;
    assert!(!signed_in(&other).await, "POST /login without the token");
    other.post_form("/login", &login).await;
    assert!(signed_in(&other).await, "POST /login with the token");
}
