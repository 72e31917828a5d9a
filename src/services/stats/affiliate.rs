//! An affiliate's money now (not over a period): the balance and what the
//! next payout would be. The estimate is the affiliate's line of the payouts
//! Due view (`services::payouts::due_of_affiliate`), so the portal promises
//! exactly what staff will see when they pay.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::payout::Ineligible;
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{affiliate, campaign, store};
use crate::services::{ServiceError, ServiceResult, payouts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextPayout {
    /// Σ of the due commissions no payout holds yet (clawbacks included):
    /// what a payout made now would pay.
    pub due_minor: i64,
    pub count: i64,
    /// The campaign's minimum payout.
    pub minimum_minor: i64,
    /// How much more must become due to reach the minimum (0: reached).
    pub short_by_minor: i64,
    /// Why it cannot be paid now, in the Due view's words ("has 5.00 due,
    /// below the campaign's minimum payout of 50.00"); None: it can.
    pub held_back: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffiliateMoney {
    /// Σ ledger entries (the cached balance the money services maintain and
    /// `tributary check` verifies): due and paid-out movements.
    pub balance_minor: i64,
    pub next_payout: NextPayout,
}

/// The balance and next payout of `affiliate_id` in `store_id` (an
/// affiliate of another store is not found), estimated for the method the
/// affiliate prefers (external payouts need a payout email).
pub async fn affiliate_money(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> ServiceResult<AffiliateMoney> {
    let a = affiliate::Entity::find_by_id(affiliate_id.0)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let currency = store::Entity::find_by_id(store_id.0)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?
        .currency;
    let method = a.payout_method;
    let row = payouts::due_of_affiliate(conn, store_id, affiliate_id, &currency, method).await?;
    let next_payout = match row {
        Some(r) => NextPayout {
            due_minor: r.amount_minor,
            count: r.count,
            minimum_minor: r.minimum_minor,
            short_by_minor: r.minimum_minor.saturating_sub(r.amount_minor).max(0),
            held_back: r.held_back,
        },
        None => {
            let minimum_minor = campaign::Entity::find_by_id(a.campaign_id)
                .filter(campaign::Column::StoreId.eq(store_id.0))
                .one(conn)
                .await?
                .map(|c| c.minimum_payout_minor)
                .unwrap_or(0);
            NextPayout {
                due_minor: 0,
                count: 0,
                minimum_minor,
                short_by_minor: minimum_minor.max(0),
                held_back: Some(Ineligible::NothingDue.message(|_| String::new())),
            }
        }
    };
    Ok(AffiliateMoney {
        balance_minor: a.balance_minor,
        next_payout,
    })
}
