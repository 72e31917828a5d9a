use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_click_records_a_visit_and_referral_sets_cookies_and_redirects_with_the_referral() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    app.api_post("/api/v1/links", &p.key, json!({"affiliate_id": ann["id"], "token": "ann-pricing", "url": "https://shop.example.com/pricing?plan=pro"})).await;
    let visitor = app.new_browser();

    let res = visitor
        .client
        .get(visitor.url("/r/ann-pricing"))
        .header("user-agent", CHROME_UA)
        .header("referer", "https://blog.example.net/post")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 302);
    let location = location(&res);
    assert!(
        location.starts_with("https://shop.example.com/pricing?plan=pro&"),
        "the existing query is kept: {location}"
    );
    assert_eq!(
        query_param(&location, "via").as_deref(),
        Some("ann-pricing")
    );
    let referral_id = query_param(&location, "tb_ref").expect("tb_ref");
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("tb_vid=") && c.contains("HttpOnly")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("tb_r_") && c.contains("Max-Age=5184000")),
        "the campaign's 60 days: {cookies:?}"
    );
    app.wait_for_rows("visits", 1).await;
    let (status, r) = app
        .api_json(&format!("/api/v1/referrals/{referral_id}"), &p.key)
        .await;
    assert_eq!(status, 200);
    assert_eq!(r["state"], "visitor");
    assert_eq!(r["affiliate_id"], ann["id"]);
    // Written by the click writer (its own SQLite connection): the times
    // read back as the ORM reads them, and the outbox has the new referral.
    let expires = chrono::DateTime::parse_from_rfc3339(r["expires_at"].as_str().unwrap())
        .expect("expires_at reads back");
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours() / 24;
    assert!((59..=60).contains(&days), "60 cookie days: {r}");
    {
        use sea_orm::{ConnectionTrait, Statement};
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                "SELECT payload FROM events WHERE event_type = 'referral.created'",
            ))
            .await
            .unwrap()
            .expect("a referral.created event");
        let payload: String = row.try_get("", "payload").unwrap();
        assert!(payload.contains(&referral_id), "{payload}");
    }
    let (_, links) = app
        .api_json(
            &format!("/api/v1/links?affiliate_id={}", ann["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    let pricing = links["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["token"] == "ann-pricing")
        .unwrap()
        .clone();
    assert_eq!(pricing["visitors"], 1);
}

#[tokio::test]
async fn unknown_links_bots_and_suspended_affiliates_record_nothing() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let visitor = app.new_browser();

    let res = visitor.click("/r/nobody-here").await;
    assert_eq!(res.status().as_u16(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This link does not exist")
    );

    let res = visitor
        .client
        .get(visitor.url("/r/ann"))
        .header(
            "user-agent",
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 302, "bots are still redirected");
    assert!(query_param(&location(&res), "tb_ref").is_none());

    app.api(
        Method::POST,
        &format!("/api/v1/affiliates/{}/suspend", ann["id"].as_str().unwrap()),
        &p.key,
        None,
    )
    .await;
    let res = visitor.click("/r/ann").await;
    assert_eq!(res.status().as_u16(), 302);
    assert_eq!(query_param(&location(&res), "via").as_deref(), Some("ann"));
    assert!(query_param(&location(&res), "tb_ref").is_none());

    // A click that counts, queued after the others: the writer commits in
    // order, so once its referral is written, anything queued before it is
    // written too.
    let bob = app
        .approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    let counted = query_param(&location(&visitor.click("/r/bob").await), "tb_ref")
        .expect("a browser's click on an earning link counts");
    let r = written_referral(&app, &p.key, &counted).await;
    assert_eq!(r["affiliate_id"], bob["id"]);
    assert_eq!(app.count("visits").await, 1, "Bob's click only");
    assert_eq!(app.count("referrals").await, 1, "Bob's click only");
}

/// The referral `id` once the click writer has committed it.
async fn written_referral(app: &TestApp, key: &str, id: &str) -> serde_json::Value {
    let started = std::time::Instant::now();
    loop {
        let (status, r) = app.api_json(&format!("/api/v1/referrals/{id}"), key).await;
        if status == 200 {
            return r;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "referral {id} was never written: {status} {r}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn first_click_keeps_the_referral_and_last_click_replaces_it() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    app.approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    let visitor = app.new_browser();

    let first = query_param(&location(&visitor.click("/r/ann").await), "tb_ref").unwrap();
    let second = query_param(&location(&visitor.click("/r/bob").await), "tb_ref").unwrap();
    assert_eq!(first, second, "first click: the unexpired referral stays");
    app.wait_for_rows("visits", 2).await;
    assert_eq!(app.count("referrals").await, 1);

    app.api(
        Method::PATCH,
        &format!("/api/v1/campaigns/{}", p.campaign_id),
        &p.key,
        Some(json!({"attribution": "last_click"})),
    )
    .await;
    let third = query_param(&location(&visitor.click("/r/bob").await), "tb_ref").unwrap();
    assert_ne!(third, first, "last click: a new referral");
    app.wait_for_rows("referrals", 2).await;
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{third}"), &p.key)
        .await;
    assert_eq!(r["email"], serde_json::Value::Null);
    let (_, bob) = app
        .api_json("/api/v1/affiliates?email=bob@example.com", &p.key)
        .await;
    assert_eq!(r["affiliate_id"], bob["data"][0]["id"]);
}

#[tokio::test]
async fn a_lead_moves_the_referral_and_an_affiliates_own_email_is_not_credited() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();
    let own = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();

    let (status, lead) = app.api_post("/api/v1/leads", &p.key, json!({"referral_id": referral, "email": "Carol@Example.com", "external_customer_id": "cus_carol"})).await;
    assert_eq!(status, 200, "{lead}");
    assert_eq!(lead["state"], "lead");
    assert_eq!(lead["email"], "carol@example.com");
    let (_, self_lead) = app
        .api_post(
            "/api/v1/leads",
            &p.key,
            json!({"referral_id": own, "email": "ann@example.com"}),
        )
        .await;
    assert_eq!(self_lead["self_referral"], true);
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            &p.key,
            json!({"external_id": "pay_self", "amount": "100.00", "referral_id": own}),
        )
        .await;
    assert_eq!(status, 201);
    assert!(
        sale["commissions"].as_array().unwrap().is_empty(),
        "self-referral: recorded, not credited"
    );
    assert!(sale["note"].as_str().unwrap().contains("self-referral"));
    let (_, links) = app.api_json("/api/v1/links", &p.key).await;
    assert_eq!(links["data"][0]["leads"], 1, "only the genuine lead counts");

    let (status, bad) = app
        .api_post("/api/v1/leads", &p.key, json!({"email": "x@example.com"}))
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&bad, "referral_id"));
    let (status, bad) = app
        .api_post(
            "/api/v1/leads",
            &p.key,
            json!({"referral_id": uuid::Uuid::now_v7().to_string(), "email": "x@example.com"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&bad, "referral_id"));
}

