//! The steps of the money model and the world they act on: one store with
//! a few affiliates, and the ids the API has answered so far (steps pick
//! among them by index, modulo how many there are).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;
use tributary::services::check::Violation;

#[derive(Debug, Clone)]
pub enum Op {
    /// A sale through an affiliate's referral, delivered `deliveries` times
    /// at once (a webhook retried); `import` backdates it so it can be due.
    Sale {
        who: u8,
        cents: u32,
        import: bool,
        deliveries: u8,
    },
    /// A refund of `percent` % of a sale, or of all of it.
    Refund {
        sale: u8,
        percent: Option<u8>,
    },
    /// The hold-period job, run as if a year had passed.
    Promote,
    /// A manual commission (negative: a manual clawback), pending or due.
    Manual {
        who: u8,
        cents: i32,
        due: bool,
    },
    Edit {
        commission: u8,
        cents: u32,
    },
    VoidCommission {
        commission: u8,
    },
    Adjust {
        who: u8,
        cents: i32,
    },
    /// The Due view's payouts, for one affiliate or every payable one.
    BatchPayout {
        who: Option<u8>,
    },
    /// Komerza's record of `percent` % of the available balance.
    Record {
        who: u8,
        percent: u8,
        store_credit: bool,
    },
    MarkPaid {
        payout: u8,
    },
    VoidPayout {
        payout: u8,
    },
}

impl Op {
    /// The step's kind (with store credit apart), for the run's tally.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Sale { deliveries: 1, .. } => "sale",
            Op::Sale { .. } => "sale delivered several times",
            Op::Refund {
                percent: Some(_), ..
            } => "partial refund",
            Op::Refund { percent: None, .. } => "full refund",
            Op::Promote => "promotion to due",
            Op::Manual { .. } => "manual commission",
            Op::Edit { .. } => "edit",
            Op::VoidCommission { .. } => "void commission",
            Op::Adjust { .. } => "adjustment",
            Op::BatchPayout { .. } => "batch payout",
            Op::Record {
                store_credit: false,
                ..
            } => "record payout",
            Op::Record {
                store_credit: true, ..
            } => "store-credit payout",
            Op::MarkPaid { .. } => "mark paid",
            Op::VoidPayout { .. } => "void payout",
        }
    }
}

pub struct World<'a> {
    app: &'a TestApp,
    key: String,
    case: u32,
    affiliates: Vec<String>,
    referrals: Vec<String>,
    sales: Vec<(String, u32)>,
    commissions: Vec<String>,
    payouts: Vec<String>,
    next_sale: u32,
    /// Recorded payouts that split a commission.
    pub splits: u32,
}

/// Cents as the API's decimal text.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn cents_of(text: &Value) -> i64 {
    let s = text.as_str().expect("an amount as text");
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let c =
        whole.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap();
    if neg { -c } else { c }
}

fn pick<T: Clone>(items: &[T], n: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(n) % items.len()].clone())
}

/// A refusal is an answer the API may give a random step (a void of a paid
/// commission, a record of more than the balance…); anything else is a bug.
fn expect(status: u16, body: &Value, what: &str) -> Result<bool, String> {
    match status {
        200 | 201 => Ok(true),
        404 | 409 | 422 => Ok(false),
        _ => Err(format!("{what}: {status} {body}")),
    }
}

