//! Typed ids, so a store id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($name:ident) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id: good for indexes and keyset paging.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        /// Lets a typed id stand in queries (`Column::Id.eq(id)`) as its uuid.
        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> Self {
                id.0.into()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(StoreId);
typed_id!(UserId);
typed_id!(ApiKeyId);
typed_id!(MembershipId);
typed_id!(CampaignId);
typed_id!(AffiliateId);
typed_id!(LinkId);
typed_id!(CouponId);
typed_id!(ReferralId);
typed_id!(VisitId);
typed_id!(SaleId);
typed_id!(RefundId);
typed_id!(CommissionId);
typed_id!(LedgerEntryId);
typed_id!(PayoutId);
