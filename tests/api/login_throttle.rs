//! The login throttle slows guessing down without letting a stranger lock
//! the owner out (issue 13, point 5).

use reqwest::Response;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tributary::entities::login_throttle;

use crate::support::*;

const WRONG: &str = "guess guess guess";

/// The app behind a proxy, so a test can say which address each attempt
/// comes from (`X-Forwarded-For`).
async fn app_behind_proxy() -> TestApp {
    let app = spawn_app_with(|c| c.trust_proxy = true).await;
    app.setup_owner().await;
    app
}

async fn login_from(browser: &Browser, ip: &str, email: &str, password: &str) -> Response {
    let token = browser.csrf().await;
    browser
        .client
        .post(browser.url("/login"))
        .header("x-forwarded-for", ip)
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("request sent")
}

fn retry_after(res: &Response) -> i64 {
    res.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds")
}

/// Every wait ends now, as if the time had passed.
async fn let_the_waits_pass(app: &TestApp) {
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::BlockedUntil,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(1))),
        )
        .filter(login_throttle::Column::Key.ne(""))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_guesser_from_one_address_is_slowed_and_told_when_to_retry() {
    let app = app_behind_proxy().await;
    let guesser = app.new_browser();
    for _ in 0..6 {
        let res = login_from(&guesser, "203.0.113.9", OWNER_EMAIL, WRONG).await;
        assert_eq!(res.status().as_u16(), 401);
    }

    // Even the right password waits: the throttle still stops guessing.
    let res = login_from(&guesser, "203.0.113.9", OWNER_EMAIL, OWNER_PASSWORD).await;

    assert_eq!(res.status().as_u16(), 429);
    let secs = retry_after(&res);
    assert!((1..=4).contains(&secs), "the first wait is short: {secs}");
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Too many failed sign-in attempts. Try again in") && page.contains(" UTC)."),
        "the page says when: {page}"
    );
}

#[tokio::test]
async fn the_wait_grows_with_each_failure_and_then_ends() {
    let app = app_behind_proxy().await;
    let guesser = app.new_browser();
    for _ in 0..6 {
        login_from(&guesser, "203.0.113.9", OWNER_EMAIL, WRONG).await;
    }
    let first = retry_after(&login_from(&guesser, "203.0.113.9", OWNER_EMAIL, WRONG).await);
    let_the_waits_pass(&app).await;
    assert_eq!(
        login_from(&guesser, "203.0.113.9", OWNER_EMAIL, WRONG)
            .await
            .status()
            .as_u16(),
        401,
        "after the wait an attempt is checked again"
    );

    let second = retry_after(&login_from(&guesser, "203.0.113.9", OWNER_EMAIL, WRONG).await);

    assert!(second > first, "the wait grows: {first}s then {second}s");
    let_the_waits_pass(&app).await;
    let res = login_from(&guesser, "203.0.113.9", OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303, "slowed, not refused for good");
}

#[tokio::test]
async fn many_failures_from_one_address_are_slowed_across_accounts() {
    let app = app_behind_proxy().await;
    let guesser = app.new_browser();
    for i in 0..21 {
        let email = format!("user{i}@example.com");
        let res = login_from(&guesser, "203.0.113.9", &email, WRONG).await;
        assert_eq!(res.status().as_u16(), 401, "attempt {i}");
    }

    let res = login_from(&guesser, "203.0.113.9", "someone-else@example.com", WRONG).await;
    assert_eq!(res.status().as_u16(), 429);
    retry_after(&res);

    // Another address is not slowed by this one's failures.
    let owner = app.new_browser();
    let res = login_from(&owner, "198.51.100.7", OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303);
}

#[tokio::test]
async fn failures_from_another_address_do_not_block_the_owner_on_a_known_device() {
    let app = app_behind_proxy().await;
    // The owner signed in on this browser before: it is a known device.
    let owner = app.new_browser();
    let res = login_from(&owner, "198.51.100.7", OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303);
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("tb_device="))
        .expect("a device cookie at sign-in");
    assert!(device.contains("HttpOnly") && device.contains("SameSite=Lax"));
    assert!(device.contains("Max-Age="), "long-lived: {device}");
    owner.post_form("/logout", &[]).await;

    // A stranger guesses from many addresses until the account itself is slowed.
    let stranger = app.new_browser();
    for address in 1..=6 {
        for _ in 0..5 {
            login_from(
                &stranger,
                &format!("203.0.113.{address}"),
                OWNER_EMAIL,
                WRONG,
            )
            .await;
        }
    }
    let res = login_from(&stranger, "203.0.113.99", OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        res.status().as_u16(),
        429,
        "guessing spread over addresses is stopped for unknown devices"
    );

    // The owner's own browser still gets in with the right password.
    let res = login_from(&owner, "198.51.100.7", OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(owner.get_html("/admin").await.contains("Acme Shop"));
}

#[tokio::test]
async fn a_forged_or_foreign_device_cookie_is_no_known_device() {
    let app = app_behind_proxy().await;
    app.other_store("beta", "bob@example.com").await;
    // Bob's browser is a known device for Bob, not for the owner.
    let bob = app.new_browser();
    let res = login_from(&bob, "203.0.113.9", "bob@example.com", OWNER_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303);
    for _ in 0..6 {
        login_from(&bob, "203.0.113.9", OWNER_EMAIL, WRONG).await;
    }
    let res = login_from(&bob, "203.0.113.9", OWNER_EMAIL, WRONG).await;
    assert_eq!(res.status().as_u16(), 429);

    let forger = app.new_browser();
    let url = reqwest::Url::parse(&app.address).unwrap();
    let bobs = bob.cookie("tb_device").unwrap();
    let owner_id = tributary::services::team::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap()[0]
        .user_id;
    let forged = format!(
        "{owner_id}.{}",
        bobs.split_once('.').unwrap().1 // Bob's device and signature
    );
    forger
        .jar
        .add_cookie_str(&format!("tb_device={forged}; Path=/"), &url);
    let res = login_from(&forger, "203.0.113.9", OWNER_EMAIL, WRONG).await;
    assert_eq!(
        res.status().as_u16(),
        429,
        "a forged cookie counts for nothing"
    );
}
