//! The dashboards' daily rollups (migration 000020) against a full count of
//! the rows they count: after clicks, script visits, leads (one a
//! self-referral), sales, partial and full refunds, a reattribution,
//! commission edits and voids, a manual clawback, promotion to due, a payout
//! marked paid and one voided, a visit moved to another day and a link
//! deleted, `tributary check` finds every day equal; a rollup changed by
//! hand is reported with its store and day; the migration's backfill
//! rebuilds them exactly.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use tributary::domain::period::Period;
use tributary::domain::{AffiliateId, SaleId, StoreId};
use tributary::services::check::Violation;
use tributary::services::stats::{self, Scope};

use crate::support::*;

struct World {
    key: String,
    store: StoreId,
    ann: AffiliateId,
    bob: AffiliateId,
}

fn ts(at: chrono::DateTime<Utc>) -> String {
    let cast = if is_postgres() { "::timestamptz" } else { "" };
    format!("'{}'{cast}", at.to_rfc3339())
}

async fn ok(app: &TestApp, key: &str, method: Method, path: &str, body: Value) -> Value {
    let (status, answer) = app.api(method, path, key, Some(body)).await;
    assert!(status == 200 || status == 201, "{path}: {status} {answer}");
    answer
}

async fn lead(app: &TestApp, key: &str, referral: &str, email: &str) {
    ok(
        app,
        key,
        Method::POST,
        "/api/v1/leads",
        json!({"referral_id": referral, "email": email}),
    )
    .await;
}

async fn sale(
    app: &TestApp,
    key: &str,
    id: &str,
    amount: &str,
    tax: &str,
    referral: &str,
) -> String {
    let days_ago = if id == "s2" { 3 } else { 0 };
    let at = Utc::now() - Duration::days(days_ago);
    let s = ok(
        app,
        key,
        Method::POST,
        "/api/v1/sales",
        json!({"external_id": id, "amount": amount, "tax": tax, "referral_id": referral,
               "occurred_at": at.to_rfc3339()}),
    )
    .await;
    s["id"].as_str().unwrap().to_owned()
}

async fn commission_of(app: &TestApp, key: &str, sale_id: &str) -> String {
    let (_, list) = app
        .api_json(&format!("/api/v1/commissions?sale_id={sale_id}"), key)
        .await;
    list["data"][0]["id"].as_str().unwrap().to_owned()
}