#[tokio::test]
async fn the_tracking_script_is_served_and_its_calls_are_allowed_only_from_the_stores_sites() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;

    let res = app.browser.get("/t.js").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    assert!(
        res.headers()
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let script = res.text().await.unwrap();
    assert!(
        script.contains("T.lead = function") && script.contains("/api/track/visit"),
        "the tracking script itself"
    );

    let visit = |origin: &'static str| {
        let client = app.browser.client.clone();
        let url = app.browser.url("/api/track/visit");
        async move {
            client.post(url).header("origin", origin).header("user-agent", CHROME_UA).header("content-type", "text/plain")
                .body(r#"{"store":"acme","via":"ann","landing_url":"https://shop.example.com/?via=ann"}"#).send().await.unwrap()
        }
    };
    let res = visit("https://shop.example.com").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://shop.example.com"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["referral_id"].is_string());
    assert_eq!(body["cookie_days"], 60);
    app.wait_for_rows("visits", 1).await;

    let res = visit("https://evil.example.net").await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_token_two_stores_share_leads_each_store_to_its_own_link() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    app.other_store("beta", "bob@example.com").await;
    let beta = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta,
        json!({"name": "B", "website_url": "https://beta.example.com"}),
    )
    .await;
    let b = app
        .approved_affiliate(&beta, "ann@example.com", "ann")
        .await;

    let (_, beta_links) = app
        .api_json(
            &format!("/api/v1/links?affiliate_id={}", b["id"].as_str().unwrap()),
            &beta,
        )
        .await;
    let (_, acme_links) = app.api_json("/api/v1/links", &p.key).await;

    assert_eq!(
        acme_links["data"][0]["share_url"],
        format!("{}/r/ann", app.address),
        "the older link keeps the short address"
    );
    let beta_url = beta_links["data"][0]["share_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(beta_url, format!("{}/r/beta/ann", app.address));
    let res = app
        .new_browser()
        .click(beta_url.strip_prefix(&app.address).unwrap())
        .await;
    assert!(
        location(&res).starts_with("https://beta.example.com/"),
        "{}",
        location(&res)
    );
    let res = app.new_browser().click("/r/ann").await;
    assert!(location(&res).starts_with("https://shop.example.com/"));
}