impl<'a> World<'a> {
    pub async fn new(app: &'a TestApp, case: u32, affiliates: u8) -> World<'a> {
        let slug = format!("model-{case}");
        app.other_store(&slug, &format!("owner{case}@example.com"))
            .await;
        let key = app.api_key(&slug).await;
        let (status, campaign) = app
            .api_post(
                "/api/v1/campaigns",
                &key,
                json!({"name": "Partners", "website_url": "https://shop.example.com",
                       "is_default": true, "hold_days": 30, "minimum_payout": "5.00"}),
            )
            .await;
        assert_eq!(status, 201, "{campaign}");
        let mut world = World {
            app,
            key,
            case,
            affiliates: Vec::new(),
            referrals: Vec::new(),
            sales: Vec::new(),
            commissions: Vec::new(),
            payouts: Vec::new(),
            next_sale: 0,
            splits: 0,
        };
        for n in 0..affiliates {
            let token = format!("m{case}a{n}");
            // One without a payout email (the Due view skips it for external
            // payouts), one without a customer id (no store credit).
            let mut body = json!({"status": "approved", "link_token": token,
                                  "campaign_id": campaign["id"]});
            if n != 2 {
                body["payout_email"] = json!(format!("{token}@pay.example.com"));
            }
            if n != 1 {
                body["external_customer_id"] = json!(format!("cus_{token}"));
            }
            let a = app
                .new_affiliate(&world.key, &format!("{token}@example.com"), body)
                .await;
            world.affiliates.push(a["id"].as_str().unwrap().to_owned());
            world.referrals.push(app.referred(&token).await);
        }
        world
    }

    /// Whether a broken invariant is about this case's store. Earlier
    /// cases share the database; when one failed, its rows stay broken,
    /// and the shrinking cases after it must be judged on their own.
    pub fn owns(&self, v: &Violation) -> bool {
        let has = |list: &[String], id: &uuid::Uuid| list.contains(&id.to_string());
        let sales: Vec<String> = self.sales.iter().map(|(id, _)| id.clone()).collect();
        match v {
            Violation::BalanceMismatch { affiliate_id, .. }
            | Violation::BalanceOutOfRange { affiliate_id, .. } => {
                has(&self.affiliates, affiliate_id)
            }
            Violation::PayoutSumMismatch { payout_id, .. }
            | Violation::VoidNotRestored { payout_id, .. } => has(&self.payouts, payout_id),
            Violation::CommissionInManyPayouts {
                commission_id,
                payouts,
            } => {
                has(&self.commissions, commission_id)
                    || payouts.iter().any(|p| has(&self.payouts, p))
            }
            Violation::DuplicateCommission {
                sale_id,
                affiliate_id,
                ..
            } => has(&sales, sale_id) || has(&self.affiliates, affiliate_id),
            Violation::Rollup(m) => m.store_slug == format!("model-{}", self.case),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.app.api(method, path, &self.key, body).await
    }

    fn keep_commissions(&mut self, list: &Value) {
        for c in list.as_array().into_iter().flatten() {
            let id = c["id"].as_str().unwrap().to_owned();
            if !self.commissions.contains(&id) {
                self.commissions.push(id);
            }
        }
    }

    /// Whether the API took the step (`false`: refused, or nothing to act on).
    pub async fn apply(&mut self, op: &Op) -> Result<bool, String> {
        match op.clone() {
            Op::Sale {
                who,
                cents,
                import,
                deliveries,
            } => self.sale(who, cents, import, deliveries).await,
            Op::Refund { sale, percent } => {
                let Some((id, cents)) = pick(&self.sales, sale) else {
                    return Ok(false);
                };
                let body = match percent {
                    Some(p) => json!({"amount": money(i64::from(cents) * i64::from(p) / 100)}),
                    None => json!({}),
                };
                let path = format!("/api/v1/sales/{id}/refunds");
                let (status, answer) = self.call(Method::POST, &path, Some(body)).await;
                let ok = expect(status, &answer, "refund")?;
                if ok {
                    self.keep_commissions(&answer["commissions"]);
                }
                Ok(ok)
            }
            Op::Promote => {
                let later = chrono::Utc::now() + chrono::Duration::days(365);
                tributary::services::commissions::promote_due(&self.app.db, later)
                    .await
                    .map(|moved| moved > 0)
                    .map_err(|e| format!("promote: {e:?}"))
            }
            Op::Manual { who, cents, due } => {
                let mut body = json!({
                    "affiliate_id": self.affiliates[usize::from(who)],
                    "sale_amount": "100.00", "amount": money(i64::from(cents)),
                    "status": if due { "due" } else { "pending" },
                });
                if cents < 0 {
                    body["remarks"] = json!("manual clawback");
                }
                let (status, answer) = self
                    .call(Method::POST, "/api/v1/commissions", Some(body))
                    .await;
                let ok = expect(status, &answer, "manual commission")?;
                if ok {
                    self.keep_commissions(&json!([answer]));
                }
                Ok(ok)
            }
            Op::Edit { commission, cents } => {
                let Some(id) = pick(&self.commissions, commission) else {
                    return Ok(false);
                };
                let path = format!("/api/v1/commissions/{id}");
                let (status, answer) = self
                    .call(
                        Method::PATCH,
                        &path,
                        Some(json!({"amount": money(i64::from(cents))})),
                    )
                    .await;
                expect(status, &answer, "edit")
            }
            Op::VoidCommission { commission } => {
                let Some(id) = pick(&self.commissions, commission) else {
                    return Ok(false);
                };
                let path = format!("/api/v1/commissions/{id}?reason=duplicate");
                let (status, answer) = self.call(Method::DELETE, &path, None).await;
                expect(status, &answer, "void commission")
            }
            Op::Adjust { who, cents } => {
                let path = format!(
                    "/api/v1/affiliates/{}/adjustments",
                    self.affiliates[usize::from(who)]
                );
                let body = json!({"amount": money(i64::from(cents)), "reason": "model"});
                let (status, answer) = self.call(Method::POST, &path, Some(body)).await;
                let ok = expect(status, &answer, "adjustment")?;
                if ok {
                    self.keep_commissions(&json!([{"id": answer["commission_id"]}]));
                }
                Ok(ok)
            }
            Op::BatchPayout { who } => {
                let body = match who {
                    Some(w) => json!({"affiliate_ids": [self.affiliates[usize::from(w)]]}),
                    None => json!({}),
                };
                let (status, answer) = self.call(Method::POST, "/api/v1/payouts", Some(body)).await;
                let mut ok = false;
                if expect(status, &answer, "batch payout")? {
                    for p in answer["data"].as_array().unwrap() {
                        self.payouts.push(p["id"].as_str().unwrap().to_owned());
                        ok = true;
                    }
                }
                Ok(ok)
            }
            Op::Record {
                who,
                percent,
                store_credit,
            } => self.record(who, percent, store_credit).await,
            Op::MarkPaid { payout } => {
                let Some(id) = pick(&self.payouts, payout) else {
                    return Ok(false);
                };
                let path = format!("/api/v1/payouts/{id}/mark_paid");
                let (status, answer) = self.call(Method::POST, &path, Some(json!({}))).await;
                expect(status, &answer, "mark paid")
            }
            Op::VoidPayout { payout } => {
                let Some(id) = pick(&self.payouts, payout) else {
                    return Ok(false);
                };
                let path = format!("/api/v1/payouts/{id}/void");
                let body = json!({"void_reason": "bounced"});
                let (status, answer) = self.call(Method::POST, &path, Some(body)).await;
                expect(status, &answer, "void payout")
            }
        }
    }

    async fn sale(
        &mut self,
        who: u8,
        cents: u32,
        import: bool,
        deliveries: u8,
    ) -> Result<bool, String> {
        self.next_sale += 1;
        let external_id = format!("pi_m{}_{}", self.case, self.next_sale);
        let mut body = json!({"external_id": external_id, "amount": money(i64::from(cents)),
                              "referral_id": self.referrals[usize::from(who)]});
        if import {
            body["import"] = json!(true);
            body["occurred_at"] = json!("2026-01-15T12:00:00Z");
        }
        let answers = futures_util::future::join_all(
            (0..deliveries).map(|_| self.call(Method::POST, "/api/v1/sales", Some(body.clone()))),
        )
        .await;
        let mut ids = Vec::new();
        for (status, answer) in &answers {
            if !expect(*status, answer, "sale")? {
                return Err(format!("a valid sale was refused: {status} {answer}"));
            }
            ids.push(answer["id"].as_str().unwrap().to_owned());
        }
        ids.dedup();
        if ids.len() != 1 {
            return Err(format!("duplicate deliveries made several sales: {ids:?}"));
        }
        self.sales.push((ids.remove(0), cents));
        let first = answers[0].1.clone();
        self.keep_commissions(&first["commissions"]);
        Ok(true)
    }

    /// A record of `percent` % of the available balance: any amount from
    /// 0.01 to the balance is paid, the commission it ends inside split in
    /// two (the remainder joins the commissions later steps act on).
    async fn record(&mut self, who: u8, percent: u8, store_credit: bool) -> Result<bool, String> {
        let id = &self.affiliates[usize::from(who)];
        let (status, b) = self
            .call(
                Method::GET,
                &format!("/api/v1/affiliates/{id}/balance"),
                None,
            )
            .await;
        if status != 200 {
            return Err(format!("balance: {status} {b}"));
        }
        let available = cents_of(&b["available"]);
        let amount = (available * i64::from(percent) / 100).max(1);
        let path = format!("/api/v1/affiliates/{id}/payouts");
        let body = json!({"amount": money(amount), "convertedToStoreCredit": store_credit,
                          "comment": "recorded by the model"});
        let (status, answer) = self.call(Method::POST, &path, Some(body)).await;
        let ok = expect(status, &answer, "record payout")?;
        // Affiliate 1 has no customer id (no store credit); otherwise any
        // amount within the balance must be paid.
        let payable = amount <= available && !(store_credit && who == 1);
        if ok != payable {
            return Err(format!(
                "record of {amount} with {available} available: {status} {answer}"
            ));
        }
        if ok {
            if cents_of(&answer["amount"]) != amount {
                return Err(format!("recorded {amount} but the payout is {answer}"));
            }
            self.payouts.push(answer["id"].as_str().unwrap().to_owned());
            let split = &answer["split"];
            if !split.is_null() {
                self.splits += 1;
                self.keep_commissions(&json!([{"id": split["remainder_commission_id"]}]));
            }
        }
        Ok(ok)
    }
}
