//! Undoing or moving a sale's attribution: allowed while none of what the
//! sale earned has left the store. Every commission it still earns must be
//! one staff could void (pending or due) and in no payout; a paid one is
//! clawed back instead, a settled one waits for its payout to be voided.

use super::commission_edit::not_in_payout;
use super::states::{CommissionStatus, TransitionError};

/// The first reason the attribution must stay, if any. Voided and refunded
/// commissions earn nothing any more and never block.
pub fn may_reattribute(
    commissions: impl IntoIterator<Item = (CommissionStatus, Option<uuid::Uuid>)>,
) -> Result<(), TransitionError> {
    for (status, payout_id) in commissions {
        if !status.is_live() {
            continue;
        }
        status.void().map_err(|_| {
            TransitionError(
                "Its commission is already paid: the attribution stays (claw the commission back instead)."
                    .into(),
            )
        })?;
        not_in_payout(status, payout_id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CommissionStatus::*;

    #[test]
    fn unpaid_commissions_allow_it_and_dead_ones_never_block() {
        assert!(may_reattribute([]).is_ok());
        assert!(may_reattribute([(Pending, None), (Due, None)]).is_ok());
        assert!(may_reattribute([(Voided, None), (Refunded, None)]).is_ok());
    }

    #[test]
    fn paid_or_settled_commissions_keep_the_attribution() {
        let paid = may_reattribute([(Due, None), (Paid, Some(uuid::Uuid::nil()))]).unwrap_err();
        assert!(paid.0.contains("already paid"), "{}", paid.0);
        let settled = may_reattribute([(Due, Some(uuid::Uuid::nil()))]).unwrap_err();
        assert!(
            settled.0.contains("void that payout first"),
            "{}",
            settled.0
        );
    }
}
