//! The "you earned" mail of a batch's commissions, staged with them and
//! inserted by `flush` in one multi-row statement inside the group
//! transaction. Rendering is in memory from rows the unit already holds
//! (the affiliate and its preference); the public URL its portal link
//! needs is the sale's request's (`services::instance`), or, outside any
//! request, the recorded one, read once per unit. It has to happen here
//! because the commission is only decided inside the batch.

use super::*;
use crate::entities::store;
use crate::services::email::notify;
use crate::services::instance;

impl Work {
    /// Stages the mail of a commission just staged, if its affiliate wants it.
    pub async fn stage_commission_mail(
        &mut self,
        conn: &impl ConnectionTrait,
        store: &store::Model,
        c: &commission::Model,
    ) -> ServiceResult<()> {
        let Some(a) = self.affiliates.get(&c.affiliate_id) else {
            return Ok(()); // every credited affiliate is loaded; nothing to tell otherwise
        };
        if !notify::wants_commission_mail(a, c) {
            return Ok(());
        }
        // The sale's own request's URL (`writer` runs each sale under it);
        // the recorded one only for a sale recorded outside any request.
        let base = match instance::request_base() {
            Some(base) => Some(base),
            None => {
                if self.public_base.is_none() {
                    self.public_base = Some(instance::recorded_base(conn).await?);
                }
                self.public_base.clone().flatten()
            }
        };
        let a = &self.affiliates[&c.affiliate_id];
        if let Some(row) = notify::commission_row(store, base.as_deref(), a, c)? {
            self.emails.push(row);
        }
        Ok(())
    }
}
