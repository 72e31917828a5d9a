//! `services::stats` against a real database: known visits, leads, sales
//! and commissions on known UTC days, in two stores and for two affiliates;
//! the totals and series are exactly what was made, the other store never
//! counts, and an affiliate's scope holds only its own figures.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;
use tributary::domain::payout::PayoutMethod;
use tributary::domain::period::Period;
use tributary::domain::{AffiliateId, StoreId};
use tributary::services::stats::{self, Earnings, Figures, Scope, TopBy};

use crate::support::*;

pub struct Known {
    pub key: String,
    pub store: StoreId,
    pub ann: AffiliateId,
    pub bob: AffiliateId,
    pub today: NaiveDate,
}

fn noon(day: NaiveDate) -> String {
    day.and_hms_opt(12, 0, 0).unwrap().and_utc().to_rfc3339()
}

fn ts(day: NaiveDate) -> String {
    let cast = if is_postgres() { "::timestamptz" } else { "" };
    format!("'{}'{cast}", noon(day))
}

/// One visitor of `token` on `day`, with a lead that day when `lead`, and a
/// sale `sale` = (external id, amount, tax) on that day whose commission is
/// then set to `commission` = (amount minor, status).
async fn visitor(
    app: &TestApp,
    key: &str,
    token: &str,
    day: NaiveDate,
    lead: bool,
    sale: Option<(&str, &str, &str)>,
    commission: Option<(i64, &str)>,
) {
    let referral = app.referred(token).await;
    let rid = app.uuid_sql(&referral);
    app.wait_for_referral_visit(&rid).await;
    app.sql(&format!(
        "UPDATE visits SET created_at = {} WHERE referral_id = {rid}",
        ts(day)
    ))
    .await;
    if lead {
        let (status, body) = app
            .api_post(
                "/api/v1/leads",
                key,
                json!({"referral_id": referral, "email": format!("{}@buyer.example.com", &referral[..8])}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        app.sql(&format!(
            "UPDATE referrals SET lead_at = {} WHERE id = {rid}",
            ts(day)
        ))
        .await;
    }
    if let Some((external_id, amount, tax)) = sale {
        let (status, body) = app
            .api_post(
                "/api/v1/sales",
                key,
                json!({"external_id": external_id, "amount": amount, "tax": tax,
                       "referral_id": referral, "occurred_at": noon(day)}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        if let Some((minor, status)) = commission {
            app.sql(&format!(
                "UPDATE commissions SET created_at = {}, amount_minor = {minor}, status = '{status}' \
                 WHERE sale_id = {}",
                ts(day),
                app.uuid_sql(body["id"].as_str().unwrap())
            ))
            .await;
        }
    }
}

impl TestApp {
    /// Waits for the click writer to store the visit of `referral` (a SQL literal).
    async fn wait_for_referral_visit(&self, referral: &str) {
        let started = std::time::Instant::now();
        loop {
            let n = self
                .count(&format!("visits WHERE referral_id = {referral}"))
                .await;
            if n == 1 {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "no visit"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// Store `acme` (USD) with Ann and Bob, and store `other` (EUR) with Olga,
/// whose figures (all today) must never appear in acme's.
///
/// | who | day | visit | lead | sale (amount, tax) | commission |
/// | --- | --- | --- | --- | --- | --- |
/// | ann | today−1 | 1 | yes | s1 100.00, 10.00 | 900 pending |
/// | ann | today | 1 | – | s2 50.00, 0 | 500 due |
/// | ann | today | 1 | – | – | – |
/// | ann | today−10 | 1 | yes | s3 20.00, 0 | 200 paid |
/// | bob | today | 1 | yes | s5 40.00, 0 | 400 paid |
/// | bob | today | 1 | – | s6 30.00, 0 | 300 voided |
pub async fn known_store(app: &TestApp) -> Known {
    let p = app.program().await;
    let today = Utc::now().date_naive();
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let bob = app
        .approved_affiliate(&p.key, "bob@example.com", "bob")
        .await;
    let (d0, d1, d10) = (today, today - Duration::days(1), today - Duration::days(10));
    let k = p.key.as_str();
    visitor(
        app,
        k,
        "ann",
        d1,
        true,
        Some(("s1", "100.00", "10.00")),
        Some((900, "pending")),
    )
    .await;
    visitor(
        app,
        k,
        "ann",
        d0,
        false,
        Some(("s2", "50.00", "0")),
        Some((500, "due")),
    )
    .await;
    visitor(app, k, "ann", d0, false, None, None).await;
    visitor(
        app,
        k,
        "ann",
        d10,
        true,
        Some(("s3", "20.00", "0")),
        Some((200, "paid")),
    )
    .await;
    visitor(
        app,
        k,
        "bob",
        d0,
        true,
        Some(("s5", "40.00", "0")),
        Some((400, "paid")),
    )
    .await;
    visitor(
        app,
        k,
        "bob",
        d0,
        false,
        Some(("s6", "30.00", "0")),
        Some((300, "voided")),
    )
    .await;

    // The other store: a campaign, an affiliate and today's activity.
    app.other_store("other", "olga-owner@example.com").await;
    let other_key = app.api_key("other").await;
    let (status, body) = app
        .api_post(
            "/api/v1/campaigns",
            &other_key,
            json!({"name": "Other", "website_url": "https://other.example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.approved_affiliate(&other_key, "olga@example.com", "olga")
        .await;
    for i in 0..2 {
        visitor(
            app,
            &other_key,
            "olga",
            d0,
            true,
            Some((&format!("o{i}"), "999.00", "0")),
            Some((9900, "due")),
        )
        .await;
    }

    let id = |v: &serde_json::Value| AffiliateId(v["id"].as_str().unwrap().parse().unwrap());
    Known {
        key: p.key,
        store: app.store_id("acme").await,
        ann: id(&ann),
        bob: id(&bob),
        today,
    }
}

fn week(k: &Known) -> Period {
    Period::last_days(7, k.today)
}

#[tokio::test]
async fn store_totals_and_series_are_what_was_recorded_and_the_other_store_never_counts() {
    let app = spawn_app().await;
    let k = known_store(&app).await;

    let s = stats::summary(&app.db, Scope::store(k.store), &week(&k))
        .await
        .unwrap();

    assert_eq!(
        s.totals,
        Figures {
            visitors: 5,
            leads: 2,
            conversions: 4,
            revenue_minor: 9000 + 5000 + 4000 + 3000,
            commissions: Earnings {
                pending: 900,
                due: 500,
                paid: 400
            },
        }
    );
    assert_eq!(s.series.len(), 7);
    assert_eq!(s.series.first().unwrap().day, k.today - Duration::days(6));
    let today = s.series.last().unwrap();
    assert_eq!(today.day, k.today);
    assert_eq!(
        today.figures,
        Figures {
            visitors: 4,
            leads: 1,
            conversions: 3,
            revenue_minor: 12000,
            commissions: Earnings {
                pending: 0,
                due: 500,
                paid: 400
            },
        }
    );
    let yesterday = &s.series[5];
    assert_eq!(
        yesterday.figures,
        Figures {
            visitors: 1,
            leads: 1,
            conversions: 1,
            revenue_minor: 9000,
            commissions: Earnings {
                pending: 900,
                due: 0,
                paid: 0
            },
        }
    );
    assert!(
        s.series[..5]
            .iter()
            .all(|d| d.figures == Figures::default())
    );
    assert_eq!(s.totals.conversion_rate().to_string(), "80.00");
}

#[tokio::test]
async fn the_previous_period_and_the_change_against_it() {
    let app = spawn_app().await;
    let k = known_store(&app).await;

    let s = stats::summary(&app.db, Scope::affiliate(k.store, k.ann), &week(&k))
        .await
        .unwrap();

    assert_eq!(s.period.previous().last(), k.today - Duration::days(7));
    assert_eq!(
        s.previous,
        Figures {
            visitors: 1,
            leads: 1,
            conversions: 1,
            revenue_minor: 2000,
            commissions: Earnings {
                pending: 0,
                due: 0,
                paid: 200
            },
        }
    );
    let c = s.changes();
    assert_eq!(c.visitors.label(), "+200.0%");
    assert_eq!(c.leads.label(), "0.0%");
    assert_eq!(c.conversions.label(), "+100.0%");
    assert_eq!(c.revenue.label(), "+600.0%");
    assert_eq!(c.commissions.label(), "+600.0%");

    // Bob had nothing before this week: every figure is new.
    let bob = stats::summary(&app.db, Scope::affiliate(k.store, k.bob), &week(&k))
        .await
        .unwrap();
    assert_eq!(bob.changes().visitors.label(), "new");
    assert_eq!(bob.previous, Figures::default());
}

#[tokio::test]
async fn an_affiliates_scope_holds_only_its_own_figures_with_the_rate_rounded() {
    let app = spawn_app().await;
    let k = known_store(&app).await;

    let ann = stats::summary(&app.db, Scope::affiliate(k.store, k.ann), &week(&k))
        .await
        .unwrap();
    let bob = stats::summary(&app.db, Scope::affiliate(k.store, k.bob), &week(&k))
        .await
        .unwrap();
    // Ann's id with another store's id: nothing.
    let other = app.store_id("other").await;
    let elsewhere = stats::summary(&app.db, Scope::affiliate(other, k.ann), &week(&k))
        .await
        .unwrap();

    assert_eq!(
        ann.totals,
        Figures {
            visitors: 3,
            leads: 1,
            conversions: 2,
            revenue_minor: 14000,
            commissions: Earnings {
                pending: 900,
                due: 500,
                paid: 0
            },
        }
    );
    // 2 of 3 visitors converted: 66.666… rounds to 66.67.
    assert_eq!(ann.totals.conversion_rate().to_string(), "66.67");
    assert_eq!(
        bob.totals,
        Figures {
            visitors: 2,
            leads: 1,
            conversions: 2,
            revenue_minor: 7000,
            commissions: Earnings {
                pending: 0,
                due: 0,
                paid: 400
            },
        }
    );
    assert_eq!(elsewhere.totals, Figures::default());
}

#[tokio::test]
async fn a_custom_period_counts_its_first_and_last_day() {
    let app = spawn_app().await;
    let k = known_store(&app).await;
    let d1 = k.today - Duration::days(1);

    let one_day = Period::custom(d1, d1).unwrap();
    let s = stats::summary(&app.db, Scope::store(k.store), &one_day)
        .await
        .unwrap();

    assert_eq!(s.series.len(), 1);
    assert_eq!((s.totals.visitors, s.totals.conversions), (1, 1));
    assert_eq!(s.totals.commissions.pending, 900);
    // Its previous period is the day before: nothing happened then.
    assert_eq!(s.previous, Figures::default());
}

#[tokio::test]
async fn top_affiliates_rank_by_revenue_or_commission() {
    let app = spawn_app().await;
    let k = known_store(&app).await;

    let by_revenue = stats::top_affiliates(&app.db, k.store, &week(&k), TopBy::Revenue, 5)
        .await
        .unwrap();
    let by_commission = stats::top_affiliates(&app.db, k.store, &week(&k), TopBy::Commission, 1)
        .await
        .unwrap();

    let rows: Vec<(&str, i64, i64, i64)> = by_revenue
        .iter()
        .map(|t| {
            (
                t.email.as_str(),
                t.conversions,
                t.revenue_minor,
                t.commission_minor,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("ann@example.com", 2, 14000, 1400),
            ("bob@example.com", 2, 7000, 400)
        ]
    );
    assert_eq!(by_commission.len(), 1);
    assert_eq!(by_commission[0].affiliate_id, k.ann);
}

#[tokio::test]
async fn the_staff_queue_and_an_affiliates_next_payout_follow_the_due_rules() {
    let app = spawn_app().await;
    let k = known_store(&app).await;
    // Two pending applications; and a due adjustment for Bob, who has a
    // payout email, over the default minimum.
    app.new_affiliate(&k.key, "pat@example.com", json!({}))
        .await;
    app.new_affiliate(&k.key, "pia@example.com", json!({}))
        .await;
    app.sql("UPDATE affiliates SET payout_email = 'bob-pay@example.com' WHERE email = 'bob@example.com'")
        .await;
    let (status, body) = app
        .api_post(
            &format!("/api/v1/affiliates/{}/adjustments", k.bob.0),
            &k.key,
            json!({"amount": "75.00", "reason": "bonus"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let queue = stats::store_queue(&app.db, k.store, "USD").await.unwrap();
    let due_view =
        tributary::services::payouts::due(&app.db, k.store, "USD", PayoutMethod::External)
            .await
            .unwrap();
    let bob = stats::affiliate_money(&app.db, k.store, k.bob)
        .await
        .unwrap();
    let ann = stats::affiliate_money(&app.db, k.store, k.ann)
        .await
        .unwrap();
    let elsewhere = stats::affiliate_money(&app.db, app.store_id("other").await, k.bob).await;

    assert_eq!(queue.pending_applications, 2);
    assert_eq!(queue.due_payouts, due_view.rows.len());
    assert_eq!(queue.due_total_minor, due_view.total_minor);
    assert!(queue.due_payouts >= 1, "Bob can be paid");
    // Bob: the adjustment is due and in his balance.
    assert_eq!(bob.balance_minor, 7500);
    assert_eq!(bob.next_payout.due_minor, 7500, "{:?}", bob.next_payout);
    assert_eq!(bob.next_payout.held_back, None);
    assert_eq!(bob.next_payout.short_by_minor, 0);
    // Ann's due commission was set by SQL (500, not in her balance) and she
    // has no payout email: the Due view's reason is hers too.
    assert!(ann.next_payout.held_back.is_some(), "{:?}", ann.next_payout);
    assert!(matches!(
        elsewhere,
        Err(tributary::services::ServiceError::NotFound)
    ));
    assert!(
        ann.next_payout
            .held_back
            .as_deref()
            .unwrap_or("")
            .contains("payout email"),
        "{:?}",
        ann.next_payout
    );
    // Paid in store credit, as she prefers, Ann needs no payout email: the
    // estimate follows her preference.
    app.sql(&format!(
        "UPDATE affiliates SET payout_method = 'store_credit' WHERE id = {}",
        app.uuid_sql(&k.ann.0.to_string())
    ))
    .await;
    let ann = stats::affiliate_money(&app.db, k.store, k.ann)
        .await
        .unwrap();
    let credit_view =
        tributary::services::payouts::due(&app.db, k.store, "USD", PayoutMethod::StoreCredit)
            .await
            .unwrap();
    let credit_line = credit_view.rows.iter().find(|r| r.affiliate_id == k.ann.0);
    assert_eq!(
        ann.next_payout.held_back.is_some(),
        credit_line.is_none(),
        "the Due view for store credit and the estimate agree: {:?}",
        ann.next_payout
    );
    assert!(
        !ann.next_payout
            .held_back
            .as_deref()
            .unwrap_or("")
            .contains("payout email"),
        "no payout email is needed for store credit: {:?}",
        ann.next_payout
    );
}
