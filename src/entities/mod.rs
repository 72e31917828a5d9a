//! SeaORM models, one per table, mirroring `migration/`. They carry no
//! behaviour: rules live in `domain/`, use cases in `services/`.

pub mod affiliate;
pub mod affiliate_status_change;
pub mod api_key;
pub mod audit_entry;
pub mod campaign;
pub mod coupon;
pub mod link;
pub mod login_throttle;
pub mod membership;
pub mod session;
pub mod store;
pub mod user;
