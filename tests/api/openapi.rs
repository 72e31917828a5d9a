use crate::support::*;
use serde_json::Value;

/// Every route of the API, as (method, path) — the document must list each.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/me"),
    ("get", "/api/v1/campaigns"),
    ("post", "/api/v1/campaigns"),
    ("get", "/api/v1/campaigns/{id}"),
    ("patch", "/api/v1/campaigns/{id}"),
    ("put", "/api/v1/campaigns/{id}"),
    ("delete", "/api/v1/campaigns/{id}"),
    ("get", "/api/v1/affiliates"),
    ("post", "/api/v1/affiliates"),
    ("get", "/api/v1/affiliates/{id}"),
    ("patch", "/api/v1/affiliates/{id}"),
    ("put", "/api/v1/affiliates/{id}"),
    ("delete", "/api/v1/affiliates/{id}"),
    ("post", "/api/v1/affiliates/{id}/approve"),
    ("post", "/api/v1/affiliates/{id}/reject"),
    ("post", "/api/v1/affiliates/{id}/suspend"),
    ("post", "/api/v1/affiliates/{id}/enable"),
    ("post", "/api/v1/affiliates/{id}/anonymize"),
    ("get", "/api/v1/links"),
    ("post", "/api/v1/links"),
    ("get", "/api/v1/links/{id}"),
    ("patch", "/api/v1/links/{id}"),
    ("put", "/api/v1/links/{id}"),
    ("delete", "/api/v1/links/{id}"),
    ("get", "/api/v1/coupons"),
    ("post", "/api/v1/coupons"),
    ("get", "/api/v1/coupons/{id}"),
    ("patch", "/api/v1/coupons/{id}"),
    ("put", "/api/v1/coupons/{id}"),
    ("delete", "/api/v1/coupons/{id}"),
    ("get", "/api/v1/referrals"),
    ("post", "/api/v1/referrals"),
    ("get", "/api/v1/referrals/{id}"),
    ("patch", "/api/v1/referrals/{id}"),
    ("delete", "/api/v1/referrals/{id}"),
    ("post", "/api/v1/leads"),
    ("get", "/api/v1/sales"),
    ("post", "/api/v1/sales"),
    ("get", "/api/v1/sales/{id}"),
    ("post", "/api/v1/sales/{id}/refunds"),
    ("get", "/api/v1/commissions"),
    ("get", "/api/v1/commissions/totals"),
    ("post", "/api/v1/commissions"),
    ("get", "/api/v1/commissions/{id}"),
    ("get", "/api/v1/payouts"),
    ("post", "/api/v1/payouts"),
    ("get", "/api/v1/payouts/{id}"),
    ("post", "/api/v1/payouts/{id}/mark_paid"),
    ("post", "/api/v1/payouts/{id}/void"),
    ("get", "/api/v1/store_credits"),
    ("post", "/api/v1/affiliates/{id}/payouts"),
    ("get", "/api/v1/affiliates/{id}/balance"),
    ("post", "/api/v1/affiliates/{id}/adjustments"),
    ("post", "/api/v1/affiliates/{id}/sso"),
    ("patch", "/api/v1/commissions/{id}"),
    ("put", "/api/v1/commissions/{id}"),
    ("delete", "/api/v1/commissions/{id}"),
];

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route_with_responses() {
    let app = spawn_app().await;

    let res = app.browser.get("/api/v1/openapi.json").await;

    assert_eq!(res.status().as_u16(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        let op = &paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} is missing"))[*method];
        assert!(op.is_object(), "{method} {path} is missing");
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path} has responses"
        );
    }
    let listed: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(listed, ROUTES.len(), "no undocumented or stale operations");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(
        doc["components"]["schemas"]["AffiliateCreate"]["properties"]["commission_percent"]
            .is_object()
    );
    let commission = &doc["components"]["schemas"]["CommissionBody"]["properties"];
    for field in [
        "amount",
        "original_amount",
        "refunded_amount",
        "void_reason",
    ] {
        assert!(
            commission[field].is_object(),
            "CommissionBody.{field} is documented"
        );
    }
}

