//! The admin's affiliate pages against the rules they show: the commission
//! the engine pays, the status moves the domain allows, and pages that stay
//! right past a few hundred affiliates.

use crate::support::*;
use chrono::{TimeZone, Utc};
use serde_json::json;
use tributary::domain::affiliate::{AffiliateStatus, StatusAction};
use tributary::domain::campaign::{Commission, CommissionType, Recurring};
use tributary::domain::commission::{Decision, History, Sale, Terms, decide};

/// What the engine pays on the first sale of a referral (or a later one),
/// written as the page writes a rule: with sales of 100.00 and 200.00, a
/// percentage earns twice as much on the second, a fixed amount the same.
fn engine_rule(terms: &Terms, first: bool) -> String {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    let history = if first {
        History::default()
    } else {
        History {
            prior_sales: 1,
            first_sale_at: Some(at),
        }
    };
    let pays = |amount_minor| match decide(
        terms,
        Sale {
            amount_minor,
            tax_minor: 0,
            occurred_at: at,
            hold_from: at,
        },
        history,
    )
    .unwrap()
    {
        Decision::Pay { amount_minor, .. } => amount_minor,
        other => panic!("a lifetime campaign pays: {other:?}"),
    };
    let (on_100, on_200) = (pays(10_000), pays(20_000));
    if on_100 == on_200 {
        format!("{}.{:02} USD per sale", on_100 / 100, on_100 % 100)
    } else {
        assert_eq!(on_200, 2 * on_100);
        // On 100.00 (10 000 minor units) a rule of N basis points earns N.
        assert_eq!(on_100 % 100, 0, "whole percents in this test");
        format!("{}%", on_100 / 100)
    }
}

