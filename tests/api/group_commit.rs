//! Sales posted at once are committed together by the sales writer (one
//! transaction, reads shared, writes staged). These check that a batch
//! behaves exactly as the same sales one by one would.

use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};

/// Posts every (key, body) at the same moment; the statuses and bodies in order.
async fn post_all_at_once(app: &TestApp, calls: Vec<(String, Value)>) -> Vec<(u16, Value)> {
    let mut running = Vec::new();
    for (key, body) in calls {
        let client = app.browser.client.clone();
        let url = app.browser.url("/api/v1/sales");
        running.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for r in running {
        answers.push(r.await.unwrap());
    }
    answers
}

async fn events_of_type(app: &TestApp, event_type: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    tributary::entities::event::Entity::find()
        .filter(tributary::entities::event::Column::EventType.eq(event_type))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn payments_of_one_customer_committed_together_are_counted_one_by_one() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (status, campaign) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            Some(json!({"recurring": "payments", "recurring_limit": 3})),
        )
        .await;
    assert_eq!(status, 200, "{campaign}");
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;

    let calls = (0..8)
        .map(|i| {
            (
                p.key.clone(),
                json!({"external_id": format!("pi_{i}"), "amount": "10.00", "referral_id": referral}),
            )
        })
        .collect();
    let answers = post_all_at_once(&app, calls).await;

    assert!(answers.iter().all(|(s, _)| *s == 201), "{answers:?}");
    assert_eq!(app.count("sales").await, 8);
    assert_eq!(
        app.count("commissions").await,
        3,
        "the campaign pays the first 3 payments only"
    );
    let paid = answers
        .iter()
        .filter(|(_, b)| !b["commissions"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(paid, 3, "the answers agree with the rows");
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(r["sale_count"], 8);
    assert_eq!(r["state"], "converted");
    let (_, links) = app.api_json("/api/v1/links", &p.key).await;
    assert_eq!(
        links["data"][0]["conversions"], 1,
        "a customer converts once"
    );
    assert_eq!(events_of_type(&app, "referral.converted").await, 1);
    assert_eq!(events_of_type(&app, "sale.created").await, 8);
    assert_eq!(events_of_type(&app, "commission.created").await, 3);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_refused_sale_among_others_leaves_nothing_and_undoes_nothing_else() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = app.referred("ann").await;
    app.other_store("beta", "bob@example.com").await;
    let beta = app.api_key("beta").await;

    // Even calls are good; odd ones come from another store naming this
    // store's referral, which that store must not find.
    let calls = (0..20)
        .map(|i| {
            let key = if i % 2 == 0 { p.key.clone() } else { beta.clone() };
            (
                key,
                json!({"external_id": format!("pi_{i}"), "amount": "25.00", "referral_id": referral}),
            )
        })
        .collect();
    let answers = post_all_at_once(&app, calls).await;

    for (i, (status, body)) in answers.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(*status, 201, "{body}");
            assert_eq!(body["commissions"][0]["amount"], "5.00");
        } else {
            assert_eq!(*status, 422, "{body}");
            assert!(has_field_error(body, "referral_id"), "{body}");
        }
    }
    assert_eq!(app.count("sales").await, 10);
    assert_eq!(app.count("commissions").await, 10);
    assert_eq!(events_of_type(&app, "sale.created").await, 10);
    let (_, beta_sales) = app.api_json("/api/v1/sales", &beta).await;
    assert!(beta_sales["data"].as_array().unwrap().is_empty());
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_new_coupon_customer_paying_several_times_at_once_gets_one_referral() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.affiliate_with_coupon(&p.key, "ann@example.com", "ann", "ANN10")
        .await;

    let calls = (0..6)
        .map(|i| {
            (
                p.key.clone(),
                json!({"external_id": format!("pi_{i}"), "amount": "50.00", "coupon_code": "ANN10", "external_customer_id": "cus_dora"}),
            )
        })
        .collect();
    let answers = post_all_at_once(&app, calls).await;

    assert!(answers.iter().all(|(s, _)| *s == 201), "{answers:?}");
    assert_eq!(
        app.count("referrals").await,
        1,
        "one customer, one referral"
    );
    assert_eq!(events_of_type(&app, "referral.created").await, 1);
    let referral = &answers[0].1["referral_id"];
    assert!(answers.iter().all(|(_, b)| &b["referral_id"] == referral));
    let (_, r) = app
        .api_json(
            &format!("/api/v1/referrals/{}", referral.as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(r["sale_count"], 6);
    assert_eq!(r["external_customer_id"], "cus_dora");
}

#[tokio::test]
async fn a_sales_answer_is_what_a_later_read_returns() {
    // The answer is built from the rows staged in memory, not read back:
    // it must agree with the database to the microsecond.
    let app = spawn_app().await;
    let p = app.program().await;
    app.affiliate_with_coupon(&p.key, "ann@example.com", "ann", "ANN10")
        .await;
    let referral = app.referred("ann").await;
    let bodies = [
        json!({"external_id": "pi_ref", "amount": "19.99", "tax": "1.99", "referral_id": referral}),
        json!({"external_id": "pi_coupon", "amount": "7.77", "coupon_code": "ann10", "customer_email": "dora@example.com", "occurred_at": "2026-11-01T10:00:00.123456789Z"}),
        json!({"external_id": "pi_none", "amount": "5.00"}),
    ];
    for body in bodies {
        let (status, mut posted) = app.api_post("/api/v1/sales", &p.key, body).await;
        assert_eq!(status, 201, "{posted}");
        let (_, read) = app
            .api_json(
                &format!("/api/v1/sales/{}", posted["id"].as_str().unwrap()),
                &p.key,
            )
            .await;
        posted["note"] = read["note"].clone();
        assert_eq!(posted, read);
    }
}