#[tokio::test]
async fn every_documented_route_exists_and_wants_a_key() {
    let app = spawn_app().await;
    let id = uuid::Uuid::now_v7();
    for (method, path) in ROUTES {
        let url = app.browser.url(&path.replace("{id}", &id.to_string()));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let res = app
            .browser
            .client
            .request(method.clone(), url)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status().as_u16(),
            401,
            "{method} {path} exists and needs a key"
        );
    }
}

#[tokio::test]
async fn the_docs_page_loads_its_vendored_renderer() {
    let app = spawn_app().await;

    let html = app.browser.get_html("/api/docs").await;

    assert!(html.contains("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js"));
    assert!(html.contains("data-spec-url=\"/api/v1/openapi.json\""));
    assert!(!html.contains("https://"), "no CDN");
    assert_eq!(
        app.browser
            .get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js")
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn a_documented_path_answers_an_unrouted_method_with_405_and_its_methods() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let key = app.api_key("acme").await;
    let call = |method: &str, path: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.browser
            .client
            .request(method, app.browser.url(path))
            .bearer_auth(&key)
            .send()
    };

    let trace = call("TRACE", "/api/v1/payouts").await.unwrap();
    let put_totals = call("PUT", "/api/v1/commissions/totals").await.unwrap();
    let patch_status = call(
        "PATCH",
        &format!("/api/v1/affiliates/{}/approve", uuid::Uuid::now_v7()),
    )
    .await
    .unwrap();
    let unknown = call("TRACE", "/api/v1/nothing-here").await.unwrap();

    assert_eq!(trace.status().as_u16(), 405);
    assert_eq!(trace.headers()["allow"], "GET, POST");
    let body: Value = trace.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    assert_eq!(
        put_totals.status().as_u16(),
        405,
        "a literal path is not an id"
    );
    assert_eq!(put_totals.headers()["allow"], "GET");
    assert_eq!(patch_status.status().as_u16(), 405);
    assert_eq!(patch_status.headers()["allow"], "POST");
    assert_eq!(unknown.status().as_u16(), 404);
}

#[tokio::test]
async fn the_document_declares_errors_bounds_and_enums_the_server_applies() {
    let app = spawn_app().await;

    let doc: Value = app
        .browser
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();

    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("401"),
                "{method} {path} declares 401"
            );
            if path.contains('{') {
                assert!(
                    responses.contains_key("404"),
                    "{method} {path} declares 404"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(
                    responses.contains_key("422"),
                    "{method} {path} declares 422"
                );
                assert!(
                    responses.contains_key("400"),
                    "{method} {path} declares 400"
                );
            }
        }
    }
    let limit = doc["paths"]["/api/v1/affiliates"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 100);
    let schemas = &doc["components"]["schemas"];
    let status = &schemas["AffiliateBody"]["properties"]["status"]["enum"];
    assert_eq!(
        status,
        &serde_json::json!(["pending", "approved", "rejected", "suspended"])
    );
    assert_eq!(
        schemas["AffiliateCreate"]["properties"]["first_name"]["maxLength"],
        100
    );
    assert!(
        schemas["AffiliateCreate"]["required"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("first_name"))
    );
    // The campaign's first-payment rule is its own schema, not the
    // commission resource's.
    assert!(schemas["CommissionRule"]["properties"]["type"].is_object());
}

/// A property whose value another schema describes (and exemplifies): a
/// reference, a list of references, or one of them or null.
fn described_elsewhere(p: &Value) -> bool {
    if p.get("$ref").is_some() {
        return true;
    }
    if p["type"] == "array" && p["items"].get("$ref").is_some() {
        return true;
    }
    p.get("examples").is_none()
        && p["oneOf"].as_array().is_some_and(|items| {
            items
                .iter()
                .all(|i| i["type"] == "null" || described_elsewhere(i))
        })
}

/// The `format` of a property, also inside a nullable `oneOf`.
fn format_of(p: &Value) -> Option<&str> {
    p["format"].as_str().or_else(|| {
        p["oneOf"]
            .as_array()?
            .iter()
            .find_map(|i| i["format"].as_str())
    })
}