async fn script_call(
    app: &TestApp,
    path: &str,
    origin: Option<&str>,
    body: serde_json::Value,
) -> reqwest::Response {
    let mut req = app
        .browser
        .client
        .post(app.browser.url(path))
        .header("user-agent", CHROME_UA)
        .header("content-type", "text/plain")
        .body(body.to_string());
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_stale_tb_ref_in_a_published_address_is_not_adopted() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let landed = location(&app.new_browser().click("/r/ann").await);
    let referral = query_param(&landed, "tb_ref").unwrap();
    let click = query_param(&landed, "tb_click").unwrap();
    app.wait_for_rows("visits", 1).await;

    // Fresh from the click: adopted.
    let res = script_call(
        &app,
        "/api/track/visit",
        Some("https://shop.example.com"),
        json!({"store": "acme", "via": "ann", "redirect_referral": referral, "redirect_click": click}),
    )
    .await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["referral_id"], referral.as_str());

    // The same id an hour later, copied into an address: ignored.
    let old = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let cast = if is_postgres() { "::timestamptz" } else { "" };
    app.sql(&format!("UPDATE referrals SET created_at = '{old}'{cast}"))
        .await;
    app.sql(&format!("UPDATE visits SET created_at = '{old}'{cast}"))
        .await;
    let res = script_call(
        &app,
        "/api/track/visit",
        Some("https://shop.example.com"),
        json!({"store": "acme", "redirect_referral": referral, "redirect_click": click}),
    )
    .await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["referral_id"].is_null(), "{body}");
}

#[tokio::test]
async fn an_expired_referral_the_page_holds_is_neither_confirmed_nor_kept() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let held = app.referred("ann").await;
    app.wait_for_rows("referrals", 1).await;
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let cast = if is_postgres() { "::timestamptz" } else { "" };
    app.sql(&format!("UPDATE referrals SET expires_at = '{past}'{cast}"))
        .await;

    let page = |body: serde_json::Value| {
        let app = &app;
        async move {
            script_call(
                app,
                "/api/track/visit",
                Some("https://shop.example.com"),
                body,
            )
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()
        }
    };
    let bare = page(json!({"store": "acme", "referral_id": held})).await;
    let via = page(json!({"store": "acme", "via": "ann", "referral_id": held})).await;

    assert!(bare["referral_id"].is_null(), "not confirmed: {bare}");
    assert!(via["referral_id"].is_string(), "{via}");
    assert_ne!(
        via["referral_id"],
        held.as_str(),
        "first click keeps only a live referral"
    );
    assert_eq!(via["cookie_days"], 60);
}