#[tokio::test]
async fn the_affiliate_page_shows_the_commission_the_engine_pays_for_every_rule_combination() {
    let app = spawn_app().await;
    let p = app.program().await;
    let mut n = 0;
    for kind in [CommissionType::Percentage, CommissionType::Fixed] {
        for first_payment in [false, true] {
            for affiliate_override in [false, true] {
                // Arrange: the campaign's rule is 20 % or 7.00; its first-payment
                // rule, when it has one, the other kind (9.00 or 50 %); the
                // affiliate's own percentage 30 %.
                n += 1;
                let (commission, first_rule) = match kind {
                    CommissionType::Percentage => (
                        json!({"commission_type": "percentage", "commission_value": "20"}),
                        json!({"type": "fixed", "value": "9.00"}),
                    ),
                    CommissionType::Fixed => (
                        json!({"commission_type": "fixed", "commission_value": "7.00"}),
                        json!({"type": "percentage", "value": "50"}),
                    ),
                };
                let mut body =
                    json!({"name": format!("C{n}"), "website_url": "https://shop.example.com"});
                for (k, v) in commission.as_object().unwrap() {
                    body[k] = v.clone();
                }
                if first_payment {
                    body["first_payment_commission"] = first_rule;
                }
                let (status, campaign) = app.api_post("/api/v1/campaigns", &p.key, body).await;
                assert_eq!(status, 201, "{campaign}");
                let mut extra = json!({"campaign_id": campaign["id"]});
                if affiliate_override {
                    extra["commission_percent"] = json!(30);
                }
                let a = app
                    .new_affiliate(&p.key, &format!("a{n}@example.com"), extra)
                    .await;
                let terms = Terms {
                    commission: match kind {
                        CommissionType::Percentage => Commission { kind, value: 2_000 },
                        CommissionType::Fixed => Commission { kind, value: 700 },
                    },
                    first_payment: first_payment.then_some(match kind {
                        CommissionType::Percentage => Commission {
                            kind: CommissionType::Fixed,
                            value: 900,
                        },
                        CommissionType::Fixed => Commission {
                            kind: CommissionType::Percentage,
                            value: 5_000,
                        },
                    }),
                    recurring: Recurring::Lifetime,
                    recurring_limit: None,
                    hold_days: 30,
                    override_bp: affiliate_override.then_some(3_000),
                };

                // Act
                let page = app
                    .browser
                    .get_html(&format!("/admin/affiliates/{}", a["id"].as_str().unwrap()))
                    .await;

                // Assert
                let case = format!(
                    "{kind:?}, first-payment rule {first_payment}, override {affiliate_override}"
                );
                for (id, first) in [("commission-first", true), ("commission-later", false)] {
                    let shown = element_text(&page, id).unwrap_or_else(|| panic!("{id}: {case}"));
                    let engine = engine_rule(&terms, first);
                    assert!(
                        shown.starts_with(&format!("{engine} (")),
                        "{case}: the page says {shown:?} for {id}, the engine pays {engine}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_status_buttons_are_the_moves_the_domain_allows_on_the_api_words() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    // pending → rejected → approved → suspended, through the admin routes.
    let moves = [
        (AffiliateStatus::Pending, Some(StatusAction::Reject)),
        (AffiliateStatus::Rejected, Some(StatusAction::Approve)),
        (AffiliateStatus::Approved, Some(StatusAction::Suspend)),
        (AffiliateStatus::Suspended, None),
    ];
    for (status, next) in moves {
        let row = app
            .browser
            .get_html(&format!("/admin/affiliates?status={}", status.as_str()))
            .await;
        let page = app
            .browser
            .get_html(&format!("/admin/affiliates/{id}"))
            .await;
        let expected: Vec<&str> = StatusAction::allowed_from(status)
            .map(|a| a.as_str())
            .collect();
        for html in [&row, &page] {
            let offered: Vec<&str> = html
                .split("data-action=\"")
                .skip(1)
                .map(|rest| &rest[..rest.find('"').unwrap()])
                .collect();
            assert_eq!(offered, expected, "{status:?}");
        }
        for verb in &expected {
            assert!(
                page.contains(&format!("action=\"/admin/affiliates/{id}/{verb}\"")),
                "{status:?}: the button posts to /{verb}"
            );
        }
        if let Some(action) = next {
            let res = app
                .browser
                .post_form(&format!("/admin/affiliates/{id}/{}", action.as_str()), &[])
                .await;
            assert_eq!(res.status().as_u16(), 303, "{action:?}");
        }
    }
    let (_, now) = app
        .api_json(&format!("/api/v1/affiliates/{id}"), &p.key)
        .await;
    assert_eq!(now["status"], "suspended");
    for old in ["approval", "rejection", "suspension", "reinstatement"] {
        let res = app
            .browser
            .post_form(&format!("/admin/affiliates/{id}/{old}"), &[])
            .await;
        assert_eq!(res.status().as_u16(), 404, "{old} is not a route any more");
    }
}

#[tokio::test]
async fn a_search_answers_with_the_results_partial_and_no_tab_counts() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.new_affiliate(
        &p.key,
        "bob@example.com",
        json!({"first_name": "Bob", "last_name": "Jones"}),
    )
    .await;
    app.new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;

    let res = app
        .browser
        .client
        .get(app.browser.url("/admin/affiliates?q=bob"))
        .header("hx-request", "true")
        .header("hx-target", "affiliate-results")
        .header("hx-trigger", "affiliate-search")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    assert!(
        body.trim_start()
            .starts_with("<div id=\"affiliate-results\">"),
        "the partial only: {body}"
    );
    assert!(body.contains("Bob Jones") && !body.contains("Ann Smith"));
    assert!(!body.contains("count-all"), "the tabs are not recounted");
    assert!(!body.contains("<html"), "no layout");
    // htmx restoring history asks without a target: the whole page.
    let res = app
        .browser
        .client
        .get(app.browser.url("/admin/affiliates?q=bob"))
        .header("hx-request", "true")
        .header("hx-history-restore-request", "true")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains("<html") && body.contains("id=\"count-all\""));
}

#[tokio::test]
async fn the_affiliate_page_shares_each_link_at_its_own_address() {
    let app = spawn_app().await;
    let p = app.program().await;
    // Another store took the token "ann" first.
    app.other_store("beta", "bob@example.com").await;
    let beta = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta,
        json!({"name": "B", "website_url": "https://beta.example.com"}),
    )
    .await;
    app.approved_affiliate(&beta, "ann@example.com", "ann")
        .await;
    let a = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let (status, _) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": a["id"], "token": "ann-only-here"}),
        )
        .await;
    assert_eq!(status, 201);

    let page = app
        .browser
        .get_html(&format!("/admin/affiliates/{}", a["id"].as_str().unwrap()))
        .await;

    assert!(page.contains(&format!(">{}/r/acme/ann<", app.address)));
    assert!(page.contains(&format!(">{}/r/ann-only-here<", app.address)));
}

/// 600 affiliates named A…S (the seeder's), then Zoe Zimmer, who sorts
/// after all of them; returns Zoe's id.
async fn a_store_with_600_affiliates_and_zoe(app: &TestApp, key: &str) -> String {
    tributary::services::seed::run(&app.db, "acme", 600)
        .await
        .unwrap();
    let zoe = app
        .new_affiliate(
            key,
            "zoe@example.com",
            json!({"first_name": "Zoe", "last_name": "Zimmer", "status": "approved", "link_token": "zoe"}),
        )
        .await;
    zoe["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_sales_page_names_the_affiliate_of_a_sale_past_the_first_500() {
    let app = spawn_app().await;
    let p = app.program().await;
    let zoe = a_store_with_600_affiliates_and_zoe(&app, &p.key).await;
    let (status, coupon) = app
        .api_post(
            "/api/v1/coupons",
            &p.key,
            json!({"affiliate_id": zoe, "code": "ZOE10"}),
        )
        .await;
    assert_eq!(status, 201, "{coupon}");
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pi_zoe", "amount": "100.00", "coupon_code": "ZOE10"}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    assert_eq!(sale["affiliate_id"], zoe.as_str());

    let page = app.browser.get_html("/admin/sales").await;

    let start = page
        .find(&format!("id=\"sale-{}\"", sale["id"].as_str().unwrap()))
        .expect("the sale's row");
    let row = &page[start..start + page[start..].find("</tr>").unwrap()];
    assert!(row.contains("Zoe Zimmer"), "{row}");
    assert!(!row.contains("(deleted)"));
    assert!(row.contains("20.00"), "the commission earned: {row}");
}

#[tokio::test]
async fn the_affiliate_picker_finds_anyone_in_the_store_and_only_there() {
    let app = spawn_app().await;
    let p = app.program().await;
    let zoe = a_store_with_600_affiliates_and_zoe(&app, &p.key).await;
    app.other_store("beta", "bob@example.com").await;
    let beta = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta,
        json!({"name": "B", "website_url": "https://beta.example.com"}),
    )
    .await;
    app.new_affiliate(
        &beta,
        "zed@example.com",
        json!({"first_name": "Zed", "last_name": "Zimmer"}),
    )
    .await;

    let options = app
        .browser
        .get_html("/admin/affiliates/options?q=zimmer")
        .await;
    assert_eq!(
        options.matches("type=\"radio\"").count(),
        1,
        "Zoe, not beta's Zed: {options}"
    );
    assert!(options.contains(&format!("name=\"affiliate_id\" value=\"{zoe}\"")));
    assert!(options.contains("Zoe Zimmer"));
    let many = app
        .browser
        .get_html("/admin/affiliates/options?q=smith")
        .await;
    assert_eq!(
        many.matches("type=\"radio\"").count(),
        10,
        "the first matches"
    );
    let none = app
        .browser
        .get_html("/admin/affiliates/options?q=nobody")
        .await;
    assert!(none.contains("Nobody matches"));

    let form = app.browser.get_html("/admin/referrals").await;
    assert!(form.contains("hx-get=\"/admin/affiliates/options\""));
    assert!(
        !form.contains(&format!("<option value=\"{zoe}\"")),
        "no list of everyone"
    );
    // A refused form offers the picked affiliate again, still picked.
    let res = app
        .browser
        .post_form(
            "/admin/referrals",
            &[("affiliate_id", zoe.as_str()), ("email", "not-an-email")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("value=\"{zoe}\" checked")), "{page}");
    let res = app
        .browser
        .post_form(
            "/admin/referrals",
            &[
                ("affiliate_id", zoe.as_str()),
                ("email", "frank@example.com"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, found) = app
        .api_json("/api/v1/referrals?email=frank@example.com", &p.key)
        .await;
    assert_eq!(found["data"][0]["affiliate_id"], zoe.as_str());
}
