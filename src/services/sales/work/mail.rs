//! The "you earned" mail of a batch's commissions, staged with them and
//! inserted by `flush` in one multi-row statement inside the group
//! transaction. Rendering is in memory from rows the unit already holds
//! (the affiliate and its preference), so it adds no query; it has to
//! happen here because the commission is only decided inside the batch.

use super::*;
use crate::entities::store;
use crate::services::email::notify;

impl Work {
    /// Stages the mail of a commission just staged, if its affiliate wants it.
    pub fn stage_commission_mail(
        &mut self,
        store: &store::Model,
        c: &commission::Model,
    ) -> ServiceResult<()> {
        let Some(a) = self.affiliates.get(&c.affiliate_id) else {
            return Ok(()); // every credited affiliate is loaded; nothing to tell otherwise
        };
        if let Some(row) = notify::commission_row(store, a, c)? {
            self.emails.push(row);
        }
        Ok(())
    }
}
