//! SeaORM models, one per table, mirroring `migration/`. They carry no
//! behaviour: rules live in `domain/`, use cases in `services/`.

pub mod affiliate;
pub mod affiliate_status_change;
pub mod api_key;
pub mod audit_entry;
pub mod campaign;
pub mod commission;
pub mod coupon;
pub mod email;
pub mod event;
pub mod idempotency_key;
pub mod instance_setting;
pub mod invitation;
pub mod ledger_entry;
pub mod link;
pub mod login_throttle;
pub mod membership;
pub mod payout;
pub mod payout_item;
pub mod portal_token;
pub mod referral;
pub mod refund;
pub mod sale;
pub mod session;
pub mod staff_password_reset;
pub mod store;
pub mod stripe_event;
pub mod user;
pub mod visit;
