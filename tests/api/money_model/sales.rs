//! The money model's sales: a sale delivered once or several times at once,
//! and refunds of part or all of one.

use reqwest::Method;
use serde_json::json;

use super::world::{World, expect, money, pick};

impl World<'_> {
    pub(super) async fn sale(
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

    pub(super) async fn refund(&mut self, sale: u8, percent: Option<u8>) -> Result<bool, String> {
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
}