async fn script_visit(app: &TestApp, via: &str) {
    let res = app
        .browser
        .client
        .post(app.browser.url("/api/track/visit"))
        .header("origin", "https://shop.example.com")
        .header("user-agent", CHROME_UA)
        .header("content-type", "text/plain")
        .body(json!({"store": "acme", "via": via}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

/// Every kind of write the rollups count, through the API and services.
async fn activity(app: &TestApp) -> World {
    let p = app.program().await;
    let k = p.key.as_str();
    let mut ids = Vec::new();
    for name in ["ann", "bob"] {
        let a = app
            .new_affiliate(
                k,
                &format!("{name}@example.com"),
                json!({"status": "approved", "link_token": name,
                       "payout_email": format!("{name}@pay.example.com")}),
            )
            .await;
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    let (ann, bob) = (ids[0].clone(), ids[1].clone());

    // Five clicks and a script visit.
    let mut ra = Vec::new();
    for _ in 0..3 {
        ra.push(app.referred("ann").await);
    }
    let rb = [app.referred("bob").await, app.referred("bob").await];
    app.wait_for_rows("visits", 5).await;
    script_visit(app, "ann").await;
    app.wait_for_rows("visits", 6).await;

    // Three leads, and a self-referral (recorded, never counted).
    lead(app, k, &ra[0], "buyer1@example.com").await;
    lead(app, k, &ra[1], "buyer2@example.com").await;
    lead(app, k, &rb[0], "buyer3@example.com").await;
    lead(app, k, &ra[2], "ann@example.com").await;

    let s1 = sale(app, k, "s1", "100.00", "10.00", &ra[0]).await;
    let s2 = sale(app, k, "s2", "50.00", "0", &ra[1]).await;
    let s3 = sale(app, k, "s3", "40.00", "0", &rb[0]).await;
    let s4 = sale(app, k, "s4", "30.00", "0", &rb[1]).await;

    // A partial refund, an edit, a void, a move to another affiliate, a
    // manual clawback.
    ok(
        app,
        k,
        Method::POST,
        &format!("/api/v1/sales/{s2}/refunds"),
        json!({"amount": "20.00"}),
    )
    .await;
    let c1 = commission_of(app, k, &s1).await;
    ok(
        app,
        k,
        Method::PATCH,
        &format!("/api/v1/commissions/{c1}"),
        json!({"amount": "15.00"}),
    )
    .await;
    let c4 = commission_of(app, k, &s4).await;
    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/commissions/{c4}?reason=duplicate"),
            k,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let store = tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    tributary::services::sales::move_attribution(
        &app.db,
        &store,
        &tributary::services::Actor::cli(),
        SaleId(s3.parse().unwrap()),
        AffiliateId(ann.parse().unwrap()),
    )
    .await
    .map_err(|e| format!("{e:?}"))
    .unwrap();
    ok(
        app,
        k,
        Method::POST,
        "/api/v1/commissions",
        json!({"affiliate_id": ann, "sale_amount": "10.00", "amount": "-2.00",
               "remarks": "a manual clawback", "status": "pending"}),
    )
    .await;
    ok(
        app,
        k,
        Method::POST,
        "/api/v1/commissions",
        json!({"affiliate_id": bob, "sale_amount": "50.00", "amount": "5.00", "status": "due"}),
    )
    .await;

    // Everything due; Ann paid, Bob's payout voided; then a refund of a
    // paid sale (a clawback).
    tributary::services::commissions::promote_due(&app.db, Utc::now() + Duration::days(365))
        .await
        .unwrap();
    for (who, paid) in [(&ann, true), (&bob, false)] {
        let made = ok(
            app,
            k,
            Method::POST,
            "/api/v1/payouts",
            json!({"affiliate_ids": [who]}),
        )
        .await;
        let id = made["data"][0]["id"].as_str().unwrap().to_owned();
        if paid {
            ok(
                app,
                k,
                Method::POST,
                &format!("/api/v1/payouts/{id}/mark_paid"),
                json!({}),
            )
            .await;
        } else {
            ok(
                app,
                k,
                Method::POST,
                &format!("/api/v1/payouts/{id}/void"),
                json!({"void_reason": "bounced"}),
            )
            .await;
        }
    }
    ok(
        app,
        k,
        Method::POST,
        &format!("/api/v1/sales/{s1}/refunds"),
        json!({}),
    )
    .await;

    // A visit moved ten days back, by hand.
    app.sql(&format!(
        "UPDATE visits SET created_at = {} WHERE referral_id = {}",
        ts(Utc::now() - Duration::days(10)),
        app.uuid_sql(&ra[2])
    ))
    .await;

    World {
        key: p.key.clone(),
        store: app.store_id("acme").await,
        ann: AffiliateId(ann.parse().unwrap()),
        bob: AffiliateId(bob.parse().unwrap()),
    }
}

fn month() -> Period {
    Period::last_days(30, Utc::now().date_naive())
}

fn rollup_violations(v: Vec<Violation>) -> Vec<tributary::services::stats::RollupMismatch> {
    v.into_iter()
        .filter_map(|v| match v {
            Violation::Rollup(m) => Some(m),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_rollups_equal_a_full_count_after_every_kind_of_write() {
    let app = spawn_app().await;
    let w = activity(&app).await;

    let store = stats::summary(&app.db, Scope::store(w.store), &month())
        .await
        .unwrap();
    let ann = stats::summary(&app.db, Scope::affiliate(w.store, w.ann), &month())
        .await
        .unwrap();
    let violations = tributary::services::check::run(&app.db).await.unwrap();

    let text: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(violations.is_empty(), "{text:#?}");
    // Six visits (five clicks, one script visit); four leads: three signed
    // up, one a visitor who paid at once (s4), never the self-referral;
    // four attributed sales net of tax.
    assert_eq!(
        (
            store.totals.visitors,
            store.totals.leads,
            store.totals.conversions
        ),
        (6, 4, 4)
    );
    assert_eq!(store.totals.revenue_minor, 9000 + 5000 + 4000 + 3000);
    // Ann: her three clicks and the script visit, s1, s2 and s3 (moved to her).
    assert_eq!((ann.totals.visitors, ann.totals.conversions), (4, 3));
    assert_eq!(ann.totals.revenue_minor, 18000);
    // Commissions (20 %): paid to Ann, s1's edited to 15.00, s2's 10.00
    // less its partial refund (6.00), s3's 8.00 once moved to her and her
    // manual −2.00; due, s1's clawback after its full refund (−15.00) and
    // Bob's manual 5.00, back to due when his payout was voided.
    assert_eq!(
        store.totals.commissions,
        tributary::services::stats::Earnings {
            pending: 0,
            due: -1500 + 500,
            paid: 1500 + 600 + 800 - 200,
        }
    );
}

#[tokio::test]
async fn a_deleted_links_visits_leave_its_affiliate_and_stay_in_the_store() {
    let app = spawn_app().await;
    let w = activity(&app).await;
    let (_, links) = app
        .api_json(&format!("/api/v1/links?affiliate_id={}", w.bob.0), &w.key)
        .await;
    let link = links["data"][0]["id"].as_str().unwrap().to_owned();
    // An affiliate's only link cannot be deleted: Bob gets a second one,
    // with no visits, first.
    let (status, body) = app
        .api_post(
            "/api/v1/links",
            &w.key,
            json!({"affiliate_id": w.bob.0, "token": "bob-spare"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/links/{link}"),
            &w.key,
            None,
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");

    let bob = stats::summary(&app.db, Scope::affiliate(w.store, w.bob), &month())
        .await
        .unwrap();
    let store = stats::summary(&app.db, Scope::store(w.store), &month())
        .await
        .unwrap();
    assert_eq!(bob.totals.visitors, 0, "the affiliate's links' visits");
    assert_eq!(store.totals.visitors, 6, "every visit the store recorded");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_rollup_that_differs_from_the_full_count_is_reported_with_its_store_and_day() {
    let app = spawn_app().await;
    let w = activity(&app).await;
    let today = Utc::now().date_naive().to_string();
    app.sql(&format!(
        "UPDATE stats_store_days SET visitors = visitors + 1000 WHERE day = '{today}'"
    ))
    .await;
    app.sql(&format!(
        "UPDATE stats_days SET revenue_lo = revenue_lo + 1 WHERE day = '{today}' AND affiliate_id = {}",
        app.uuid_sql(&w.ann.0.to_string())
    ))
    .await;

    // The dashboards read the rollups…
    let store = stats::summary(&app.db, Scope::store(w.store), &month())
        .await
        .unwrap();
    assert_eq!(store.totals.visitors, 1006);
    // …and check names each day that differs.
    let found = rollup_violations(tributary::services::check::run(&app.db).await.unwrap());
    let ann_today: Vec<_> = found
        .iter()
        .filter(|m| m.affiliate_id == Some(w.ann.0) && m.day == today)
        .collect();
    assert_eq!(ann_today.len(), 1, "{found:#?}");
    assert_eq!(ann_today[0].store_slug, "acme");
    assert_eq!(ann_today[0].figures.len(), 1);
    assert_eq!(ann_today[0].figures[0].figure, "revenue");
    assert_eq!(
        ann_today[0].figures[0].rollup.parse::<i64>().unwrap(),
        ann_today[0].figures[0].count.parse::<i64>().unwrap() + 1
    );
    let store_days: Vec<_> = found.iter().filter(|m| m.affiliate_id.is_none()).collect();
    assert_eq!(store_days.len(), 1, "{found:#?}");
    assert_eq!(store_days[0].day, today);
    // Today's store row: 1000 visitors too many (five were counted).
    let visitors = store_days[0]
        .figures
        .iter()
        .find(|f| f.figure == "visitors");
    assert_eq!(
        visitors.map(|f| (f.rollup.as_str(), f.count.as_str())),
        Some(("1005", "5")),
        "{found:#?}"
    );
    let text = Violation::Rollup(store_days[0].clone()).to_string();
    assert!(
        text.contains("store acme")
            && text.contains(&store_days[0].day)
            && text.contains("visitors"),
        "{text}"
    );
}

#[tokio::test]
async fn the_migrations_backfill_rebuilds_the_rollups_exactly() {
    let app = spawn_app().await;
    let w = activity(&app).await;
    let before = stats::summary(&app.db, Scope::store(w.store), &month())
        .await
        .unwrap();
    app.sql("DELETE FROM stats_days").await;
    app.sql("DELETE FROM stats_store_days").await;
    assert!(
        !rollup_violations(tributary::services::check::run(&app.db).await.unwrap()).is_empty(),
        "emptied rollups differ from the count"
    );

    migration::rebuild_stats_rollups(&app.db).await.unwrap();

    let after = stats::summary(&app.db, Scope::store(w.store), &month())
        .await
        .unwrap();
    assert_eq!(after, before);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_money_sum_beyond_i64_is_refused_by_the_dashboard_never_wrapped_and_stays_exact() {
    let app = spawn_app().await;
    let w = activity(&app).await;
    let ann_paid = format!(
        "affiliate_id = {} AND status = 'paid'",
        app.uuid_sql(&w.ann.0.to_string())
    );
    // Rows from before amounts were bounded: Ann's paid commissions of
    // today near i64::MAX each.
    app.sql(&format!(
        "UPDATE commissions SET amount_minor = {} WHERE {ann_paid}",
        i64::MAX - 10
    ))
    .await;

    let store = stats::summary(&app.db, Scope::store(w.store), &month()).await;
    let ann = stats::summary(&app.db, Scope::affiliate(w.store, w.ann), &month()).await;
    let bob = stats::summary(&app.db, Scope::affiliate(w.store, w.bob), &month()).await;
    // (The check's payout sums do not fit either: only the rollups here.)
    let found = stats::rollup_mismatches(&app.db).await.unwrap();

    // Today's paid money does not fit: the dashboards say so (as the sum
    // over the rows did), Bob's do not care, and the rollups still equal
    // the count exactly.
    assert!(store.is_err() && ann.is_err(), "{store:?} {ann:?}");
    assert!(bob.is_ok(), "{bob:?}");
    assert!(found.is_empty(), "{found:#?}");

    // Back in range, everything reads again: nothing was lost on the way.
    app.sql(&format!(
        "UPDATE commissions SET amount_minor = 100 WHERE {ann_paid}"
    ))
    .await;
    let store = stats::summary(&app.db, Scope::store(w.store), &month()).await;
    assert!(store.is_ok(), "{store:?}");
    let found = stats::rollup_mismatches(&app.db).await.unwrap();
    assert!(found.is_empty(), "{found:#?}");
}
