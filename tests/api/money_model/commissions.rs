//! The money model's commission steps: the hold-period job, manual
//! commissions, staff edits and voids.

use reqwest::Method;
use serde_json::json;

use super::world::{World, expect, money, pick};

impl World<'_> {
    pub(super) async fn promote(&mut self) -> Result<bool, String> {
        let later = chrono::Utc::now() + chrono::Duration::days(365);
        tributary::services::commissions::promote_due(&self.app.db, later)
            .await
            .map(|moved| moved > 0)
            .map_err(|e| format!("promote: {e:?}"))
    }

    pub(super) async fn manual(&mut self, who: u8, cents: i32, due: bool) -> Result<bool, String> {
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

    pub(super) async fn edit(&mut self, commission: u8, cents: u32) -> Result<bool, String> {
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

    pub(super) async fn void_commission(&mut self, commission: u8) -> Result<bool, String> {
        let Some(id) = pick(&self.commissions, commission) else {
            return Ok(false);
        };
        let path = format!("/api/v1/commissions/{id}?reason=duplicate");
        let (status, answer) = self.call(Method::DELETE, &path, None).await;
        expect(status, &answer, "void commission")
    }
}
