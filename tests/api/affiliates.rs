use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_affiliate_is_created_with_a_default_link_and_the_campaigns_approval_rule() {
    let app = spawn_app().await;
    let p = app.program().await;

    let a = app
        .new_affiliate(
            &p.key,
            "Ann@Example.com",
            json!({"commission_percent": 30, "external_customer_id": "cus_1"}),
        )
        .await;

    assert_eq!(a["email"], "ann@example.com");
    assert_eq!(a["status"], "pending", "the campaign requires approval");
    assert_eq!(a["commission_percent"], "30");
    assert!(a["discount_percent"].is_null(), "null = the campaign's");
    assert_eq!(a["campaign_id"], p.campaign_id.as_str());
    assert_eq!(a["balance"], "0.00");
    let (_, links) = app
        .api_json(
            &format!("/api/v1/links?affiliate_id={}", a["id"].as_str().unwrap()),
            &p.key,
        )
        .await;
    assert_eq!(links["data"][0]["token"], "ann-smith");
    assert_eq!(
        links["data"][0]["share_url"],
        format!("{}/r/ann-smith", app.address)
    );
    // A second Ann Smith gets the next free token.
    app.new_affiliate(&p.key, "ann2@example.com", json!({}))
        .await;
    let (_, all) = app.api_json("/api/v1/links", &p.key).await;
    let tokens: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["token"].as_str().unwrap())
        .collect();
    assert!(tokens.contains(&"ann-smith-2"), "{tokens:?}");
}

#[tokio::test]
async fn affiliate_fields_are_checked_and_named() {
    let app = spawn_app().await;
    let p = app.program().await;
    let cases = [
        (json!({"email": "nope", "first_name": "A"}), "email"),
        (json!({"email": "a@b.co", "first_name": ""}), "first_name"),
        (
            json!({"email": "a@b.co", "first_name": "A", "payout_email": "x"}),
            "payout_email",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "commission_percent": 101}),
            "commission_percent",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "discount_percent": "1.234"}),
            "discount_percent",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "status": "rejected"}),
            "status",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "campaign_id": "00000000-0000-7000-8000-000000000000"}),
            "campaign_id",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "link_token": "no spaces"}),
            "link_token",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "balance": -1000}),
            "balance",
        ),
        (
            json!({"email": "a@b.co", "first_name": "A", "visitors": 5}),
            "visitors",
        ),
        (json!({"email": "a@b.co"}), "first_name"),
    ];
    for (body, field) in cases {
        let (status, json) = app
            .api_post("/api/v1/affiliates", &p.key, body.clone())
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(
            has_field_error(&json, field),
            "{body}: expected {field} in {json}"
        );
    }
    assert_eq!(app.count("affiliates").await, 0);
}

