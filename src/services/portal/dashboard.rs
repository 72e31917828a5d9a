//! What the portal's dashboard reads for the signed-in affiliate: the
//! period's statistics (`services::stats::summary` in the affiliate scope)
//! and their money now (`services::stats::affiliate_money`: balance and
//! next payout estimate). Nothing is recomputed here: the store dashboard
//! and the payouts Due view read the same functions.

use sea_orm::DatabaseConnection;

use crate::domain::period::Period;
use crate::domain::{AffiliateId, StoreId};
use crate::services::ServiceResult;
use crate::services::stats::{self, AffiliateMoney, Scope, Summary};

pub struct Dashboard {
    pub summary: Summary,
    pub money: AffiliateMoney,
}

/// The figures of `affiliate_id` of `store_id` over `period`. Another
/// store's affiliate is `NotFound`.
pub async fn load(
    db: &DatabaseConnection,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    period: &Period,
) -> ServiceResult<Dashboard> {
    // The estimate is the Due view's line for the method the affiliate
    // prefers.
    let money = stats::affiliate_money(db, store_id, affiliate_id).await?;
    let summary = stats::summary(db, Scope::affiliate(store_id, affiliate_id), period).await?;
    Ok(Dashboard { summary, money })
}
