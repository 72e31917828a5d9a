//! The money model's balance and payout steps: adjustments, the Due view's
//! batch payouts, Komerza's recorded payouts, mark paid and void.

use reqwest::Method;
use serde_json::json;

use super::world::{World, cents_of, expect, money, pick};

impl World<'_> {
    pub(super) async fn adjust(&mut self, who: u8, cents: i32) -> Result<bool, String> {
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

    pub(super) async fn batch_payout(&mut self, who: Option<u8>) -> Result<bool, String> {
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

    /// A record of `percent` % of the available balance: any amount from
    /// 0.01 to the balance is paid, the commission it ends inside split in
    /// two (the remainder joins the commissions later steps act on).
    pub(super) async fn record(
        &mut self,
        who: u8,
        percent: u8,
        store_credit: bool,
    ) -> Result<bool, String> {
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

    pub(super) async fn mark_paid(&mut self, payout: u8) -> Result<bool, String> {
        let Some(id) = pick(&self.payouts, payout) else {
            return Ok(false);
        };
        let path = format!("/api/v1/payouts/{id}/mark_paid");
        let (status, answer) = self.call(Method::POST, &path, Some(json!({}))).await;
        expect(status, &answer, "mark paid")
    }

    pub(super) async fn void_payout(&mut self, payout: u8) -> Result<bool, String> {
        let Some(id) = pick(&self.payouts, payout) else {
            return Ok(false);
        };
        let path = format!("/api/v1/payouts/{id}/void");
        let body = json!({"void_reason": "bounced"});
        let (status, answer) = self.call(Method::POST, &path, Some(body)).await;
        expect(status, &answer, "void payout")
    }
}