#[tokio::test]
async fn an_email_is_unique_per_store_but_free_in_another() {
    let app = spawn_app().await;
    let p = app.program().await;
    app.new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;

    let (status, json) = app
        .api_post(
            "/api/v1/affiliates",
            &p.key,
            json!({"email": "ANN@example.com", "first_name": "Ann"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(has_field_error(&json, "email"));

    app.other_store("beta", "bob@example.com").await;
    let beta_key = app.api_key("beta").await;
    app.api_post(
        "/api/v1/campaigns",
        &beta_key,
        json!({"name": "Beta", "website_url": "https://beta.example.com"}),
    )
    .await;
    let (status, json) = app
        .api_post(
            "/api/v1/affiliates",
            &beta_key,
            json!({"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith"}),
        )
        .await;
    assert_eq!(status, 201, "{json}");
    let (_, links) = app.api_json("/api/v1/links", &beta_key).await;
    assert_eq!(
        links["data"][0]["token"], "ann-smith",
        "the same token in another store"
    );
}

#[tokio::test]
async fn status_moves_follow_the_rules_and_are_recorded() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();

    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{id}/suspend"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(s, 409, "a pending affiliate cannot be suspended: {body}");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{id}/reject"),
            &p.key,
            Some(json!({"reason": "Spam site"})),
        )
        .await;
    assert_eq!(
        (
            s,
            body["status"].as_str(),
            body["rejection_reason"].as_str()
        ),
        (200, Some("rejected"), Some("Spam site"))
    );
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{id}/approve"),
            &p.key,
            None,
        )
        .await;
    assert_eq!((s, body["status"].as_str()), (200, Some("approved")));
    assert!(body["rejection_reason"].is_null());
    let (_, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{id}/suspend"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(body["status"], "suspended");
    let (_, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/affiliates/{id}/enable"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(body["status"], "approved");

    let page = app
        .browser
        .get_html(&format!("/admin/affiliates/{id}"))
        .await;
    assert!(page.contains("Spam site"), "the history keeps the reason");
    assert_eq!(
        app.count("affiliate_status_changes").await,
        5,
        "created + four moves"
    );
}

#[tokio::test]
async fn lists_filter_and_page_stably_while_rows_are_added() {
    let app = spawn_app().await;
    let p = app.program().await;
    for i in 0..7 {
        let extra = if i % 2 == 0 {
            json!({"status": "approved"})
        } else {
            json!({})
        };
        app.new_affiliate(&p.key, &format!("a{i}@example.com"), extra)
            .await;
    }

    let (_, first) = app.api_json("/api/v1/affiliates?limit=3", &p.key).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 3);
    assert_eq!(first["has_more"], true);
    // New affiliates arrive between two page loads.
    app.new_affiliate(&p.key, "late1@example.com", json!({}))
        .await;
    app.new_affiliate(&p.key, "late2@example.com", json!({}))
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .api_json(
            &format!("/api/v1/affiliates?limit=3&starting_after={cursor}"),
            &p.key,
        )
        .await;
    let (_, third) = app
        .api_json(
            &format!(
                "/api/v1/affiliates?limit=3&starting_after={}",
                second["next_cursor"].as_str().unwrap()
            ),
            &p.key,
        )
        .await;
    let emails: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|page| {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["email"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        emails.len(),
        7,
        "exactly the original seven, none twice: {emails:?}"
    );
    assert!(!emails.iter().any(|e| e.starts_with("late")));
    assert_eq!(third["has_more"], false);

    let (_, approved) = app
        .api_json("/api/v1/affiliates?status=approved", &p.key)
        .await;
    assert_eq!(approved["data"].as_array().unwrap().len(), 4);
    let (_, one) = app
        .api_json("/api/v1/affiliates?email=A3@example.com", &p.key)
        .await;
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    let (status, bad) = app.api_json("/api/v1/affiliates?limit=101", &p.key).await;
    assert_eq!(status, 422);
    assert!(has_field_error(&bad, "limit"));
    let (status, bad) = app.api_json("/api/v1/affiliates?status=gone", &p.key).await;
    assert_eq!(status, 422);
    assert!(has_field_error(&bad, "status"));
}

#[tokio::test]
async fn updates_are_partial_null_clears_overrides_and_campaigns_can_change() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"commission_percent": 30, "payout_email": "pay@example.com"}),
        )
        .await;
    let (_, vip) = app
        .api_post(
            "/api/v1/campaigns",
            &p.key,
            json!({"name": "VIP", "website_url": "https://shop.example.com"}),
        )
        .await;
    let path = format!("/api/v1/affiliates/{}", a["id"].as_str().unwrap());

    let (status, b) = app
        .api(
            Method::PATCH,
            &path,
            &p.key,
            Some(
                json!({"first_name": "Anna", "commission_percent": null, "campaign_id": vip["id"]}),
            ),
        )
        .await;

    assert_eq!(status, 200, "{b}");
    assert_eq!(b["first_name"], "Anna");
    assert_eq!(b["last_name"], "Smith", "absent stays");
    assert_eq!(b["payout_email"], "pay@example.com");
    assert!(
        b["commission_percent"].is_null(),
        "null clears the override"
    );
    assert_eq!(b["campaign_id"], vip["id"]);
    let (status, b) = app
        .api(
            Method::PUT,
            &path,
            &p.key,
            Some(json!({"status": "approved"})),
        )
        .await;
    assert_eq!(status, 422, "status changes only through its verbs: {b}");
    assert!(has_field_error(&b, "status"));
}

