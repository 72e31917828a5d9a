//! Commissions: staff edits and voids (API and page), manual commissions,
//! the list's filters and totals, and how a refunded commission reads. The
//! books are checked (`services::check`) after every money step.

mod edit;
mod list;
mod manual;
mod page;
mod paid_history;
mod totals;

use crate::support::*;
use serde_json::{Value, json};

/// An approved affiliate (link `token`) with one due commission of 20.00
/// (20 % of a 100.00 sale): the affiliate's and the commission's ids.
pub async fn due_commission(
    app: &TestApp,
    key: &str,
    email: &str,
    token: &str,
    payment: &str,
) -> (String, String) {
    let affiliate = app.approved_affiliate(key, email, token).await;
    let commission = sale_commission(app, key, token, payment, "100.00").await;
    tributary::services::commissions::promote_due(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    (affiliate["id"].as_str().unwrap().to_owned(), commission)
}

/// A sale through `token`'s link, long past its hold period: its commission id.
pub async fn sale_commission(
    app: &TestApp,
    key: &str,
    token: &str,
    payment: &str,
    amount: &str,
) -> String {
    let referral = app.referred(token).await;
    let (status, sale) = app
        .api_post(
            "/api/v1/sales",
            key,
            json!({"external_id": payment, "amount": amount, "occurred_at": "2026-01-01T00:00:00Z", "import": true, "referral_id": referral}),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    sale["commissions"][0]["id"].as_str().unwrap().to_owned()
}

pub async fn commission(app: &TestApp, key: &str, id: &str) -> Value {
    let (status, body) = app
        .api_json(&format!("/api/v1/commissions/{id}"), key)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn balance(app: &TestApp, key: &str, affiliate_id: &str) -> String {
    let (_, a) = app
        .api_json(&format!("/api/v1/affiliates/{affiliate_id}"), key)
        .await;
    a["balance"].as_str().unwrap().to_owned()
}

/// The details of the newest audit entry with this action.
pub async fn last_audit(app: &TestApp, action: &str) -> Value {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use tributary::entities::audit_entry;
    let entry = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .order_by_desc(audit_entry::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("an audit entry {action}"));
    serde_json::from_str(&entry.details).unwrap()
}

pub async fn events_of(app: &TestApp, event_type: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use tributary::entities::event;
    event::Entity::find()
        .filter(event::Column::EventType.eq(event_type))
        .count(&app.db)
        .await
        .unwrap()
}

/// Marks a commission paid straight in the database (payouts are not on
/// main yet): what a paid payout will leave behind.
pub async fn mark_paid_in_db(app: &TestApp, id: &str) {
    app.sql(&format!(
        "UPDATE commissions SET status = 'paid' WHERE id = {}",
        app.uuid_sql(id)
    ))
    .await;
}
