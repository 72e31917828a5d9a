//! The world the money model's steps act on: one store with a few
//! affiliates, and the ids the API has answered so far (steps pick among
//! them by index, modulo how many there are).

use reqwest::Method;
use serde_json::{Value, json};

use super::ops::Op;
use crate::support::*;
use tributary::services::check::Violation;

pub struct World<'a> {
    pub(super) app: &'a TestApp,
    pub(super) key: String,
    pub(super) case: u32,
    pub(super) affiliates: Vec<String>,
    pub(super) referrals: Vec<String>,
    pub(super) sales: Vec<(String, u32)>,
    pub(super) commissions: Vec<String>,
    pub(super) payouts: Vec<String>,
    pub(super) next_sale: u32,
    /// Recorded payouts that split a commission.
    pub splits: u32,
}

/// Cents as the API's decimal text.
pub(super) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

pub(super) fn cents_of(text: &Value) -> i64 {
    let s = text.as_str().expect("an amount as text");
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let c =
        whole.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap();
    if neg { -c } else { c }
}

pub(super) fn pick<T: Clone>(items: &[T], n: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(n) % items.len()].clone())
}

/// A refusal is an answer the API may give a random step (a void of a paid
/// commission, a record of more than the balance…); anything else is a bug.
pub(super) fn expect(status: u16, body: &Value, what: &str) -> Result<bool, String> {
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
            Violation::Rollup(m) | Violation::StatusTotals(m) => {
                m.store_slug == format!("model-{}", self.case)
            }
        }
    }

    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.app.api(method, path, &self.key, body).await
    }

    pub(super) fn keep_commissions(&mut self, list: &Value) {
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
            Op::Refund { sale, percent } => self.refund(sale, percent).await,
            Op::Promote => self.promote().await,
            Op::Manual { who, cents, due } => self.manual(who, cents, due).await,
            Op::Edit { commission, cents } => self.edit(commission, cents).await,
            Op::VoidCommission { commission } => self.void_commission(commission).await,
            Op::Adjust { who, cents } => self.adjust(who, cents).await,
            Op::BatchPayout { who } => self.batch_payout(who).await,
            Op::Record {
                who,
                percent,
                store_credit,
            } => self.record(who, percent, store_credit).await,
            Op::MarkPaid { payout } => self.mark_paid(payout).await,
            Op::VoidPayout { payout } => self.void_payout(payout).await,
        }
    }
}