#[tokio::test]
async fn delete_is_refused_with_money_history_and_erasure_keeps_an_anonymous_record() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(
            &p.key,
            "ann@example.com",
            json!({"external_customer_id": "cus_9"}),
        )
        .await;
    let b = app
        .new_affiliate(&p.key, "bob@example.com", json!({}))
        .await;
    let (a_id, b_id) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );
    use sea_orm::{ConnectionTrait, Statement};
    let sql = if is_postgres() {
        format!("UPDATE affiliates SET balance_minor = 500 WHERE id = '{a_id}'")
    } else {
        format!(
            "UPDATE affiliates SET balance_minor = 500 WHERE hex(id) = upper(replace('{a_id}', '-', ''))"
        )
    };
    app.db
        .execute_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap();

    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/affiliates/{a_id}"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/affiliates/{b_id}"),
            &p.key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.api_json(&format!("/api/v1/affiliates/{b_id}"), &p.key)
            .await
            .0,
        404
    );

    let page = app
        .browser
        .get_html(&format!("/admin/affiliates/{a_id}/erase"))
        .await;
    assert!(page.contains("cannot be undone"), "a confirmation step");
    let res = app
        .browser
        .post_form(&format!("/admin/affiliates/{a_id}/erase"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, erased) = app
        .api_json(&format!("/api/v1/affiliates/{a_id}"), &p.key)
        .await;
    assert_eq!(erased["anonymized"], true);
    assert_ne!(erased["email"], "ann@example.com");
    assert!(erased["external_customer_id"].is_null());
    assert_eq!(erased["balance"], "5.00", "money history kept");
    let (_, links) = app
        .api_json(&format!("/api/v1/links?affiliate_id={a_id}"), &p.key)
        .await;
    assert_ne!(
        links["data"][0]["token"], "ann-smith",
        "a token made from the name is replaced"
    );
    let (_, found) = app
        .api_json("/api/v1/affiliates?email=ann@example.com", &p.key)
        .await;
    assert!(found["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn another_stores_affiliate_is_not_found_on_every_route() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();
    app.other_store("beta", "bob@example.com").await;
    let beta_key = app.api_key("beta").await;

    let api_routes = [
        (Method::GET, format!("/api/v1/affiliates/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/affiliates/{id}"),
            Some(json!({"first_name": "X"})),
        ),
        (
            Method::PUT,
            format!("/api/v1/affiliates/{id}"),
            Some(json!({"first_name": "X"})),
        ),
        (Method::DELETE, format!("/api/v1/affiliates/{id}"), None),
        (
            Method::POST,
            format!("/api/v1/affiliates/{id}/approve"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/affiliates/{id}/reject"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/affiliates/{id}/suspend"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/affiliates/{id}/enable"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/affiliates/{id}/anonymize"),
            None,
        ),
    ];
    for (method, path, body) in api_routes {
        let (status, json) = app.api(method.clone(), &path, &beta_key, body).await;
        assert_eq!(status, 404, "{method} {path}: {json}");
    }
    let (status, json) = app
        .api_post("/api/v1/links", &beta_key, json!({"affiliate_id": id}))
        .await;
    assert_eq!(status, 422, "{json}");
    assert!(has_field_error(&json, "affiliate_id"));
    let (status, _) = app
        .api_post(
            "/api/v1/coupons",
            &beta_key,
            json!({"affiliate_id": id, "code": "STEAL"}),
        )
        .await;
    assert_eq!(status, 422);

    let bob = app.new_browser();
    bob.login("bob@example.com", OWNER_PASSWORD).await;
    for page in [
        format!("/admin/affiliates/{id}"),
        format!("/admin/affiliates/{id}/edit"),
        format!("/admin/affiliates/{id}/erase"),
    ] {
        assert_eq!(bob.get(&page).await.status().as_u16(), 404, "{page}");
    }
    for action in [
        "approve", "reject", "suspend", "enable", "delete", "erase", "links", "coupons",
    ] {
        let res = bob
            .post_form(
                &format!("/admin/affiliates/{id}/{action}"),
                &[("code", "X1"), ("token", "xx")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 404, "{action}");
    }
    let res = bob
        .post_form(
            &format!("/admin/affiliates/{id}"),
            &[("email", "x@y.co"), ("first_name", "X")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    let (_, still) = app
        .api_json(&format!("/api/v1/affiliates/{id}"), &p.key)
        .await;
    assert_eq!(
        (still["status"].as_str(), still["first_name"].as_str()),
        (Some("pending"), Some("Ann"))
    );
}

#[tokio::test]
async fn the_list_page_has_tabs_with_counts_search_and_bulk_approve() {
    let app = spawn_app().await;
    let p = app.program().await;
    let mut ids = Vec::new();
    for (i, name) in ["Ann", "Bob", "Cleo"].iter().enumerate() {
        let a = app
            .new_affiliate(
                &p.key,
                &format!("{}@example.com", name.to_lowercase()),
                json!({"first_name": name, "last_name": format!("Person{i}")}),
            )
            .await;
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    app.api_post(
        "/api/v1/coupons",
        &p.key,
        json!({"affiliate_id": ids[2], "code": "CLEO10"}),
    )
    .await;

    let page = app
        .browser
        .get_html("/admin/affiliates?status=pending")
        .await;
    assert_eq!(element_text(&page, "count-pending").as_deref(), Some("3"));
    for (q, expected) in [("bob", "Bob"), ("cleo10", "Cleo"), ("ann-person0", "Ann")] {
        let page = app
            .browser
            .get_html(&format!("/admin/affiliates?q={q}"))
            .await;
        assert!(
            page.contains(&format!(">{expected} ")),
            "{q} finds {expected}"
        );
        assert_eq!(
            page.matches("<tr id=\"affiliate-").count(),
            1,
            "{q} finds only {expected}"
        );
    }

    let token = app.browser.csrf().await;
    let body = format!(
        "csrf_token={token}&action=approve&ids={}&ids={}",
        ids[0], ids[1]
    );
    let res = app
        .browser
        .client
        .post(app.browser.url("/admin/affiliates/bulk"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let page = app.browser.get_html(&location(&res)).await;
    assert!(page.contains("2 affiliates approved."));
    assert_eq!(element_text(&page, "count-approved").as_deref(), Some("2"));
    assert_eq!(element_text(&page, "count-pending").as_deref(), Some("1"));
}

#[tokio::test]
async fn an_htmx_status_move_answers_with_the_row_and_new_counts() {
    let app = spawn_app().await;
    let p = app.program().await;
    let a = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let id = a["id"].as_str().unwrap();

    let res = app
        .browser
        .client
        .post(app.browser.url(&format!("/admin/affiliates/{id}/reject")))
        .header("hx-request", "true")
        .header("hx-prompt", "Not a fit")
        .header("x-csrf-token", app.browser.csrf().await)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()
            .get("hx-trigger")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("rejected")
    );
    let body = res.text().await.unwrap();
    assert!(body.starts_with(&format!("<tr id=\"affiliate-{id}\"")));
    assert!(body.contains("data-status=\"rejected\""));
    assert!(body.contains("id=\"count-rejected\" hx-swap-oob=\"true\">1<"));
    let (_, after) = app
        .api_json(&format!("/api/v1/affiliates/{id}"), &p.key)
        .await;
    assert_eq!(after["rejection_reason"], "Not a fit");
}

#[tokio::test]
async fn the_affiliate_form_creates_and_names_each_bad_field() {
    let app = spawn_app().await;
    let p = app.program().await;

    let res = app
        .browser
        .post_form(
            "/admin/affiliates",
            &[
                ("email", "bad"),
                ("first_name", ""),
                ("commission_percent", "120"),
                ("campaign_id", &p.campaign_id),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    for id in [
        "email-error",
        "first_name-error",
        "commission_percent-error",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let res = app
        .browser
        .post_form(
            "/admin/affiliates",
            &[
                ("email", "dee@example.com"),
                ("first_name", "Dee"),
                ("last_name", "Lane"),
                ("campaign_id", &p.campaign_id),
                ("status", "approved"),
                ("link_token", "dee"),
                ("is_enabled", "true"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let page = app.browser.get_html(&location(&res)).await;
    assert!(
        page.contains(&format!("{}/r/dee", app.address)),
        "the full share link"
    );
    assert!(page.contains("data-copy=\"#share-"), "with a copy button");
    assert!(page.contains("badge-approved"));
}
