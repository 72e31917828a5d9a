//! Payouts: their states and methods, and the pure choice of what one
//! settles. A service loads an affiliate's unclaimed due commissions
//! (clawbacks included, negative), calls `settle_all` (the Due view, batch
//! creation) or `settle_amount` (Komerza's record-a-payout, which may cut
//! one commission in two), and persists the selection it gets: the
//! payout's amount is always the exact sum of the commissions it names
//! (DESIGN §3, invariant 2).

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::states::{CommissionStatus, TransitionError};

/// `pending` until the money is sent, then `paid`; `voided` gives the
/// money back to the balance (a cancelled or bounced transfer).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "paid")]
    Paid,
    #[sea_orm(string_value = "voided")]
    Voided,
}

impl PayoutStatus {
    pub const ALL: &'static [PayoutStatus] = &[Self::Pending, Self::Paid, Self::Voided];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| "must be pending, paid or voided".to_owned())
    }

    /// The money was sent.
    pub fn mark_paid(self) -> Result<Self, TransitionError> {
        match self {
            Self::Pending => Ok(Self::Paid),
            Self::Paid => Err(TransitionError("This payout is already paid.".into())),
            Self::Voided => Err(TransitionError(
                "This payout is voided; a voided payout cannot be paid.".into(),
            )),
        }
    }

    /// Cancelled before sending, or the transfer bounced after.
    pub fn void(self) -> Result<Self, TransitionError> {
        match self {
            Self::Pending | Self::Paid => Ok(Self::Voided),
            Self::Voided => Err(TransitionError(
                "This payout is already voided; its money was returned to the balance once.".into(),
            )),
        }
    }

    /// Whether its commissions are held by it (a voided one released them).
    pub fn holds_commissions(self) -> bool {
        self != Self::Voided
    }
}

impl std::fmt::Display for PayoutStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the money reaches the affiliate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum PayoutMethod {
    /// Sent outside Tributary (PayPal, bank transfer) to the payout email.
    #[sea_orm(string_value = "external")]
    External,
    /// Granted as credit in the store (Komerza's `convertedToStoreCredit`).
    #[sea_orm(string_value = "store_credit")]
    StoreCredit,
}

impl PayoutMethod {
    pub const ALL: &'static [PayoutMethod] = &[Self::External, Self::StoreCredit];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::External => "external",
            Self::StoreCredit => "store_credit",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| "must be external or store_credit".to_owned())
    }
}

impl std::fmt::Display for PayoutMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One due commission not yet in a payout (negative for a clawback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub id: Uuid,
    pub amount_minor: i64,
    pub due_at: DateTime<Utc>,
}

/// What one payout settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub commission_ids: Vec<Uuid>,
    pub amount_minor: i64,
    pub count: usize,
    /// The oldest and newest due date among the settled commissions.
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// The one commission a recorded amount covers only in part.
    pub split: Option<Split>,
}

/// A due commission a recorded payout covers in part: its amount becomes
/// `settled_minor` (settled by the payout) and a new due commission of the
/// same sale holds `remainder_minor`; both are ≥ 1 minor unit and add up to
/// the commission's amount, so the balance does not move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub commission_id: Uuid,
    pub settled_minor: i64,
    pub remainder_minor: i64,
}

/// Why an affiliate gets no payout now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    NothingDue,
    /// The due sum is zero or negative (clawbacks outweigh earnings).
    NotPositive {
        due_minor: i64,
    },
    BelowMinimum {
        due_minor: i64,
        minimum_minor: i64,
    },
    /// External payouts are sent to the payout email, and there is none.
    NoPayoutEmail,
    /// A sum that does not fit in 64 bits (never with real money).
    Overflow,
}

impl Ineligible {
    /// Why, in a sentence for the Due view and the API.
    pub fn message(&self, format: impl Fn(i64) -> String) -> String {
        match self {
            Self::NothingDue => "has no due commissions that are not already in a payout".into(),
            Self::NotPositive { due_minor } => format!(
                "has {} due after clawbacks: nothing to pay",
                format(*due_minor)
            ),
            Self::BelowMinimum {
                due_minor,
                minimum_minor,
            } => format!(
                "has {} due, below the campaign's minimum payout of {}",
                format(*due_minor),
                format(*minimum_minor)
            ),
            Self::NoPayoutEmail => {
                "has no payout email: set one, or pay them in store credit".into()
            }
            Self::Overflow => "has a due sum too large to pay at once".into(),
        }
    }
}

/// What a voided payout does to one commission it held: a due or paid one
/// is payable again; anything else (refunded or voided meanwhile) stays.
pub fn released(status: CommissionStatus) -> CommissionStatus {
    match status {
        CommissionStatus::Due | CommissionStatus::Paid => CommissionStatus::Due,
        other => other,
    }
}

