//! Issue 13, point 6: a request body is one JSON value and an amount is a
//! plain decimal; anything the lenient parsers used to take is a 422.

use crate::support::*;
use serde_json::json;

async fn post_raw(app: &TestApp, key: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let res = app
        .browser
        .client
        .post(app.browser.url(path))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn data_after_the_json_object_is_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    for body in [
        r#"{"external_id":"tg","amount":"1"} xx"#,
        r#"{"external_id":"tg","amount":"1"}{"external_id":"tg2","amount":"1"}"#,
        r#"{"external_id":"tg","amount":"1"},"#,
    ] {
        let (status, json) = post_raw(&app, &p.key, "/api/v1/sales", body).await;
        assert_eq!(status, 422, "{body}: {json}");
        assert!(has_field_error(&json, "body"), "{body}: {json}");
    }
    assert_eq!(app.count("sales").await, 0);
    // Whitespace after the object is still one JSON value.
    let (status, json) = post_raw(
        &app,
        &p.key,
        "/api/v1/sales",
        "{\"external_id\":\"tg\",\"amount\":\"1\"} \n\t",
    )
    .await;
    assert_eq!(status, 201, "{json}");
}

#[tokio::test]
async fn an_amount_must_be_a_plain_decimal_as_a_string_or_a_number() {
    let app = spawn_app().await;
    let p = app.program().await;
    let bad_strings = [
        "1_000", "1e3", "+5", ".5", "5.", "1,000", "0x10", "Infinity",
    ];
    for (i, amount) in bad_strings.into_iter().enumerate() {
        let (status, json) = app
            .api_post(
                "/api/v1/sales",
                &p.key,
                json!({"external_id": format!("s{i}"), "amount": amount}),
            )
            .await;
        assert_eq!(status, 422, "{amount}: {json}");
        assert!(has_field_error(&json, "amount"), "{amount}: {json}");
    }
    // JSON numbers in exponent form, kept as typed (arbitrary precision).
    for (i, number) in ["1e3", "1.5E2", "10.0e0"].into_iter().enumerate() {
        let body = format!(r#"{{"external_id":"n{i}","amount":{number}}}"#);
        let (status, json) = post_raw(&app, &p.key, "/api/v1/sales", &body).await;
        assert_eq!(status, 422, "{number}: {json}");
        assert!(has_field_error(&json, "amount"), "{number}: {json}");
    }
    let (status, json) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "U", "website_url": "https://shop.example.com",
                   "commission_type": "fixed", "commission_value": "1_000"}),
        )
        .await;
    assert_eq!(status, 422, "{json}");
    assert!(has_field_error(&json, "commission_value"), "{json}");
    assert_eq!(app.count("sales").await, 0);
    let (status, json) = post_raw(
        &app,
        &p.key,
        "/api/v1/sales",
        r#"{"external_id":"ok","amount":1000.50}"#,
    )
    .await;
    assert_eq!(status, 201, "{json}");
    assert_eq!(json["amount"], "1000.50");
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let (_, links) = app.api_json("/api/v1/links", &p.key).await;
    let link = links["data"][0]["id"].as_str().unwrap().to_owned();
    // serde would read the two-field LinkWrite from an array of its fields.
    for body in ["[null, null]", "[\"bob\", null]", "null", "\"x\""] {
        let res = app
            .browser
            .client
            .patch(app.browser.url(&format!("/api/v1/links/{link}")))
            .bearer_auth(&p.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422, "{body}");
        let json: serde_json::Value = res.json().await.unwrap();
        assert!(has_field_error(&json, "body"), "{body}: {json}");
    }
    let (_, after) = app.api_json(&format!("/api/v1/links/{link}"), &p.key).await;
    assert_eq!(after["token"], "ann", "nothing changed");
}
