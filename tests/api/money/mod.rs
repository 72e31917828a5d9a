//! Money through the API and pages, one module per resource: sales and
//! their attribution, refunds and clawbacks, referrals, commissions and
//! the books they keep.

mod commissions;
mod overflow;
mod referrals;
mod refunds;
mod replays;
mod sale_times;
mod sales;