/// The store page's visit call, from `address` (via a trusted proxy).
async fn page_visit(app: &TestApp, address: &str, body: serde_json::Value) -> serde_json::Value {
    app.browser
        .client
        .post(app.browser.url("/api/track/visit"))
        .header("user-agent", CHROME_UA)
        .header("content-type", "text/plain")
        .header("origin", "https://shop.example.com")
        .header("x-forwarded-for", address)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_fresh_tb_ref_is_adopted_by_the_clicking_browser_only() {
    let app = spawn_app_with(|c| c.trust_proxy = true).await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let visitor = app.new_browser();
    let landed = location(
        &visitor
            .client
            .get(visitor.url("/r/ann"))
            .header("user-agent", CHROME_UA)
            .header("x-forwarded-for", "192.0.2.1")
            .send()
            .await
            .unwrap(),
    );
    let (referral, click) = (
        query_param(&landed, "tb_ref").unwrap(),
        query_param(&landed, "tb_click").unwrap(),
    );
    let arrival = json!({"store": "acme", "via": "ann", "redirect_referral": referral, "redirect_click": click});

    // The clicking browser takes it, and again on a reload before its
    // cookie was kept (consent mode).
    let first = page_visit(&app, "192.0.2.1", arrival.clone()).await;
    assert_eq!(first["referral_id"], referral.as_str());
    let reload = page_visit(&app, "192.0.2.1", arrival.clone()).await;
    assert_eq!(reload["referral_id"], referral.as_str());

    // The same fresh address opened elsewhere: a referral of their own
    // through `via` (Ann's still), never the clicking browser's.
    let other = page_visit(&app, "198.51.100.7", arrival.clone()).await;
    let theirs = other["referral_id"].as_str().unwrap().to_owned();
    assert_ne!(theirs, referral);
    app.wait_for_rows("referrals", 2).await;
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{theirs}"), &p.key)
        .await;
    assert_eq!(r["affiliate_id"], ann["id"]);
    // Without its click, a `tb_ref` is not taken at all.
    let bare = page_visit(
        &app,
        "192.0.2.1",
        json!({"store": "acme", "redirect_referral": referral}),
    )
    .await;
    assert!(bare["referral_id"].is_null(), "{bare}");

    // The visitor clicks again later (first click keeps the referral) and
    // their page lost its cookie: the new click is theirs to take.
    let again = location(
        &visitor
            .client
            .get(visitor.url("/r/ann"))
            .header("user-agent", CHROME_UA)
            .header("x-forwarded-for", "203.0.113.5")
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(query_param(&again, "tb_ref").unwrap(), referral);
    let second_click = query_param(&again, "tb_click").unwrap();
    assert_ne!(second_click, click);
    let back = page_visit(&app, "203.0.113.5", json!({"store": "acme", "via": "ann", "redirect_referral": referral, "redirect_click": second_click})).await;
    assert_eq!(back["referral_id"], referral.as_str());
}

#[tokio::test]
async fn the_script_cannot_rename_a_referral_and_needs_the_stores_origin() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let referral = query_param(
        &location(&app.new_browser().click("/r/ann").await),
        "tb_ref",
    )
    .unwrap();
    app.api_post(
        "/api/v1/leads",
        &p.key,
        json!({"referral_id": referral, "email": "carol@example.com"}),
    )
    .await;

    let res = script_call(
        &app,
        "/api/track/lead",
        None,
        json!({"store": "acme", "referral_id": referral, "email": "big@example.com"}),
    )
    .await;
    assert_eq!(
        res.status().as_u16(),
        403,
        "no origin: not from the store's page"
    );
    let res = script_call(
        &app,
        "/api/track/lead",
        Some("http://shop.example.com"),
        json!({"store": "acme", "referral_id": referral, "email": "big@example.com"}),
    )
    .await;
    assert_eq!(
        res.status().as_u16(),
        403,
        "http is not the campaign's https site"
    );
    let res = script_call(
        &app,
        "/api/track/lead",
        Some("https://shop.example.com"),
        json!({"store": "acme", "referral_id": referral, "email": "big@example.com"}),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let (_, r) = app
        .api_json(&format!("/api/v1/referrals/{referral}"), &p.key)
        .await;
    assert_eq!(
        r["email"], "carol@example.com",
        "an identified referral keeps its person"
    );
}
