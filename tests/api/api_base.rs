use crate::support::*;
use serde_json::Value;

#[tokio::test]
async fn me_returns_the_keys_store() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let res = app.api_get("/api/v1/me", &key).await;

    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Acme Shop");
    assert_eq!(body["slug"], "acme");
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["id"], app.store_id("acme").await.to_string());
}

#[tokio::test]
async fn each_key_sees_only_its_own_store() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", "bob@example.com").await;
    let beta_key = app.api_key("beta").await;

    let body: Value = app
        .api_get("/api/v1/me", &beta_key)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(body["slug"], "beta");
    assert_eq!(body["currency"], "EUR");
}

async fn assert_unauthorized(res: reqwest::Response) {
    assert_eq!(res.status().as_u16(), 401);
    assert!(
        res.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["message"].as_str().unwrap().len() > 10);
    assert!(body["error"]["details"].is_array());
}

#[tokio::test]
async fn missing_malformed_or_unknown_keys_get_the_401_json() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let client = &app.browser.client;
    let url = app.browser.url("/api/v1/me");

    assert_unauthorized(client.get(&url).send().await.unwrap()).await;
    assert_unauthorized(
        client
            .get(&url)
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_unauthorized(
        client
            .get(&url)
            .bearer_auth("tb_not_a_real_key")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_unauthorized(client.get(&url).bearer_auth("").send().await.unwrap()).await;
}

#[tokio::test]
async fn a_key_in_the_query_string_is_refused_even_when_valid() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let res = app.browser.get(&format!("/api/v1/me?api_key={key}")).await;

    assert_unauthorized(res).await;
    let res = app
        .browser
        .client
        .get(app.browser.url(&format!("/api/v1/me?access_token={key}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        401,
        "refused even alongside a header"
    );
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;

    let res = app.api_get("/api/v1/nothing-here", &key).await;

    assert_eq!(res.status().as_u16(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let big = "x".repeat(300 * 1024);

    let res = app
        .browser
        .post_form("/admin/api-keys", &[("name", &big)])
        .await;

    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(app.count("api_keys").await, 0);
}
