//! `Idempotency-Key` on the POSTs whose answer is not one record read
//! back: a batch of payouts, an adjustment, a recorded payout, an SSO URL.
//! The same key again gets the stored answer (`Idempotent-Replayed: true`)
//! and nothing is applied twice; a batch cut short by a crash is finished
//! by its retry, never paid twice. (`idempotency_crash` kills the real
//! binary between effect and answer.)

use crate::support::*;
use serde_json::{Value, json};

/// A keyed POST: status, `Idempotent-Replayed`, body.
async fn keyed(
    app: &TestApp,
    api_key: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> (u16, bool, Value) {
    let res = app
        .browser
        .client
        .post(app.browser.url(path))
        .bearer_auth(api_key)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let replayed = res
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    (res.status().as_u16(), replayed, res.json().await.unwrap())
}

/// An approved affiliate with a payout email and an opening balance (a due
/// adjustment: payable at once).
async fn due(app: &TestApp, key: &str, email: &str, balance: &str) -> String {
    let a = app
        .new_affiliate(
            key,
            email,
            json!({"status": "approved", "payout_email": email, "balance": balance}),
        )
        .await;
    a["id"].as_str().unwrap().to_owned()
}

async fn count(app: &TestApp, key: &str, path: &str) -> usize {
    let (status, list) = app.api_json(path, key).await;
    assert_eq!(status, 200, "{list}");
    list["data"].as_array().unwrap().len()
}

/// Sends `body` twice under one key: the second answer is the first,
/// replayed.
async fn twice(app: &TestApp, api_key: &str, path: &str, body: Value) -> Value {
    let (status, replayed, first) = keyed(app, api_key, path, "k-twice", &body).await;
    assert_eq!(status, 201, "{first}");
    assert!(!replayed);
    let (again_status, replayed, again) = keyed(app, api_key, path, "k-twice", &body).await;
    assert_eq!(again_status, 201, "{again}");
    assert!(replayed, "the second is a replay");
    assert_eq!(again, first, "the stored answer");
    first
}

#[tokio::test]
async fn a_keyed_batch_of_payouts_sent_twice_pays_once_and_replays_its_list() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(&app, &p.key, "ann@example.com", "120.00").await;
    let bob = due(&app, &p.key, "bob@example.com", "30.00").await;

    let answer = twice(
        &app,
        &p.key,
        "/api/v1/payouts",
        json!({"affiliate_ids": [ann, bob]}),
    )
    .await;

    assert_eq!(answer["data"].as_array().unwrap().len(), 2, "{answer}");
    assert_eq!(count(&app, &p.key, "/api/v1/payouts").await, 2);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_keyed_adjustment_sent_twice_moves_the_balance_once() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(&app, &p.key, "ann@example.com", "0").await;

    let answer = twice(
        &app,
        &p.key,
        &format!("/api/v1/affiliates/{ann}/adjustments"),
        json!({"amount": "5.25", "reason": "Bonus"}),
    )
    .await;

    assert_eq!(answer["amount"], "5.25", "{answer}");
    assert_eq!(answer["balance"]["available"], "5.25", "{answer}");
    assert_eq!(
        count(
            &app,
            &p.key,
            &format!("/api/v1/commissions?affiliate_id={ann}")
        )
        .await,
        1
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_keyed_recorded_payout_sent_twice_pays_once() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(&app, &p.key, "ann@example.com", "80.00").await;

    let answer = twice(
        &app,
        &p.key,
        &format!("/api/v1/affiliates/{ann}/payouts"),
        json!({"amount": "80.00"}),
    )
    .await;

    assert_eq!(answer["amount"], "80.00", "{answer}");
    assert_eq!(count(&app, &p.key, "/api/v1/payouts").await, 1);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_keyed_sso_link_sent_twice_is_the_same_url() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(&app, &p.key, "ann@example.com", "0").await;

    let answer = twice(
        &app,
        &p.key,
        &format!("/api/v1/affiliates/{ann}/sso"),
        json!({}),
    )
    .await;

    assert!(
        answer["url"].as_str().unwrap().contains("/login/"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_batch_cut_short_by_a_crash_is_finished_by_its_retry_and_never_pays_twice() {
    use tributary::services::{Actor, ActorKind, idempotency, payouts};
    // Arrange: the state a process leaves when it dies part-way through a
    // keyed batch for Ann and Bob: the key claimed, Ann paid under it,
    // Bob not yet, no answer stored.
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = due(&app, &p.key, "ann@example.com", "120.00").await;
    let bob = due(&app, &p.key, "bob@example.com", "30.00").await;
    let body = json!({"affiliate_ids": [ann, bob]});
    let hash = tributary::services::crypto::sha256_hex(
        &[
            b"POST /api/v1/payouts\n".as_slice(),
            &serde_json::to_vec(&body).unwrap(),
        ]
        .concat(),
    );
    let store = tributary::services::stores::find_by_slug(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    let store_id = tributary::domain::StoreId(store.id);
    let idempotency::Claim::Owned(claim) = idempotency::claim(&app.db, store_id, "k-cut", &hash)
        .await
        .unwrap()
    else {
        panic!("a new key is owned");
    };
    let actor = Actor {
        kind: ActorKind::ApiKey,
        id: None,
        label: "API key backend".into(),
        ip: None,
        idempotency_key: Some(claim),
    };
    let ann_id = tributary::domain::AffiliateId(uuid::Uuid::parse_str(&ann).unwrap());
    let cut = payouts::create(
        &app.db,
        &store,
        &actor,
        payouts::CreateInput {
            affiliate_ids: Some(vec![ann_id]),
            method: tributary::domain::payout::PayoutMethod::External,
            comment: None,
        },
    )
    .await
    .unwrap();
    let ann_payout = cut.payouts[0].id.to_string();

    // Act: the client retries.
    let (status, replayed, answer) = keyed(&app, &p.key, "/api/v1/payouts", "k-cut", &body).await;
    let (again_status, _, again) = keyed(&app, &p.key, "/api/v1/payouts", "k-cut", &body).await;

    // Assert: Ann's payout is the one made before the crash, Bob's is new,
    // nobody is paid twice, and the answer is kept for the next retry.
    assert_eq!(status, 201, "{answer}");
    assert!(replayed);
    let data = answer["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{answer}");
    assert_eq!(data[0]["id"], ann_payout.as_str());
    assert_eq!(data[0]["affiliate_id"], ann.as_str());
    assert_eq!(data[1]["affiliate_id"], bob.as_str());
    assert_eq!(data[1]["amount"], "30.00");
    assert_eq!(answer["skipped"], json!([]));
    assert_eq!(count(&app, &p.key, "/api/v1/payouts").await, 2);
    assert_eq!((again_status, &again), (201, &answer));
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_key_marked_the_old_way_before_the_upgrade_is_still_answered_from_its_effect() {
    use migration::MigratorTrait;
    // Arrange: a keyed create whose process died unanswered, marked the
    // way migration 000008 did (the effect on the key itself), on the
    // schema before migration 000022.
    let app = spawn_app().await;
    let p = app.program().await;
    let body = json!({"name": "Old mark", "website_url": "https://old.example.com"});
    let (status, _, made) = keyed(&app, &p.key, "/api/v1/campaigns", "k-old", &body).await;
    assert_eq!(status, 201, "{made}");
    let all = migration::Migrator::migrations();
    let ours = all
        .iter()
        .position(|m| m.name().ends_with("_audit_idempotency_key"))
        .expect("the migration is listed");
    let steps = u32::try_from(all.len() - ours).unwrap();
    migration::Migrator::down(&app.db, Some(steps))
        .await
        .unwrap();
    app.sql(&format!(
        "UPDATE idempotency_keys SET response_status = NULL, response_body = NULL, \
         effect_type = 'campaign', effect_id = '{}', effect_status = 201 WHERE key = 'k-old'",
        made["id"].as_str().unwrap()
    ))
    .await;

    // Act: the upgrade, then the client's retry.
    migration::Migrator::up(&app.db, None).await.unwrap();
    let (status, replayed, again) = keyed(&app, &p.key, "/api/v1/campaigns", "k-old", &body).await;

    // Assert: answered from the effect, and still one such campaign.
    assert_eq!(status, 201, "{again}");
    assert!(replayed);
    assert_eq!(again["id"], made["id"]);
    let (_, list) = app.api_json("/api/v1/campaigns?limit=100", &p.key).await;
    let named = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "Old mark")
        .count();
    assert_eq!(named, 1, "{list}");
}

#[tokio::test]
async fn a_key_is_forgotten_once_it_is_older_than_48_hours() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tributary::entities::idempotency_key;
    // Arrange: a key used for one campaign, and refused for another body.
    let app = spawn_app().await;
    let p = app.program().await;
    let first = json!({"name": "First", "website_url": "https://first.example.com"});
    let second = json!({"name": "Second", "website_url": "https://second.example.com"});
    let (status, _, made) = keyed(&app, &p.key, "/api/v1/campaigns", "k-aged", &first).await;
    assert_eq!(status, 201, "{made}");
    let (status, _, refused) = keyed(&app, &p.key, "/api/v1/campaigns", "k-aged", &second).await;
    assert_eq!(status, 422, "{refused}");

    // Act: 49 hours pass; an instance's janitor runs (each runs as it starts).
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(49)),
        )
        .filter(idempotency_key::Column::Key.eq("k-aged"))
        .exec(&app.db)
        .await
        .unwrap();
    let _later = app.another_instance().await;
    app.wait_for_rows("idempotency_keys WHERE key = 'k-aged'", 0)
        .await;
    let (status, replayed, again) =
        keyed(&app, &p.key, "/api/v1/campaigns", "k-aged", &second).await;

    // Assert: the key is new again, for another request.
    assert_eq!(status, 201, "{again}");
    assert!(!replayed);
    assert_eq!(again["name"], "Second");
}
