//! Stored states and kinds of the money and tracking rows, and the moves
//! allowed between them. Each enum is the column's type at the entity
//! boundary (SeaORM's `DeriveActiveEnum`, with the strings the database
//! already holds), so a value read is always one of these and a bad stored
//! value is one clear database error wherever it is read. No service or
//! handler spells these strings: `tests.rs` keeps it so.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Why a state change was refused, in a sentence a page or the API shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransitionError(pub String);

/// Shared plumbing: the stored string, its parse, `Display` for templates.
macro_rules! stored_strings {
    ($name:ident, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a filter or body value; the error lists what is allowed.
            pub fn parse(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be {}",
                        join_or(&[$($text),+])
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

    };
}

/// "a, b or c".
pub fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

// --- Referral ----------------------------------------------------------------

/// A referred person's progress: `visitor` → `lead` → `converted`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ReferralState {
    #[sea_orm(string_value = "visitor")]
    Visitor,
    #[sea_orm(string_value = "lead")]
    Lead,
    #[sea_orm(string_value = "converted")]
    Converted,
}

stored_strings!(ReferralState, {
    Visitor => "visitor", Lead => "lead", Converted => "converted",
});

impl ReferralState {
    /// Signing up makes a visitor a lead; a lead or a customer keeps its
    /// state (a second sign-up changes nothing, a customer stays one).
    pub fn sign_up(self) -> Self {
        match self {
            Self::Visitor => Self::Lead,
            other => other,
        }
    }

    /// A sale makes anyone a customer.
    pub fn convert(self) -> Self {
        Self::Converted
    }

    /// The word pages use for it: a converted referral is a customer, on
    /// the badge and in the filter alike.
    pub fn label(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Lead => "lead",
            Self::Converted => "customer",
        }
    }

    /// The filter's word for all of them.
    pub fn plural_label(self) -> &'static str {
        match self {
            Self::Visitor => "Visitors",
            Self::Lead => "Leads",
            Self::Converted => "Customers",
        }
    }

    pub fn is_converted(self) -> bool {
        self == Self::Converted
    }
}

/// How a referral came to be.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ReferralSource {
    /// A click on `/r/{token}`.
    #[sea_orm(string_value = "link")]
    Link,
    /// The tracking script saw `?via=` on the store's site.
    #[sea_orm(string_value = "script")]
    Script,
    #[sea_orm(string_value = "coupon")]
    Coupon,
    /// Staff recorded or attributed it by hand.
    #[sea_orm(string_value = "manual")]
    Manual,
    #[sea_orm(string_value = "api")]
    Api,
}

stored_strings!(ReferralSource, {
    Link => "link", Script => "script", Coupon => "coupon", Manual => "manual", Api => "api",
});

// --- Commission --------------------------------------------------------------

/// DESIGN §2: `pending` (in the hold period), `due` (payable, in the
/// balance), `paid` (settled by a paid payout), `voided` (cancelled by
/// staff), `refunded` (its sale was refunded before it was paid).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum CommissionStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "due")]
    Due,
    #[sea_orm(string_value = "paid")]
    Paid,
    #[sea_orm(string_value = "voided")]
    Voided,
    #[sea_orm(string_value = "refunded")]
    Refunded,
}

stored_strings!(CommissionStatus, {
    Pending => "pending", Due => "due", Paid => "paid", Voided => "voided", Refunded => "refunded",
});

/// What a refund does to one commission of the sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundMove {
    /// Not yet paid: lower its amount (to zero and `refunded` when the sale
    /// is refunded in full); `in_balance` says whether the balance holds it.
    Reduce {
        becomes: CommissionStatus,
        in_balance: bool,
    },
    /// Already paid: the money left; take it back with a clawback.
    ClawBack,
    /// Voided or refunded already: nothing left to take back.
    Nothing,
}

impl CommissionStatus {
    /// Whether the commission's amount is part of the affiliate's balance
    /// (it entered the ledger when it became due).
    pub fn in_balance(self) -> bool {
        matches!(self, Self::Due | Self::Paid)
    }

    /// Whether it still counts as earned (totals, "already paid for this
    /// sale" checks): everything but voided and refunded.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Voided | Self::Refunded)
    }

    /// The hold period ended.
    pub fn promote(self) -> Result<Self, TransitionError> {
        match self {
            Self::Pending => Ok(Self::Due),
            other => Err(TransitionError(format!(
                "Only a pending commission becomes due; this one is {other}."
            ))),
        }
    }

    /// The sale was refunded (`full`: nothing of it remains).
    pub fn refund(self, full: bool) -> RefundMove {
        match self {
            Self::Pending | Self::Due => RefundMove::Reduce {
                becomes: if full { Self::Refunded } else { self },
                in_balance: self == Self::Due,
            },
            Self::Paid => RefundMove::ClawBack,
            Self::Voided | Self::Refunded => RefundMove::Nothing,
        }
    }

    /// Staff cancel it. A paid commission's money has left: it is clawed
    /// back, never voided.
    pub fn void(self) -> Result<Self, TransitionError> {
        match self {
            Self::Pending | Self::Due => Ok(Self::Voided),
            Self::Paid => Err(TransitionError(
                "A paid commission cannot be voided: claw it back instead.".into(),
            )),
            Self::Voided => Err(TransitionError("This commission is already voided.".into())),
            Self::Refunded => Err(TransitionError(
                "This commission was refunded with its sale; there is nothing to void.".into(),
            )),
        }
    }

    /// A paid payout settles it.
    pub fn settle(self) -> Result<Self, TransitionError> {
        match self {
            Self::Due => Ok(Self::Paid),
            other => Err(TransitionError(format!(
                "Only a due commission can be paid; this one is {other}."
            ))),
        }
    }
}

/// Where a commission comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum CommissionKind {
    /// Earned on a sale by the campaign's rules.
    #[sea_orm(string_value = "sale")]
    Sale,
    /// Negative: takes back part of a paid commission after a refund.
    #[sea_orm(string_value = "clawback")]
    Clawback,
    /// Created by staff.
    #[sea_orm(string_value = "manual")]
    Manual,
}

stored_strings!(CommissionKind, {
    Sale => "sale", Clawback => "clawback", Manual => "manual",
});

// --- Ledger ------------------------------------------------------------------

/// A movement of an affiliate's balance (DESIGN §2, ledger entry).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// + a commission became due.
    #[sea_orm(string_value = "commission_due")]
    CommissionDue,
    /// ± a clawback commission (negative) entered the balance.
    #[sea_orm(string_value = "clawback")]
    Clawback,
    /// − a due commission was reduced or refunded.
    #[sea_orm(string_value = "reversal")]
    Reversal,
    /// − money paid out.
    #[sea_orm(string_value = "payout")]
    Payout,
    /// + a voided payout gives its money back.
    #[sea_orm(string_value = "payout_void")]
    PayoutVoid,
    /// ± staff corrected the balance.
    #[sea_orm(string_value = "adjustment")]
    Adjustment,
}

stored_strings!(LedgerKind, {
    CommissionDue => "commission_due", Clawback => "clawback", Reversal => "reversal",
    Payout => "payout", PayoutVoid => "payout_void", Adjustment => "adjustment",
});

#[cfg(test)]
mod tests;
