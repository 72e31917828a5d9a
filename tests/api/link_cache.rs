//! The click path's link cache follows every change: at once on the
//! instance that made it, within a poll of the version row on every other
//! instance on the same database (never the cache's 10 s TTL).

use std::time::{Duration, Instant};

use reqwest::Method;

use crate::support::*;

/// How long another instance may take to notice a change.
const BOUND: Duration = Duration::from_secs(2);

/// Whether a new visitor's click through `app` earns (the redirect carries a
/// referral) rather than only forwarding.
async fn earns(app: &TestApp, path: &str) -> bool {
    let res = app.new_browser().click(path).await;
    assert_eq!(res.status().as_u16(), 302, "{path}");
    query_param(&location(&res), "tb_ref").is_some()
}

/// Clicks through `app` until `done` holds for the answer, failing after `BOUND`.
async fn within_bound(app: &TestApp, path: &str, what: &str, done: impl Fn(u16, bool) -> bool) {
    let started = Instant::now();
    loop {
        let res = app.new_browser().click(path).await;
        let status = res.status().as_u16();
        let earning = query_param(&location(&res), "tb_ref").is_some();
        if done(status, earning) {
            return;
        }
        assert!(
            started.elapsed() < BOUND,
            "{what}: still {status} (earning: {earning}) after {BOUND:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_suspension_through_one_instance_stops_earning_on_every_instance_within_a_second() {
    let a = spawn_app().await;
    let p = a.program().await;
    let ann = a.approved_affiliate(&p.key, "ann@example.com", "ann").await;
    let b = a.another_instance().await;
    assert!(earns(&a, "/r/ann").await, "instance A has the link cached");
    assert!(earns(&b, "/r/ann").await, "instance B has the link cached");

    let (status, body) = a
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{}/suspend", ann["id"].as_str().unwrap()),
            &p.key,
            None,
        )
        .await;

    assert_eq!(status, 200, "{body}");
    assert!(!earns(&a, "/r/ann").await, "at once on instance A");
    within_bound(&b, "/r/ann", "instance B", |status, earning| {
        status == 302 && !earning
    })
    .await;
}

#[tokio::test]
async fn a_store_slug_changed_on_settings_reaches_the_click_path() {
    let a = spawn_app().await;
    let p = a.program().await;
    a.approved_affiliate(&p.key, "ann@example.com", "ann").await;
    let b = a.another_instance().await;
    assert!(earns(&a, "/r/acme/ann").await);
    assert!(earns(&b, "/r/acme/ann").await);

    let res = a
        .browser
        .post_form(
            "/admin/settings",
            &[
                ("name", "Acme Shop"),
                ("slug", "acme-two"),
                ("currency", "USD"),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 303);
    assert!(earns(&a, "/r/acme-two/ann").await, "at once on instance A");
    assert_eq!(
        a.new_browser().click("/r/acme/ann").await.status().as_u16(),
        404,
        "the old address names no store"
    );
    within_bound(&b, "/r/acme-two/ann", "instance B", |status, earning| {
        status == 302 && earning
    })
    .await;
}
