use crate::support::*;
use serde_json::{Value, json};

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

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let p = app.program().await;
    let post = |key: &'static str, body: serde_json::Value| {
        let client = app.browser.client.clone();
        let url = app.browser.url("/api/v1/affiliates");
        let bearer = p.key.clone();
        async move {
            client
                .post(url)
                .bearer_auth(bearer)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };

    let first = post(
        "k-1",
        json!({"email": "ann@example.com", "first_name": "Ann"}),
    )
    .await;
    assert_eq!(first.status().as_u16(), 201);
    let first_body: serde_json::Value = first.json().await.unwrap();
    let again = post(
        "k-1",
        json!({"email": "ann@example.com", "first_name": "Ann"}),
    )
    .await;
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again_body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again_body["id"], first_body["id"]);
    assert_eq!(app.count("affiliates").await, 1);

    let other = post(
        "k-1",
        json!({"email": "bob@example.com", "first_name": "Bob"}),
    )
    .await;
    assert_eq!(other.status().as_u16(), 422);
    let body: serde_json::Value = other.json().await.unwrap();
    assert!(has_field_error(&body, "Idempotency-Key"));

    // A first request still running: the duplicate is told to wait.
    let store = app.store_id("acme").await;
    use sea_orm::ActiveModelTrait;
    tributary::entities::idempotency_key::ActiveModel {
        id: sea_orm::Set(uuid::Uuid::now_v7()),
        store_id: sea_orm::Set(store.0),
        key: sea_orm::Set("k-busy".into()),
        request_hash: sea_orm::Set("x".into()),
        response_status: sea_orm::Set(None),
        response_body: sea_orm::Set(None),
        created_at: sea_orm::Set(chrono::Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let hash_of_body = {
        let body = serde_json::to_vec(&json!({"email": "cleo@example.com", "first_name": "Cleo"}))
            .unwrap();
        tributary::services::crypto::sha256_hex(
            &[b"POST /api/v1/affiliates\n".as_slice(), &body].concat(),
        )
    };
    app.sql(&format!(
        "UPDATE idempotency_keys SET request_hash = '{hash_of_body}' WHERE key = 'k-busy'"
    ))
    .await;
    let busy = post(
        "k-busy",
        json!({"email": "cleo@example.com", "first_name": "Cleo"}),
    )
    .await;
    assert_eq!(busy.status().as_u16(), 409);
}
