//! Attributing a sale by hand with a preview first, and correcting a wrong
//! attribution: undo, move (and back), refused once its commission is paid.

use crate::support::*;
use serde_json::{Value, json};

async fn unattributed_sale(app: &TestApp, key: &str, id: &str, amount: &str) -> String {
    let (status, s) = app
        .api_post("/api/v1/sales", key, json!({"external_id": id, "amount": amount, "customer_email": format!("{id}@buyer.example.com")}))
        .await;
    assert_eq!(status, 201, "{s}");
    assert!(s["affiliate_id"].is_null(), "{s}");
    s["id"].as_str().unwrap().to_owned()
}

async fn sale_json(app: &TestApp, key: &str, id: &str) -> Value {
    app.api_json(&format!("/api/v1/sales/{id}"), key).await.1
}

/// Every commission of the sale, as (affiliate id, status, amount).
fn commissions(sale: &Value) -> Vec<(String, String, String)> {
    let mut all: Vec<_> = sale["commissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["affiliate_id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

/// The text (tags dropped) from the element with this id to the first
/// `end` after it.
fn text_of(html: &str, id: &str, end: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let start = start + html[start..].find('>')? + 1;
    let stop = start + html[start..].find(end)?;
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html[start..stop].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

async fn make_due(app: &TestApp) {
    tributary::services::commissions::promote_due(
        &app.db,
        chrono::Utc::now() + chrono::Duration::days(400),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_confirm_page_says_what_commission_results_and_writes_nothing() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();
    let sale = unattributed_sale(&app, &p.key, "pay_1", "150.00").await;

    let before = app.snapshot().await;
    let page = app
        .browser
        .get_html(&format!(
            "/admin/sales/{sale}/attribution?affiliate_id={ann_id}"
        ))
        .await;
    assert_eq!(app.snapshot().await, before, "a preview writes nothing");
    let said = text_of(&page, "preview-result", "</p>").expect("a preview");
    assert!(
        said.contains("Ann Smith") && said.contains("30.00 USD"),
        "{said}"
    );
    assert!(
        page.contains("id=\"confirm-attribution\""),
        "a confirm button"
    );

    let res = app
        .browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution"),
            &[("affiliate_id", ann_id)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let s = sale_json(&app, &p.key, &sale).await;
    assert_eq!(s["affiliate_id"], ann["id"]);
    assert_eq!(
        commissions(&s),
        vec![(ann_id.to_owned(), "pending".into(), "30.00".into())]
    );
}

#[tokio::test]
async fn an_attribution_is_undone_and_moved_and_moved_back_with_the_books_exact() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let bob = app
        .new_affiliate(
            &p.key,
            "bob@example.com",
            json!({"status": "approved", "link_token": "bob", "first_name": "Bob"}),
        )
        .await;
    let (ann_id, bob_id) = (ann["id"].as_str().unwrap(), bob["id"].as_str().unwrap());
    let sale = unattributed_sale(&app, &p.key, "pay_2", "100.00").await;
    let referrals_before = app.count("referrals").await;
    app.browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution"),
            &[("affiliate_id", ann_id)],
        )
        .await;
    make_due(&app).await;
    let (_, balance) = app
        .api_json(&format!("/api/v1/affiliates/{ann_id}/balance"), &p.key)
        .await;
    assert_eq!(balance["available"], "20.00", "{balance}");

    // Undo: the sale is unattributed, its due commission voided through the
    // ledger, and the referral made by hand for it is gone.
    let page = app.browser.get_html(&format!("/admin/sales/{sale}")).await;
    assert!(page.contains("id=\"undo-attribution\""), "an undo button");
    let res = app
        .browser
        .post_form(&format!("/admin/sales/{sale}/attribution/undo"), &[])
        .await;
    assert_eq!(location(&res), format!("/admin/sales/{sale}"));
    let s = sale_json(&app, &p.key, &sale).await;
    assert!(s["affiliate_id"].is_null(), "{s}");
    assert_eq!(
        commissions(&s),
        vec![(ann_id.to_owned(), "voided".into(), "0.00".into())],
        "a voided commission earns nothing"
    );
    let (_, balance) = app
        .api_json(&format!("/api/v1/affiliates/{ann_id}/balance"), &p.key)
        .await;
    assert_eq!(balance["available"], "0.00", "{balance}");
    assert_eq!(
        app.count("referrals").await,
        referrals_before,
        "the manual referral went with it"
    );
    app.assert_books_balance().await;

    // Attribute to Ann again, then move to Bob, then back to Ann.
    app.browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution"),
            &[("affiliate_id", ann_id)],
        )
        .await;
    let preview = app
        .browser
        .get_html(&format!(
            "/admin/sales/{sale}/attribution?affiliate_id={bob_id}"
        ))
        .await;
    let voids = text_of(&preview, "preview-voids", "</ul>").expect("the move says what it voids");
    assert!(
        voids.contains("20.00 USD") && voids.contains("Ann Smith"),
        "{voids}"
    );
    let res = app
        .browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution/move"),
            &[("affiliate_id", bob_id)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let s = sale_json(&app, &p.key, &sale).await;
    assert_eq!(s["affiliate_id"], bob["id"]);
    let live: Vec<_> = commissions(&s)
        .into_iter()
        .filter(|c| c.1 != "voided")
        .collect();
    assert_eq!(
        live,
        vec![(bob_id.to_owned(), "pending".into(), "20.00".into())]
    );
    app.browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution/move"),
            &[("affiliate_id", ann_id)],
        )
        .await;
    let s = sale_json(&app, &p.key, &sale).await;
    assert_eq!(s["affiliate_id"], ann["id"], "moved back: {s}");
    let live: Vec<_> = commissions(&s)
        .into_iter()
        .filter(|c| c.1 != "voided")
        .collect();
    assert_eq!(
        live,
        vec![(ann_id.to_owned(), "pending".into(), "20.00".into())]
    );
    app.assert_books_balance().await;

    let trail = text_of(
        &app.browser.get_html(&format!("/admin/sales/{sale}")).await,
        "sale-trail",
        "</ul>",
    )
    .unwrap();
    assert!(trail.contains("undid the attribution of sale"), "{trail}");
    assert!(
        trail.contains("moved sale pay_2 from Ann Smith to Bob Smith"),
        "{trail}"
    );

    // Moving to the affiliate it already has is refused in the page.
    app.browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution/move"),
            &[("affiliate_id", ann_id)],
        )
        .await;
    let page = app.browser.get_html(&format!("/admin/sales/{sale}")).await;
    assert!(
        page.contains("already attributed to that affiliate"),
        "a flash"
    );
}

#[tokio::test]
async fn a_paid_commission_keeps_its_attribution() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"status": "approved", "link_token": "ann", "payout_email": "ann@pay.example.com"}),
        )
        .await;
    let bob = app
        .approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    let ann_id = ann["id"].as_str().unwrap();
    let sale = unattributed_sale(&app, &p.key, "pay_3", "100.00").await;
    app.browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution"),
            &[("affiliate_id", ann_id)],
        )
        .await;
    make_due(&app).await;
    let (status, payouts) = app
        .api_post(
            "/api/v1/payouts",
            &p.key,
            json!({"affiliate_ids": [ann_id]}),
        )
        .await;
    assert!(status == 201 || status == 200, "{payouts}");

    // In a pending payout: void the payout first.
    let page = app.browser.get_html(&format!("/admin/sales/{sale}")).await;
    let locked = element_text(&page, "attribution-locked").expect("the page says why not");
    assert!(locked.contains("void that payout first"), "{locked}");
    let before = app.snapshot().await;
    app.browser
        .post_form(
            &format!("/admin/sales/{sale}/attribution/move"),
            &[("affiliate_id", bob["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(
        app.snapshot().await.get("commissions"),
        before.get("commissions"),
        "nothing changed"
    );

    let payout_id = payouts["data"][0]["id"]
        .as_str()
        .or(payouts["id"].as_str())
        .unwrap()
        .to_owned();
    let (status, _) = app
        .api_post(
            &format!("/api/v1/payouts/{payout_id}/mark_paid"),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let res = app
        .browser
        .post_form(&format!("/admin/sales/{sale}/attribution/undo"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let page = app.browser.get_html(&format!("/admin/sales/{sale}")).await;
    assert!(
        page.contains("already paid"),
        "the refusal is shown in the page"
    );
    assert_eq!(
        sale_json(&app, &p.key, &sale).await["affiliate_id"],
        ann["id"]
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn the_attribution_picker_offers_only_affiliates_who_earn() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let sam = app
        .approved_affiliate(&p.key, "sam@example.com", "sam")
        .await;
    let (status, _) = app
        .api_post(
            &format!("/api/v1/affiliates/{}/suspend", sam["id"].as_str().unwrap()),
            &p.key,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let earning = app
        .browser
        .get_html("/admin/affiliates/options?q=example.com&earning=true")
        .await;
    assert!(earning.contains("ann@example.com"), "{earning}");
    assert!(
        !earning.contains("sam@example.com"),
        "a suspended affiliate earns nothing: {earning}"
    );
    let any = app
        .browser
        .get_html("/admin/affiliates/options?q=example.com")
        .await;
    assert!(
        any.contains("sam@example.com"),
        "filters still find everyone"
    );
    unattributed_sale(&app, &p.key, "pay_4", "10.00").await;
    let list = app.browser.get_html("/admin/sales").await;
    assert!(
        list.contains("/admin/affiliates/options?earning=true"),
        "the Sales page's picker asks for earning ones"
    );
}

#[tokio::test]
async fn another_stores_sale_cannot_be_previewed_undone_or_moved() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();
    app.other_store("other", "other@example.com").await;
    let other_key = app.api_key("other").await;
    let theirs = unattributed_sale(&app, &other_key, "pay_x", "10.00").await;

    let res = app
        .browser
        .get(&format!(
            "/admin/sales/{theirs}/attribution?affiliate_id={ann_id}"
        ))
        .await;
    assert_eq!(res.status().as_u16(), 404);
    let before = app.snapshot().await;
    for path in ["undo", "move"] {
        let res = app
            .browser
            .post_form(
                &format!("/admin/sales/{theirs}/attribution/{path}"),
                &[("affiliate_id", ann_id)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "nothing of the other store changed"
    );
}
