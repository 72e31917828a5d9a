use super::*;
use reqwest::Method;

/// Ann: one due 20.00 and one voided 10.00 sale commission; Bob: one
/// pending 4.00 manual commission.
async fn three_commissions(app: &TestApp, key: &str) -> (String, String) {
    let (ann, _) = due_commission(app, key, "ann@example.com", "ann", "pi_1").await;
    let voided = sale_commission(app, key, "ann", "pi_2", "50.00").await;
    let (status, body) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/commissions/{voided}?reason=duplicate"),
            key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let bob = app
        .new_affiliate(
            key,
            "bob@example.com",
            json!({"status": "approved", "first_name": "Bob", "last_name": "Stone"}),
        )
        .await;
    let (status, body) = app
        .api_post(
            "/api/v1/commissions",
            key,
            json!({"affiliate_id": bob["id"], "sale_amount": "40.00", "amount": "4.00"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (ann, bob["id"].as_str().unwrap().to_owned())
}

fn statuses(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_filters_by_status_affiliate_kind_campaign_and_date_and_totals_the_filtered_set() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, bob) = three_commissions(&app, &p.key).await;

    let (_, all) = app.api_json("/api/v1/commissions", &p.key).await;
    assert_eq!(statuses(&all), ["pending", "voided", "due"], "newest first");
    let (_, due) = app.api_json("/api/v1/commissions?status=due", &p.key).await;
    assert_eq!(statuses(&due), ["due"]);
    let (_, anns) = app
        .api_json(&format!("/api/v1/commissions?affiliate_id={ann}"), &p.key)
        .await;
    assert_eq!(statuses(&anns), ["voided", "due"]);
    let (_, bobs) = app
        .api_json("/api/v1/commissions?affiliate=stone", &p.key)
        .await;
    assert_eq!(
        bobs["data"].as_array().unwrap().len(),
        1,
        "a name search: {bobs}"
    );
    assert_eq!(bobs["data"][0]["affiliate_id"], bob.as_str());
    let (_, manual) = app
        .api_json("/api/v1/commissions?kind=manual", &p.key)
        .await;
    assert_eq!(statuses(&manual), ["pending"]);
    let (_, in_campaign) = app
        .api_json(
            &format!("/api/v1/commissions?campaign_id={}", p.campaign_id),
            &p.key,
        )
        .await;
    assert_eq!(in_campaign["data"].as_array().unwrap().len(), 3);
    let today = chrono::Utc::now().date_naive();
    let (_, today_only) = app
        .api_json(
            &format!("/api/v1/commissions?from={today}&until={today}"),
            &p.key,
        )
        .await;
    assert_eq!(
        today_only["data"].as_array().unwrap().len(),
        3,
        "until a date includes that day"
    );
    let (_, none) = app
        .api_json("/api/v1/commissions?until=2025-12-31", &p.key)
        .await;
    assert!(none["data"].as_array().unwrap().is_empty());
    let (status, bad) = app
        .api_json(
            "/api/v1/commissions?kind=gift&status=done&from=yesterday",
            &p.key,
        )
        .await;
    assert_eq!(status, 422);
    for field in ["kind", "status", "from"] {
        assert!(has_field_error(&bad, field), "{bad}");
    }

    let (_, page1) = app.api_json("/api/v1/commissions?limit=2", &p.key).await;
    assert_eq!(page1["has_more"], true);
    let (_, page2) = app
        .api_json(
            &format!(
                "/api/v1/commissions?limit=2&starting_after={}",
                page1["next_cursor"].as_str().unwrap()
            ),
            &p.key,
        )
        .await;
    assert_eq!(statuses(&page2), ["due"]);
    assert_eq!(page2["has_more"], false);

    let (_, totals) = app.api_json("/api/v1/commissions/totals", &p.key).await;
    assert_eq!(
        totals["by_status"],
        json!([
            {"status": "pending", "count": 1, "amount": "4.00"},
            {"status": "due", "count": 1, "amount": "20.00"},
            {"status": "voided", "count": 1, "amount": "10.00"},
        ])
    );
    assert_eq!(totals["too_large"], false);
    let (_, anns) = app
        .api_json(
            &format!("/api/v1/commissions/totals?affiliate_id={ann}&status=due"),
            &p.key,
        )
        .await;
    assert_eq!(
        anns["by_status"],
        json!([{"status": "due", "count": 1, "amount": "20.00"}])
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn totals_beyond_what_an_i64_holds_are_reported_never_wrapped_and_the_list_still_answers() {
    let app = spawn_app().await;
    let p = app.program().await;
    three_commissions(&app, &p.key).await;
    // Rows from before amounts were bounded: two near i64::MAX.
    app.sql(&format!(
        "UPDATE commissions SET amount_minor = {} WHERE status <> 'voided'",
        i64::MAX - 10
    ))
    .await;

    let (status, totals) = app.api_json("/api/v1/commissions/totals", &p.key).await;
    let (_, one) = app
        .api_json("/api/v1/commissions/totals?status=due", &p.key)
        .await;
    let (list_status, _) = app.api_json("/api/v1/commissions", &p.key).await;

    assert_eq!(status, 200, "{totals}");
    assert_eq!(list_status, 200);
    assert_eq!(one["too_large"], false, "one row sums fine: {one}");
    assert_eq!(one["by_status"][0]["amount"], "92233720368547757.97");
    let (_, all_pending_and_due) = app
        .api_json("/api/v1/commissions/totals?campaign_id=", &p.key)
        .await;
    assert_eq!(
        all_pending_and_due["too_large"], false,
        "pending and due are summed apart"
    );
    // One status over the range: make both rows due.
    app.sql("UPDATE commissions SET status = 'due' WHERE status = 'pending'")
        .await;
    let (_, over) = app.api_json("/api/v1/commissions/totals", &p.key).await;
    assert_eq!(over["too_large"], true, "{over}");
    assert!(
        over["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] != "due"),
        "no wrapped or float sum is shown: {over}"
    );
}
