use crate::settings::add_member;
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn team_settings_and_key_changes_are_audited_with_actor_and_ip() {
    let app = spawn_app().await;
    app.setup_owner().await;
    add_member(&app, "ann@example.com", "admin").await;
    app.browser
        .post_form(
            "/admin/settings",
            &[("name", "Acme Two"), ("slug", "acme"), ("currency", "USD")],
        )
        .await;
    app.browser
        .post_form("/admin/api-keys", &[("name", "Audited key")])
        .await;

    let page = app.browser.get_html("/admin/audit").await;

    for action in [
        "store.created",
        "member.invited",
        "member.invitation_accepted",
        "store.settings_changed",
        "api_key.created",
    ] {
        assert!(page.contains(action), "{action} is in the log");
    }
    assert!(page.contains(OWNER_EMAIL));
    assert!(page.contains("127.0.0.1"));
    let entries = tributary::services::audit::list(&app.db, app.store_id("acme").await, None, 100)
        .await
        .unwrap()
        .entries;
    let settings = entries
        .iter()
        .find(|e| e.action == "store.settings_changed")
        .unwrap();
    assert!(
        settings.details.contains("Acme Shop") && settings.details.contains("Acme Two"),
        "before and after"
    );
    assert_eq!(settings.actor_type, "user");
}

#[tokio::test]
async fn a_change_that_fails_after_writing_its_audit_entry_leaves_neither() {
    // Promoting due commissions is one transaction for the batch, each
    // commission's audit entry written as it goes. The second commission
    // names a store that does not exist, so its rollup row or its audit
    // entry breaks the foreign key: after the first one's entry and its
    // change were written.
    let app = spawn_app().await;
    let p = app.program().await;
    app.approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let mut commissions = Vec::new();
    for (external_id, occurred_at) in [
        ("pi_first", "2026-01-01T00:00:00Z"),
        ("pi_second", "2026-01-02T00:00:00Z"),
    ] {
        let referral = app.referred("ann").await;
        let (status, sale) = app
            .api_post(
                "/api/v1/sales",
                &p.key,
                json!({"external_id": external_id, "amount": "100.00", "occurred_at": occurred_at, "import": true, "referral_id": referral}),
            )
            .await;
        assert_eq!(status, 201, "{sale}");
        commissions.push(sale["commissions"][0]["id"].as_str().unwrap().to_owned());
    }
    let nowhere = uuid::Uuid::now_v7().to_string();
    // The rollup triggers (the dashboards', the totals by status) would
    // refuse this very UPDATE (their rows name the store too): they are set
    // aside while the row is broken, and the promotion below meets the
    // broken store in the transaction.
    without_commission_rollup_trigger(
        &app,
        &format!(
            // Amount 0: no ledger posting (which refuses an affiliate outside
            // the commission's store before the audit entry is reached).
            "UPDATE commissions SET store_id = {}, amount_minor = 0 WHERE id = {}",
            app.uuid_sql(&nowhere),
            app.uuid_sql(&commissions[1])
        ),
    )
    .await;
    let before = app.snapshot().await;

    let result = tributary::services::commissions::promote_due(&app.db, chrono::Utc::now()).await;

    let err = result.expect_err("the second commission's audit entry is refused");
    assert!(
        err.to_string().to_lowercase().contains("foreign key"),
        "it failed on the second commission's store: {err}"
    );
    assert!(
        app.snapshot().await == before,
        "nothing of the batch stayed: no commission due, no ledger entry, no event, no audit entry"
    );
    let (_, first) = app
        .api_json(&format!("/api/v1/commissions/{}", commissions[0]), &p.key)
        .await;
    assert_eq!(first["status"], "pending");
    let entries = tributary::services::audit::list(&app.db, app.store_id("acme").await, None, 100)
        .await
        .unwrap()
        .entries;
    assert!(!entries.iter().any(|e| e.action == "commission.due"));
}

/// Runs `sql` with the commissions' rollup UPDATE triggers off (the
/// dashboards' and the totals by status): PostgreSQL disables them; SQLite
/// has no such switch, so they are dropped and made again from their own
/// text.
async fn without_commission_rollup_trigger(app: &TestApp, sql: &str) {
    const TRIGGERS: [&str; 2] = [
        "stats_commissions_update",
        "stats_commissions_update_by_status",
    ];
    if crate::support::is_postgres() {
        for t in TRIGGERS {
            app.sql(&format!("ALTER TABLE commissions DISABLE TRIGGER {t}"))
                .await;
        }
        app.sql(sql).await;
        for t in TRIGGERS {
            app.sql(&format!("ALTER TABLE commissions ENABLE TRIGGER {t}"))
                .await;
        }
        return;
    }
    use sea_orm::{ConnectionTrait, Statement};
    let mut drop = String::new();
    let mut create = String::new();
    for t in TRIGGERS {
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = '{t}'"),
            ))
            .await
            .unwrap()
            .expect("the rollup trigger exists");
        let sql: String = row.try_get("", "sql").unwrap();
        drop.push_str(&format!("DROP TRIGGER {t}; "));
        create.push_str(&format!("{sql}; "));
    }
    // One batch, so one connection of the pool runs them all.
    app.sql(&format!("{drop}{sql}; {create}")).await;
}

#[tokio::test]
async fn the_audit_log_pages_from_newest_to_oldest() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let store = app.store_id("acme").await;
    for i in 0..60 {
        tributary::services::api_keys::create(
            &app.db,
            store,
            &tributary::services::Actor::cli(),
            &format!("key {i:02}"),
        )
        .await
        .unwrap();
    }

    let first = app.browser.get_html("/admin/audit").await;

    assert!(first.contains("key 59"), "newest first");
    assert!(!first.contains("\"key 00\""));
    let start = first
        .find("/admin/audit?before=")
        .expect("a link to older entries");
    let href: String = first[start..].chars().take_while(|c| *c != '"').collect();
    let second = app.browser.get_html(&href).await;
    assert!(second.contains("key 00"));
    assert!(second.contains("store.created"));
    assert!(!second.contains("key 59"));
}

#[tokio::test]
async fn one_store_never_sees_anothers_audit_entries() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", "bob@example.com").await;

    let page = app.browser.get_html("/admin/audit").await;

    assert!(!page.contains("bob@example.com"));
}
