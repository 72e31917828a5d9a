//! Pure domain types and rules: no IO, no database, no clock, no randomness.
//!
//! Values are parsed, not validated: a `Email`, `Slug` or `Currency` that
//! exists is valid, and a failed parse says which field and why, so pages
//! and the API can show the same message next to the same field.

pub mod affiliate;
pub mod attribution;
pub mod audit_text;
pub mod bots;
pub mod campaign;
pub mod commission;
pub mod commission_edit;
pub mod commission_void;
pub mod currency;
pub mod customer_email;
pub mod destination;
pub mod email;
pub mod ids;
pub mod link_token;
pub mod mac;
pub mod mail;
pub mod money;
pub mod password;
pub mod payout;
pub mod percent;
pub mod period;
pub mod portal;
pub mod portal_token;
pub mod reattribution;
pub mod role;
pub mod slug;
pub mod states;
pub mod stats;
pub mod text;
pub mod validation;
pub mod visitor_cookie;
pub mod web_url;
pub mod webhook_signature;

pub use currency::Currency;
pub use email::Email;
pub use ids::{
    AffiliateId, ApiKeyId, CampaignId, CommissionId, CouponId, LedgerEntryId, LinkId, MembershipId,
    PayoutId, ReferralId, RefundId, SaleId, StoreId, UserId, VisitId,
};
pub use password::Password;
pub use role::Role;
pub use slug::Slug;
pub use validation::{FieldError, ValidationErrors};