/// The rules a payout of everything due follows.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub minimum_minor: i64,
    pub method: PayoutMethod,
    pub has_payout_email: bool,
}

fn ordered(items: &[DueItem]) -> Vec<&DueItem> {
    // Clawbacks first (they are always carried into the next payout), then
    // earnings oldest first; ties broken by the time-ordered id.
    let mut v: Vec<&DueItem> = items.iter().collect();
    v.sort_by_key(|i| (i.amount_minor >= 0, i.due_at, i.id));
    v
}

fn selection(chosen: &[&DueItem], amount_minor: i64) -> Option<Selection> {
    let start = chosen.iter().map(|i| i.due_at).min()?;
    let end = chosen.iter().map(|i| i.due_at).max()?;
    Some(Selection {
        commission_ids: chosen.iter().map(|i| i.id).collect(),
        amount_minor,
        count: chosen.len(),
        period_start: start,
        period_end: end,
        split: None,
    })
}

fn checked_sum<'a>(items: impl IntoIterator<Item = &'a DueItem>) -> Option<i64> {
    items
        .into_iter()
        .try_fold(0i64, |acc, i| acc.checked_add(i.amount_minor))
}

/// Whether an affiliate with `due_minor` due (over `count` commissions) is
/// paid now under `rules`: the Due view and `settle_all` share it.
pub fn check_eligible(due_minor: i64, count: usize, rules: Rules) -> Result<(), Ineligible> {
    if count == 0 {
        return Err(Ineligible::NothingDue);
    }
    if due_minor <= 0 {
        return Err(Ineligible::NotPositive { due_minor });
    }
    if due_minor < rules.minimum_minor {
        return Err(Ineligible::BelowMinimum {
            due_minor,
            minimum_minor: rules.minimum_minor,
        });
    }
    if rules.method == PayoutMethod::External && !rules.has_payout_email {
        return Err(Ineligible::NoPayoutEmail);
    }
    Ok(())
}

/// Everything due, as one payout, when the rules allow it.
pub fn settle_all(items: &[DueItem], rules: Rules) -> Result<Selection, Ineligible> {
    let due_minor = checked_sum(items).ok_or(Ineligible::Overflow)?;
    check_eligible(due_minor, items.len(), rules)?;
    let chosen = ordered(items);
    selection(&chosen, due_minor).ok_or(Ineligible::NothingDue)
}

/// Why a recorded amount cannot be paid from what is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRefusal {
    /// More than the due commissions (after clawbacks) add up to.
    ExceedsDue { due_minor: i64 },
    /// A sum that does not fit in 64 bits (never with real money).
    Overflow,
}

/// Komerza's "record a payout of X": the clawbacks, then the oldest due
/// commissions, whole while they fit in `amount_minor`; the first one that
/// does not fit is split (`Selection::split`): the payout settles
/// `amount − Σ the others` of it and the rest stays due. The selection
/// names the split commission too, so once its amount is the settled part
/// the payout is the exact sum of what it names (invariant 2). Once the
/// amount is reached, a run of zero-amount commissions is settled with it.
pub fn settle_amount(items: &[DueItem], amount_minor: i64) -> Result<Selection, RecordRefusal> {
    let due_minor = checked_sum(items).ok_or(RecordRefusal::Overflow)?;
    let ordered = ordered(items);
    let mut chosen = Vec::new();
    let mut sum = 0i64;
    let mut split = None;
    for item in ordered {
        if item.amount_minor < 0 {
            // The clawbacks every payout carries.
            sum = sum
                .checked_add(item.amount_minor)
                .ok_or(RecordRefusal::Overflow)?;
            chosen.push(item);
            continue;
        }
        if sum >= amount_minor {
            if item.amount_minor == 0 {
                chosen.push(item);
                continue;
            }
            break;
        }
        let next = sum
            .checked_add(item.amount_minor)
            .ok_or(RecordRefusal::Overflow)?;
        if next > amount_minor {
            // amount − sum is in 1..item: the part the payout covers.
            let settled_minor = amount_minor - sum;
            split = Some(Split {
                commission_id: item.id,
                settled_minor,
                remainder_minor: item.amount_minor - settled_minor,
            });
            sum = amount_minor;
        } else {
            sum = next;
        }
        chosen.push(item);
    }
    if sum != amount_minor {
        return Err(RecordRefusal::ExceedsDue { due_minor });
    }
    let mut s = selection(&chosen, amount_minor).ok_or(RecordRefusal::ExceedsDue { due_minor })?;
    s.split = split;
    Ok(s)
}

#[cfg(test)]
mod tests;
