//! One figure for "paid to date" on the affiliates list, the balance API
//! and a payout's page; and the affiliates list's "Due for payout" tab,
//! filtered and counted in the database, holding exactly whom the Due view
//! can pay, page after page.

use crate::support::*;
use serde_json::json;
use std::collections::BTreeSet;
use tributary::domain::AffiliateId;
use tributary::domain::payout::PayoutMethod;
use tributary::services::affiliates::{self, ListQuery};
use tributary::services::payouts;
use uuid::Uuid;

async fn commission(app: &TestApp, key: &str, affiliate: &str, amount: &str, status: &str) {
    let (code, c) = app
        .api_post(
            "/api/v1/commissions",
            key,
            json!({"affiliate_id": affiliate, "sale_amount": "100.00", "amount": amount,
                   "status": status, "remarks": "test"}),
        )
        .await;
    assert_eq!(code, 201, "{c}");
}

async fn affiliate(app: &TestApp, key: &str, email: &str, extra: serde_json::Value) -> String {
    let mut body = json!({"status": "approved", "payout_email": format!("pay-{email}")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.new_affiliate(key, email, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn campaign(app: &TestApp, key: &str, name: &str, minimum: &str) -> String {
    let (status, c) = app
        .api_post(
            "/api/v1/campaigns",
            key,
            json!({"name": name, "website_url": "https://shop.example.com", "minimum_payout": minimum}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

/// The affiliates list's paid column of `id`, the balance API's `paid`, and
/// (when given) the payout page's "Paid to date".
async fn paid_figures(
    app: &TestApp,
    key: &str,
    id: &str,
    payout: Option<&str>,
) -> (String, String, Option<String>) {
    let list = app.browser.get_html("/admin/affiliates").await;
    let start = list.find(&format!("<tr id=\"affiliate-{id}\"")).unwrap();
    let row = &list[start..start + list[start..].find("</tr>").unwrap()];
    let marker = "data-money=\"paid\">";
    let at = row.find(marker).unwrap() + marker.len();
    let on_list = row[at..].split('<').next().unwrap().to_owned();
    let (status, balance) = app
        .api_json(&format!("/api/v1/affiliates/{id}/balance"), key)
        .await;
    assert_eq!(status, 200, "{balance}");
    let on_page = match payout {
        Some(p) => element_text(
            &app.browser.get_html(&format!("/admin/payouts/{p}")).await,
            "affiliate-paid",
        ),
        None => None,
    };
    (
        on_list,
        balance["paid"].as_str().unwrap().to_owned(),
        on_page,
    )
}

#[tokio::test]
async fn paid_to_date_is_one_figure_on_the_list_the_balance_and_the_payout_page() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = affiliate(&app, &p.key, "ann@example.com", json!({})).await;
    let bob = affiliate(&app, &p.key, "bob@example.com", json!({})).await;
    let pay = |who: String| {
        let (app, key) = (&app, p.key.clone());
        async move {
            let (status, created) = app
                .api_post("/api/v1/payouts", &key, json!({"affiliate_ids": [who]}))
                .await;
            assert_eq!(status, 201, "{created}");
            created["data"][0]["id"].as_str().unwrap().to_owned()
        }
    };
    let mark_paid = |payout: String| {
        let (app, key) = (&app, p.key.clone());
        async move {
            let (status, body) = app
                .api_post(
                    &format!("/api/v1/payouts/{payout}/mark_paid"),
                    &key,
                    json!({}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    };

    // A paid payout of 30.00 (and Bob's 99.00, which is not Ann's).
    commission(&app, &p.key, &ann, "30.00", "due").await;
    commission(&app, &p.key, &bob, "99.00", "due").await;
    let first = pay(ann.clone()).await;
    mark_paid(first.clone()).await;
    mark_paid(pay(bob.clone()).await).await;
    let after_first = paid_figures(&app, &p.key, &ann, Some(&first)).await;
    // 20.00 more paid, then the transfer bounces: the payout is voided.
    commission(&app, &p.key, &ann, "20.00", "due").await;
    let bounced = pay(ann.clone()).await;
    mark_paid(bounced.clone()).await;
    let (status, body) = app
        .api_post(
            &format!("/api/v1/payouts/{bounced}/void"),
            &p.key,
            json!({"void_reason": "The bank returned the transfer"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let after_void = paid_figures(&app, &p.key, &ann, Some(&bounced)).await;
    // The 20.00 again, recorded Komerza style: pending, then paid.
    let (status, recorded) = app
        .api_post(
            &format!("/api/v1/affiliates/{ann}/payouts"),
            &p.key,
            json!({"amount": "20.00"}),
        )
        .await;
    assert_eq!(status, 201, "{recorded}");
    let recorded = recorded["id"].as_str().unwrap().to_owned();
    let while_pending = paid_figures(&app, &p.key, &ann, Some(&recorded)).await;
    mark_paid(recorded.clone()).await;
    let at_last = paid_figures(&app, &p.key, &ann, Some(&recorded)).await;

    let same = |s: &str| (s.to_owned(), s.to_owned(), Some(s.to_owned()));
    assert_eq!(after_first, same("30.00"));
    assert_eq!(after_void, same("30.00"), "a voided payout is not paid");
    assert_eq!(
        while_pending,
        same("30.00"),
        "a pending payout is not paid yet"
    );
    assert_eq!(at_last, same("50.00"));
    let (bob_list, bob_api, _) = paid_figures(&app, &p.key, &bob, None).await;
    assert_eq!((bob_list.as_str(), bob_api.as_str()), ("99.00", "99.00"));
}

#[tokio::test]
async fn the_due_tab_holds_exactly_whom_the_due_view_can_pay_page_after_page() {
    // Arrange: affiliates on each side of every rule of the Due view.
    let app = spawn_app().await;
    let p = app.program().await;
    let (status, _) = app
        .api(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            Some(json!({"minimum_payout": "20.00"})),
        )
        .await;
    assert_eq!(status, 200);
    let creators = campaign(&app, &p.key, "Creators", "0").await;
    let mut expected = BTreeSet::new();
    let at_minimum = affiliate(&app, &p.key, "min@example.com", json!({})).await;
    commission(&app, &p.key, &at_minimum, "20.00", "due").await;
    expected.insert(at_minimum);
    let a_cent_short = affiliate(&app, &p.key, "short@example.com", json!({})).await;
    commission(&app, &p.key, &a_cent_short, "19.99", "due").await;
    let net_zero = affiliate(
        &app,
        &p.key,
        "zero@example.com",
        json!({"campaign_id": creators}),
    )
    .await;
    commission(&app, &p.key, &net_zero, "30.00", "due").await;
    commission(&app, &p.key, &net_zero, "-30.00", "due").await;
    // No payout email: store credit can still pay them.
    let no_email = app
        .new_affiliate(&p.key, "noemail@example.com", json!({"status": "approved"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    commission(&app, &p.key, &no_email, "25.00", "due").await;
    expected.insert(no_email);
    // Due, but a pending payout holds it already.
    let held = affiliate(&app, &p.key, "held@example.com", json!({})).await;
    commission(&app, &p.key, &held, "25.00", "due").await;
    let (status, body) = app
        .api_post("/api/v1/payouts", &p.key, json!({"affiliate_ids": [held]}))
        .await;
    assert_eq!(status, 201, "{body}");
    let only_pending = affiliate(&app, &p.key, "pending@example.com", json!({})).await;
    commission(&app, &p.key, &only_pending, "100.00", "pending").await;
    let a_cent = affiliate(
        &app,
        &p.key,
        "cent@example.com",
        json!({"campaign_id": creators}),
    )
    .await;
    commission(&app, &p.key, &a_cent, "0.01", "due").await;
    expected.insert(a_cent);
    for n in 0..3 {
        let id = affiliate(&app, &p.key, &format!("many{n}@example.com"), json!({})).await;
        commission(&app, &p.key, &id, "50.00", "due").await;
        expected.insert(id);
    }
    app.other_store("beta", "owner@beta.example.com").await;
    let beta = app.api_key("beta").await;
    campaign(&app, &beta, "B", "0").await;
    let dora = affiliate(&app, &beta, "dora@example.com", json!({})).await;
    commission(&app, &beta, &dora, "500.00", "due").await;
    let store = app.store_id("acme").await;

    // Act: the tab, two at a time, and its count.
    let mut paged = BTreeSet::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = affiliates::list(
            &app.db,
            store,
            &ListQuery {
                due_for_payout: true,
                after,
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        pages += 1;
        for a in &page.items {
            assert!(paged.insert(a.id.to_string()), "{} twice", a.id);
        }
        if !page.has_more {
            break;
        }
        after = page.items.last().map(|a| a.id);
    }
    let count = affiliates::count_due_for_payout(&app.db, store)
        .await
        .unwrap();
    // The Due view, by store credit: a missing payout email holds no one
    // back there, as on the tab.
    let due_view: BTreeSet<String> = payouts::due(&app.db, store, "USD", PayoutMethod::StoreCredit)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.affiliate_id.to_string())
        .collect();

    // Assert
    assert_eq!(paged, expected, "the tab's affiliates");
    assert_eq!(due_view, expected, "the Due view agrees");
    assert_eq!(count, expected.len() as i64);
    assert_eq!(pages, 3, "six affiliates, two a page");
    let page = app
        .browser
        .get_html("/admin/affiliates?status=due_for_payout")
        .await;
    assert_eq!(element_text(&page, "count-due").as_deref(), Some("6"));
    assert!(!page.contains(&dora));
    let ids: Vec<AffiliateId> = expected
        .iter()
        .map(|id| AffiliateId(Uuid::parse_str(id).unwrap()))
        .collect();
    let paid = affiliates::paid_to_date(&app.db, store, &ids)
        .await
        .unwrap();
    assert!(paid.is_empty(), "nobody here was paid: {paid:?}");
}
