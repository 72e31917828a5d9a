//! "Pay everyone due" in chunks of affiliates, one transaction each: every
//! due commission is paid exactly once across chunk boundaries, a payout
//! refused inside a chunk leaves the rest of the chunk paid (and itself
//! unpaid), and payouts racing the batch never pay a commission twice.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tributary::domain::payout::PayoutMethod;
use tributary::entities::{audit_entry, commission, event, payout, payout_item};
use tributary::services::payouts::{self, CreateInput, Created};
use tributary::services::{Actor, stores};
use uuid::Uuid;

/// A manual commission of `amount` in `status` (negative: a clawback).
async fn commission(
    app: &TestApp,
    key: &str,
    affiliate: &str,
    amount: &str,
    status: &str,
) -> String {
    let (code, c) = app
        .api_post(
            "/api/v1/commissions",
            key,
            json!({"affiliate_id": affiliate, "sale_amount": "100.00", "amount": amount,
                   "status": status, "remarks": "test"}),
        )
        .await;
    assert_eq!(code, 201, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

/// An approved affiliate, with a payout email unless `extra` says otherwise.
async fn affiliate(app: &TestApp, key: &str, email: &str, extra: serde_json::Value) -> String {
    let mut body = json!({"status": "approved", "payout_email": format!("pay-{email}")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.new_affiliate(key, email, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Everyone due, `chunk` affiliates per transaction.
async fn pay_everyone(app: &TestApp, chunk: usize) -> Created {
    let store = stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    payouts::create_in_chunks(
        &app.db,
        &store,
        &Actor::cli(),
        CreateInput {
            affiliate_ids: None,
            method: PayoutMethod::External,
            comment: Some("batch".into()),
        },
        chunk,
    )
    .await
    .unwrap()
}

/// Live (unreleased) payout items per commission id.
async fn live_items(app: &TestApp) -> BTreeMap<Uuid, Vec<Uuid>> {
    let mut held: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for item in payout_item::Entity::find()
        .filter(payout_item::Column::ReleasedAt.is_null())
        .all(&app.db)
        .await
        .unwrap()
    {
        held.entry(item.commission_id)
            .or_default()
            .push(item.payout_id);
    }
    held
}

async fn count_events(app: &TestApp, event_type: &str) -> u64 {
    event::Entity::find()
        .filter(event::Column::EventType.eq(event_type))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_batch_over_several_chunks_pays_every_due_commission_exactly_once() {
    // Arrange: seven payable affiliates (one with a clawback), one whose
    // clawback cancels what is due, one with no payout email, and a pending
    // commission that is not due yet.
    let app = spawn_app().await;
    let p = app.program().await;
    let mut expected: BTreeMap<String, (i64, BTreeSet<String>)> = BTreeMap::new();
    for n in 0..7 {
        let id = affiliate(&app, &p.key, &format!("a{n}@example.com"), json!({})).await;
        let mut due = BTreeSet::new();
        let mut total = 0;
        for k in 0..=(n % 3) {
            let cents = 1000 + 100 * n + k;
            due.insert(
                commission(
                    &app,
                    &p.key,
                    &id,
                    &format!("{}.{:02}", cents / 100, cents % 100),
                    "due",
                )
                .await,
            );
            total += cents;
        }
        if n == 4 {
            due.insert(commission(&app, &p.key, &id, "-5.00", "due").await);
            total -= 500;
        }
        if n == 5 {
            commission(&app, &p.key, &id, "99.00", "pending").await;
        }
        expected.insert(id, (total as i64, due));
    }
    let net_zero = affiliate(&app, &p.key, "zero@example.com", json!({})).await;
    commission(&app, &p.key, &net_zero, "30.00", "due").await;
    commission(&app, &p.key, &net_zero, "-30.00", "due").await;
    let no_email = app
        .new_affiliate(&p.key, "noemail@example.com", json!({"status": "approved"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    commission(&app, &p.key, &no_email, "25.00", "due").await;

    // Act: two affiliates per transaction, four transactions.
    let created = pay_everyone(&app, 2).await;

    // Assert: one payout per payable affiliate, of exactly its due
    // commissions; the others skipped with their reasons.
    assert_eq!(created.payouts.len(), 7, "{:?}", created.skipped);
    let mut paid = BTreeMap::new();
    for p in &created.payouts {
        assert!(
            paid.insert(p.affiliate_id.to_string(), p).is_none(),
            "paid twice"
        );
    }
    let held = live_items(&app).await;
    for (id, (total, due)) in &expected {
        let p = paid[id];
        assert_eq!(p.amount_minor, *total, "{id}");
        assert_eq!(p.commission_count as usize, due.len());
        assert_eq!(p.comment.as_deref(), Some("batch"));
        let settled: BTreeSet<String> = commission::Entity::find()
            .filter(commission::Column::PayoutId.eq(p.id))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id.to_string())
            .collect();
        assert_eq!(
            &settled, due,
            "{id}: the payout holds exactly its due commissions"
        );
        for c in due {
            let c = Uuid::parse_str(c).unwrap();
            assert_eq!(held[&c], vec![p.id], "one live item per commission");
        }
    }
    assert_eq!(
        held.len(),
        expected.values().map(|e| e.1.len()).sum::<usize>()
    );
    let reasons: BTreeMap<String, String> = created
        .skipped
        .iter()
        .map(|s| (s.affiliate_id.to_string(), s.reason.clone()))
        .collect();
    assert!(reasons[&net_zero].contains("nothing to pay"), "{reasons:?}");
    assert!(reasons[&no_email].contains("payout email"), "{reasons:?}");
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(count_events(&app, "payout.created").await, 7);
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("payout.created"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 7);
    for id in expected.keys() {
        let (_, b) = app
            .api_json(&format!("/api/v1/affiliates/{id}/balance"), &p.key)
            .await;
        assert_eq!(b["available"], "0.00", "{id}: {b}");
    }
    app.assert_books_balance().await;

    // Run again: nothing is due, nothing is paid twice.
    let again = pay_everyone(&app, 2).await;
    assert!(again.payouts.is_empty(), "{:?}", again.payouts);
    assert_eq!(payout::Entity::find().count(&app.db).await.unwrap(), 7);
}

#[tokio::test]
async fn a_payout_refused_inside_a_chunk_leaves_the_others_paid_and_itself_unpaid() {
    // Arrange: three affiliates in one chunk; the middle one's commission
    // looks free on its own row, but a live payout still lists it (what a
    // claim that got past the lock would leave), so its payout is refused.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = affiliate(&app, &p.key, "ann@example.com", json!({})).await;
    let bob = affiliate(&app, &p.key, "bob@example.com", json!({})).await;
    let cat = affiliate(&app, &p.key, "cat@example.com", json!({})).await;
    commission(&app, &p.key, &ann, "10.00", "due").await;
    let taken = commission(&app, &p.key, &bob, "20.00", "due").await;
    commission(&app, &p.key, &cat, "30.00", "due").await;
    let (status, first) = app
        .api_post("/api/v1/payouts", &p.key, json!({"affiliate_ids": [bob]}))
        .await;
    assert_eq!(status, 201, "{first}");
    let first_id = first["data"][0]["id"].as_str().unwrap().to_owned();
    app.sql(&format!(
        "UPDATE commissions SET payout_id = NULL WHERE id = {}",
        app.uuid_sql(&taken)
    ))
    .await;

    // Act
    let created = pay_everyone(&app, 10).await;

    // Assert: ann and cat paid once each, bob skipped with the reason, and
    // the commission still in its first payout only.
    let paid: BTreeMap<String, i64> = created
        .payouts
        .iter()
        .map(|p| (p.affiliate_id.to_string(), p.amount_minor))
        .collect();
    assert_eq!(
        paid,
        BTreeMap::from([(ann.clone(), 1000), (cat.clone(), 3000)])
    );
    assert_eq!(created.skipped.len(), 1, "{:?}", created.skipped);
    assert_eq!(created.skipped[0].affiliate_id.to_string(), bob);
    assert!(
        created.skipped[0]
            .reason
            .contains("already in another payout"),
        "{:?}",
        created.skipped
    );
    let held = live_items(&app).await;
    let taken = Uuid::parse_str(&taken).unwrap();
    assert_eq!(held[&taken], vec![Uuid::parse_str(&first_id).unwrap()]);
    assert_eq!(held.len(), 3, "one live item per commission");
    assert_eq!(payout::Entity::find().count(&app.db).await.unwrap(), 3);
    assert_eq!(count_events(&app, "payout.created").await, 3);
    // The chunk's first run (rolled back) left no ledger entry behind.
    assert_eq!(
        app.count("ledger_entries WHERE kind = 'payout'").await,
        3,
        "one debit per payout"
    );
    app.sql(&format!(
        "UPDATE commissions SET payout_id = {} WHERE id = {}",
        app.uuid_sql(&first_id),
        app.uuid_sql(&taken.to_string())
    ))
    .await;
    app.assert_books_balance().await;
}

/// Rounds of a batch (one affiliate per transaction, so chunks interleave
/// with the racers) against single payouts of the same affiliates on a
/// second instance: whoever claims a commission first pays it, and nobody
/// pays it again.
#[tokio::test]
async fn payouts_racing_a_batch_mid_way_never_pay_a_commission_twice() {
    let app = spawn_app().await;
    let p = app.program().await;
    let second = app.another_instance().await;
    let mut ids = Vec::new();
    for n in 0..8 {
        ids.push(affiliate(&app, &p.key, &format!("r{n}@example.com"), json!({})).await);
    }
    let mut due_total = 0i64;

    for round in 0..5 {
        for id in &ids {
            commission(&app, &p.key, id, "1.00", "due").await;
            commission(&app, &p.key, id, "2.00", "due").await;
            due_total += 300;
        }
        let racers = futures_util::future::join_all(ids.iter().rev().map(|id| {
            let (second, key) = (&second, p.key.clone());
            async move {
                second
                    .api_post("/api/v1/payouts", &key, json!({"affiliate_ids": [id]}))
                    .await
                    .0
            }
        }));
        let (batch, racers) = futures_util::future::join(pay_everyone(&app, 1), racers).await;

        // Every affiliate paid this round exactly once, by one or the other.
        let won = racers.iter().filter(|s| **s == 201).count();
        assert!(racers.iter().all(|s| *s == 201 || *s == 422), "{racers:?}");
        assert_eq!(
            batch.payouts.len() + won,
            ids.len(),
            "round {round}: {batch:?} {racers:?}"
        );
        for p in &batch.payouts {
            assert_eq!(p.amount_minor, 300, "round {round}");
        }
    }

    let held = live_items(&app).await;
    assert!(held.values().all(|payouts| payouts.len() == 1), "{held:?}");
    assert_eq!(held.len(), ids.len() * 2 * 5, "every commission settled");
    let paid: i64 = payout::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|p| p.amount_minor)
        .sum();
    assert_eq!(paid, due_total);
    app.assert_books_balance().await;
}