/// Every `example` and `examples` value anywhere under `v`, with its path.
fn all_examples<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "example" {
                    out.push((at.clone(), child));
                } else if k == "examples" && child.is_array() {
                    for e in child.as_array().unwrap() {
                        out.push((at.clone(), e));
                    }
                } else {
                    all_examples(child, format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (n, child) in items.iter().enumerate() {
                all_examples(child, format!("{at}/{n}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_schema_property_has_a_real_example() {
    let app = spawn_app().await;

    let doc: Value = app
        .browser
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();

    let mut problems = vec![];
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        for (field, p) in schema["properties"].as_object().into_iter().flatten() {
            if described_elsewhere(p) {
                continue;
            }
            let Some(example) = p["examples"].get(0) else {
                problems.push(format!("{name}.{field} has no example"));
                continue;
            };
            let text = example.as_str().unwrap_or_default();
            match format_of(p) {
                Some("uuid") if uuid::Uuid::parse_str(text).is_err() => {
                    problems.push(format!("{name}.{field}: {example} is not a uuid"))
                }
                Some("email") if !text.contains('@') => {
                    problems.push(format!("{name}.{field}: {example} is not an email"))
                }
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    problems.push(format!("{name}.{field}: {example} is not an RFC 3339 time"))
                }
                _ => {}
            }
            let money = field.contains("amount")
                || ["balance", "available", "pending", "in_payouts", "paid"]
                    .contains(&field.as_str());
            let two_decimals = text.split_once('.').is_some_and(|(units, cents)| {
                !units.is_empty()
                    && units
                        .trim_start_matches('-')
                        .chars()
                        .all(|c| c.is_ascii_digit())
                    && cents.len() == 2
                    && cents.chars().all(|c| c.is_ascii_digit())
            });
            if money && !two_decimals {
                problems.push(format!(
                    "{name}.{field}: {example} is not an amount like \"49.00\""
                ));
            }
        }
    }
    assert!(
        schemas["DecimalText"]["examples"][0] == "49.00",
        "the decimal schema: {}",
        schemas["DecimalText"]
    );
    let mut examples = vec![];
    all_examples(&doc, String::new(), &mut examples);
    for (at, example) in &examples {
        if example.as_str() == Some("string") || example.as_str() == Some("") {
            problems.push(format!("{at}: the placeholder {example}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(examples.len() > 200, "{} examples", examples.len());
    assert_eq!(
        schemas["CommissionBody"]["properties"]["amount"]["examples"][0],
        "49.00"
    );
    assert_eq!(
        schemas["AffiliateBody"]["properties"]["email"]["examples"][0],
        "jane.doe@example.com"
    );
    // Fields that exclude each other are not shown together as one request.
    let manual = &schemas["CommissionCreate"]["examples"][0];
    assert!(
        manual["referral_id"].is_null() || manual["customer_email"].is_null(),
        "{manual}"
    );
    let lead = &schemas["LeadCreate"]["examples"][0];
    assert!(
        lead["referral_id"].is_null() || lead["visitor_id"].is_null(),
        "{lead}"
    );
}

#[tokio::test]
async fn the_docs_introduction_names_every_resource_and_the_error_codes() {
    let app = spawn_app().await;

    let doc: Value = app
        .browser
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();

    let intro = doc["info"]["description"].as_str().unwrap();
    let mut tags: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .flat_map(|op| op["tags"].as_array().unwrap().iter())
        .map(|t| t.as_str().unwrap())
        .collect();
    tags.sort();
    tags.dedup();
    assert!(tags.len() >= 8, "{tags:?}");
    for tag in tags {
        assert!(intro.contains(tag), "the introduction names {tag}: {intro}");
    }
    for code in [
        "bad_request",
        "unauthorized",
        "not_found",
        "conflict",
        "validation_failed",
        "internal",
    ] {
        assert!(intro.contains(code), "the introduction names {code}");
    }
    assert!(intro.contains("Idempotency-Key") && intro.contains("starting_after"));
}
