//! Pure arithmetic of the dashboards: the conversion rate and the change
//! of a figure against the previous period. Decimals, one explicit rounding
//! (`MidpointAwayFromZero`, DESIGN §3), never floats.

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimals of a conversion rate, in percent (33.33).
pub const RATE_DP: u32 = 2;
/// Decimals of a change, in percent (+12.5).
pub const CHANGE_DP: u32 = 1;

/// `part / whole` in percent, rounded once to `dp` places; 0 when `whole`
/// is 0 (nothing to convert yet) or negative.
fn percent(part: i64, whole: i64, dp: u32) -> Decimal {
    if whole <= 0 {
        return Decimal::new(0, dp);
    }
    Decimal::from(part)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|v| v.checked_div(Decimal::from(whole)))
        .map(|v| {
            let mut r = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            // Always `dp` decimals, so "80.00" reads like "66.67".
            r.rescale(dp);
            r
        })
        .unwrap_or(Decimal::ZERO)
}

/// Conversions per visitor, in percent with [`RATE_DP`] decimals: 1 of 3 is
/// 33.33, 2 of 3 is 66.67; 0 when there were no visitors.
pub fn conversion_rate(conversions: i64, visitors: i64) -> Decimal {
    percent(conversions, visitors, RATE_DP)
}

/// How a figure moved against the previous period of equal length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Both periods are zero: nothing to compare.
    Flat,
    /// The previous period was zero and this one is not: no percentage means
    /// anything, so the page says "new".
    New,
    /// Percent change, rounded to [`CHANGE_DP`] decimals (negative: down).
    Percent(Decimal),
}

impl Change {
    pub fn between(current: i64, previous: i64) -> Change {
        match (current, previous) {
            (0, 0) => Change::Flat,
            (_, 0) => Change::New,
            (c, p) => {
                // |p| so that a negative previous figure (clawbacks outweighed
                // earnings) still reads "up" when the figure rose.
                let delta = i128::from(c) - i128::from(p);
                let value = Decimal::from_i128_with_scale(delta, 0)
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|v| v.checked_div(Decimal::from(p).abs()))
                    .map(|v| {
                        v.round_dp_with_strategy(CHANGE_DP, RoundingStrategy::MidpointAwayFromZero)
                    })
                    .unwrap_or(Decimal::ZERO);
                Change::Percent(value)
            }
        }
    }

    /// "+12.5%", "−40.0%", "0.0%", "new", or "–" when both are zero.
    pub fn label(&self) -> String {
        match self {
            Change::Flat => "–".into(),
            Change::New => "new".into(),
            Change::Percent(v) if v.is_sign_negative() && !v.is_zero() => {
                format!("−{:.1}%", v.abs())
            }
            Change::Percent(v) if v.is_zero() => "0.0%".into(),
            Change::Percent(v) => format!("+{v:.1}%"),
        }
    }

    /// `up`, `down` or `flat`: the class the page colours it by.
    pub fn direction(&self) -> &'static str {
        match self {
            Change::New => "up",
            Change::Percent(v) if v.is_sign_positive() && !v.is_zero() => "up",
            Change::Percent(v) if v.is_sign_negative() && !v.is_zero() => "down",
            _ => "flat",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn conversion_rate_rounds_half_away_from_zero_to_two_places() {
        assert_eq!(conversion_rate(1, 3), dec("33.33"));
        assert_eq!(conversion_rate(2, 3), dec("66.67"));
        // 1/8 = 12.5 exactly; 1/16 = 6.25; 1/32 = 3.125 → 3.13 (not banker's 3.12).
        assert_eq!(conversion_rate(1, 32), dec("3.13"));
        assert_eq!(conversion_rate(5, 5), dec("100"));
        assert_eq!(conversion_rate(4, 5).to_string(), "80.00");
    }

    #[test]
    fn conversion_rate_is_zero_without_visitors() {
        assert_eq!(conversion_rate(0, 0), Decimal::ZERO);
        // Conversions by coupon need no visit: still 0, never a division by zero.
        assert_eq!(conversion_rate(3, 0), Decimal::ZERO);
    }

    #[test]
    fn change_against_the_previous_period() {
        assert_eq!(Change::between(150, 100), Change::Percent(dec("50.0")));
        assert_eq!(Change::between(50, 100).label(), "−50.0%");
        assert_eq!(Change::between(150, 100).label(), "+50.0%");
        assert_eq!(Change::between(100, 100).label(), "0.0%");
        assert_eq!(Change::between(2, 3).label(), "−33.3%");
        // 1/16 = 6.25 → 6.3 (away from zero).
        assert_eq!(Change::between(1700, 1600).label(), "+6.3%");
    }

    #[test]
    fn change_from_zero_is_new_and_zero_to_zero_is_flat() {
        assert_eq!(Change::between(5, 0), Change::New);
        assert_eq!(Change::between(5, 0).label(), "new");
        assert_eq!(Change::between(0, 0).label(), "–");
        assert_eq!(Change::between(0, 4).label(), "−100.0%");
        assert_eq!(Change::between(0, 4).direction(), "down");
    }

    #[test]
    fn change_from_a_negative_figure_reads_up_when_it_rose() {
        assert_eq!(Change::between(100, -100).label(), "+200.0%");
        assert_eq!(Change::between(i64::MAX, i64::MIN).direction(), "up");
    }
}
