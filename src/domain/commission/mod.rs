//! The commission engine (DESIGN §3): pure functions of plain values, in
//! exact decimals, rounded once, half away from zero, to the currency's minor
//! unit — which is where amounts already live, so every result is an `i64`
//! of minor units. Checked arithmetic throughout: a huge amount is an error,
//! never a panic or a wrapped number.

use chrono::{DateTime, Duration, Months, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::campaign::{Commission, CommissionType, Recurring};

pub mod split;

/// What the campaign (or the affiliate's override) says about paying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub commission: Commission,
    pub first_payment: Option<Commission>,
    pub recurring: Recurring,
    pub recurring_limit: Option<i32>,
    pub hold_days: i32,
    /// The affiliate's own percentage, replacing the campaign's rule.
    pub override_bp: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sale {
    pub amount_minor: i64,
    pub tax_minor: i64,
    pub occurred_at: DateTime<Utc>,
    /// When the hold period starts: when the sale was recorded, or its
    /// `occurred_at` for an import of history (the caller decides).
    pub hold_from: DateTime<Utc>,
}

/// The referral's earlier sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct History {
    pub prior_sales: u32,
    pub first_sale_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pay {
        amount_minor: i64,
        /// The sale amount net of tax the commission was computed on.
        basis_minor: i64,
        due_at: DateTime<Utc>,
    },
    /// No commission: the recurring limit is reached.
    NotEligible(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommissionError {
    #[error("the sale amount must be greater than zero")]
    NonPositiveAmount,
    #[error("the tax must be zero or more and not above the amount")]
    BadTax,
    #[error("the amounts are too large to compute with")]
    Overflow,
}

/// Percentage of `basis` (minor units), rounded half away from zero.
pub fn percent_of(basis_minor: i64, bp: i64) -> Result<i64, CommissionError> {
    let value = Decimal::from(basis_minor)
        .checked_mul(Decimal::from(bp))
        .and_then(|v| v.checked_div(Decimal::from(10_000)))
        .ok_or(CommissionError::Overflow)?;
    i64::try_from(value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .map_err(|_| CommissionError::Overflow)
}

fn amount_for(rule: Commission, basis_minor: i64) -> Result<i64, CommissionError> {
    match rule.kind {
        CommissionType::Percentage => percent_of(basis_minor, rule.value),
        CommissionType::Fixed => Ok(rule.value),
    }
}

/// Which of the terms priced a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    /// The campaign's first-payment override.
    FirstPayment,
    /// The affiliate's own percentage.
    AffiliateOverride,
    /// The campaign's commission.
    Campaign,
}

/// The rule that prices a referral's first sale (`first`) or a later one.
/// On the first sale the campaign's first-payment override comes before the
/// affiliate's percentage; on later ones the affiliate's percentage comes
/// before the campaign's rule. `decide` prices with it, and pages describe
/// it, so they cannot disagree.
pub fn rule_for(terms: &Terms, first: bool) -> (Commission, RuleSource) {
    match (first, terms.first_payment, terms.override_bp) {
        (true, Some(first_rule), _) => (first_rule, RuleSource::FirstPayment),
        (_, _, Some(bp)) => (
            Commission {
                kind: CommissionType::Percentage,
                value: bp,
            },
            RuleSource::AffiliateOverride,
        ),
        _ => (terms.commission, RuleSource::Campaign),
    }
}

/// The commission one sale earns under `terms`, given the referral's history.
pub fn decide(terms: &Terms, sale: Sale, history: History) -> Result<Decision, CommissionError> {
    if sale.amount_minor <= 0 {
        return Err(CommissionError::NonPositiveAmount);
    }
    if sale.tax_minor < 0 || sale.tax_minor > sale.amount_minor {
        return Err(CommissionError::BadTax);
    }
    let first = history.prior_sales == 0;
    let limit = terms.recurring_limit.unwrap_or(0).max(0) as u32;
    match terms.recurring {
        Recurring::FirstPayment if !first => {
            return Ok(Decision::NotEligible(
                "the campaign pays on the first payment only",
            ));
        }
        Recurring::Payments if history.prior_sales >= limit => {
            return Ok(Decision::NotEligible(
                "the campaign's number of paid payments is reached",
            ));
        }
        Recurring::Months => {
            if let Some(start) = history.first_sale_at {
                let end = start
                    .checked_add_months(Months::new(limit))
                    .ok_or(CommissionError::Overflow)?;
                if sale.occurred_at >= end {
                    return Ok(Decision::NotEligible(
                        "the campaign's number of paid months is over",
                    ));
                }
            }
        }
        _ => {}
    }
    let basis = sale.amount_minor - sale.tax_minor;
    let (rule, _) = rule_for(terms, first);
    let amount_minor = amount_for(rule, basis)?;
    let due_at = sale
        .hold_from
        .checked_add_signed(Duration::days(terms.hold_days.max(0) as i64))
        .ok_or(CommissionError::Overflow)?;
    Ok(Decision::Pay {
        amount_minor,
        basis_minor: basis,
        due_at,
    })
}

/// What is left of a commission once `refunded_minor` of the sale's gross
/// `amount_minor` is refunded: pro rata, always computed from the original so
/// successive partial refunds add up exactly, reaching 0 at a full refund.
pub fn after_refund(
    original_minor: i64,
    sale_amount_minor: i64,
    refunded_minor: i64,
) -> Result<i64, CommissionError> {
    if sale_amount_minor <= 0 {
        return Err(CommissionError::NonPositiveAmount);
    }
    let refunded = refunded_minor.clamp(0, sale_amount_minor);
    let remaining = sale_amount_minor - refunded;
    let value = Decimal::from(original_minor)
        .checked_mul(Decimal::from(remaining))
        .and_then(|v| v.checked_div(Decimal::from(sale_amount_minor)))
        .ok_or(CommissionError::Overflow)?;
    i64::try_from(value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .map_err(|_| CommissionError::Overflow)
}

#[cfg(test)]
mod tests;
