//! The totals by status of a filtered set are the sum of its rows, paged
//! through: for every filter the page offers, whichever way they are
//! summed (the store's days by status for whole days, the rows for the
//! part days at the ends of a range given as times and for any other
//! filter), and again after edits, voids and promotions change the rows.

use std::collections::BTreeMap;

use super::*;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tributary::domain::states::CommissionStatus;

/// Every id of the filtered list, two a page: the pages a client reads.
async fn listed(app: &TestApp, key: &str, filter: &str) -> (Vec<uuid::Uuid>, usize) {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let cursor = after
            .map(|a| format!("&starting_after={a}"))
            .unwrap_or_default();
        let (status, page) = app
            .api_json(
                &format!("/api/v1/commissions?limit=2&{filter}{cursor}"),
                key,
            )
            .await;
        assert_eq!(status, 200, "{filter}: {page}");
        pages += 1;
        for c in page["data"].as_array().unwrap() {
            ids.push(c["id"].as_str().unwrap().parse().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return (ids, pages),
        }
    }
}

/// The totals as the API answers them, and as the listed rows sum (their
/// stored amounts), in the answer's shape.
async fn totals_and_rows(app: &TestApp, key: &str, filter: &str) -> (Value, Value, usize) {
    let (_, totals) = app
        .api_json(&format!("/api/v1/commissions/totals?{filter}"), key)
        .await;
    let (ids, pages) = listed(app, key, filter).await;
    let rows = tributary::entities::commission::Entity::find()
        .filter(tributary::entities::commission::Column::Id.is_in(ids.clone()))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        ids.len(),
        "every listed id is a row, listed once"
    );
    let mut sums: BTreeMap<usize, (i64, i64)> = BTreeMap::new();
    for r in &rows {
        let at = CommissionStatus::ALL
            .iter()
            .position(|s| *s == r.status)
            .unwrap();
        let t = sums.entry(at).or_default();
        t.0 += 1;
        t.1 += r.amount_minor;
    }
    let expected: Vec<Value> = sums
        .into_iter()
        .map(|(at, (count, cents))| {
            let sign = if cents < 0 { "-" } else { "" };
            let amount = format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100);
            json!({"status": CommissionStatus::ALL[at].as_str(), "count": count, "amount": amount})
        })
        .collect();
    (totals["by_status"].clone(), json!(expected), pages)
}

async fn manual(
    app: &TestApp,
    key: &str,
    affiliate: &Value,
    amount: &str,
    date: &str,
    status: &str,
) -> String {
    let (code, body) = app
        .api_post(
            "/api/v1/commissions",
            key,
            json!({"affiliate_id": affiliate["id"], "sale_amount": "100.00", "amount": amount,
                   "date": date, "status": status, "remarks": "made by the totals test"}),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn totals_of_every_filter_are_the_sum_of_its_rows_across_pages_and_stay_so_after_changes() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let bob = app
        .new_affiliate(
            &p.key,
            "bob@example.com",
            json!({"status": "approved", "first_name": "Bob", "last_name": "Stone"}),
        )
        .await;
    // Days with rows at midnight, late at night and around the ends of the
    // ranges below, in several statuses; one sale commission today.
    let mut made = Vec::new();
    for (who, amount, date, status) in [
        (&ann, "1.00", "2026-01-10T00:00:00Z", "pending"),
        (&ann, "2.50", "2026-01-10T08:00:00Z", "due"),
        (&bob, "4.00", "2026-01-10T23:59:59Z", "pending"),
        (&ann, "8.25", "2026-01-11T00:00:00Z", "due"),
        (&bob, "16.00", "2026-01-11T12:00:00Z", "pending"),
        (&ann, "32.10", "2026-01-12T12:30:00Z", "due"),
        (&bob, "64.00", "2026-01-12T13:00:00Z", "pending"),
        (&ann, "128.00", "2026-01-14T05:00:00Z", "paid"),
        (&bob, "-3.00", "2026-01-14T06:00:00Z", "due"),
    ] {
        made.push(manual(&app, &p.key, who, amount, date, status).await);
    }
    sale_commission(&app, &p.key, "ann", "pi_1", "50.00").await;
    let (void, edit) = (made[1].clone(), made[4].clone());
    let filters = [
        String::new(),
        "status=pending".into(),
        "status=due".into(),
        "from=2026-01-10&until=2026-01-12".into(),
        "from=2026-01-10T12:00:00Z&until=2026-01-12T13:00:00Z".into(),
        "from=2026-01-11T00:00:00Z".into(),
        "until=2026-01-11T06:00:00Z".into(),
        "from=2026-01-10T09:00:00Z&until=2026-01-10T23:59:59Z".into(),
        "status=pending&from=2026-01-10T01:00:00Z&until=2026-01-13".into(),
        format!(
            "affiliate_id={}&from=2026-01-11",
            ann["id"].as_str().unwrap()
        ),
        "affiliate=stone&until=2026-01-12".into(),
        format!("campaign_id={}&status=due", p.campaign_id),
        "kind=manual&from=2026-01-10T08:00:00Z".into(),
    ];

    for round in ["as made", "after a void, an edit and a promotion"] {
        for f in &filters {
            let (totals, rows, _) = totals_and_rows(&app, &p.key, f).await;
            assert_eq!(totals, rows, "{round}, filter {f:?}");
        }
        let (totals, _, pages) = totals_and_rows(&app, &p.key, "").await;
        assert!(pages > 3, "the whole set spans pages: {pages}");
        assert_eq!(
            totals.as_array().unwrap().len(),
            3,
            "pending, due and paid: {totals}"
        );
        if round == "as made" {
            let (status, body) = app
                .api(
                    Method::DELETE,
                    &format!("/api/v1/commissions/{void}?reason=duplicate"),
                    &p.key,
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            let (status, body) = app
                .api(
                    Method::PATCH,
                    &format!("/api/v1/commissions/{edit}"),
                    &p.key,
                    Some(json!({"amount": "17.75"})),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            tributary::services::commissions::promote_due(
                &app.db,
                chrono::Utc::now() + chrono::Duration::days(365),
            )
            .await
            .unwrap();
        }
    }
    let (_, voided) = app
        .api_json("/api/v1/commissions/totals?status=voided", &p.key)
        .await;
    assert_eq!(
        voided["by_status"],
        json!([{"status": "voided", "count": 1, "amount": "2.50"}]),
        "a voided commission counts what it was"
    );
    app.assert_books_balance().await;
}
