//! Percentages from 0 to 100 with at most two decimals, stored as basis
//! points (12.5 % = 1250) so they stay exact integers in every database.

use rust_decimal::Decimal;
use std::str::FromStr;

pub const MAX_BP: i64 = 10_000;

pub fn parse_percent(input: &str) -> Result<i64, String> {
    let text = input.trim().trim_end_matches('%').trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    let value = Decimal::from_str(text)
        .map_err(|_| format!("must be a number from 0 to 100, not {text:?}"))?;
    decimal_to_bp(value)
}

pub fn decimal_to_bp(value: Decimal) -> Result<i64, String> {
    if value < Decimal::ZERO || value > Decimal::from(100) {
        return Err("must be between 0 and 100".into());
    }
    if value.normalize().scale() > 2 {
        return Err("may have at most 2 decimals".into());
    }
    let bp = value * Decimal::from(100);
    i64::try_from(bp.trunc()).map_err(|_| "must be between 0 and 100".to_string())
}

pub fn bp_to_decimal(bp: i64) -> Decimal {
    Decimal::new(bp, 2).normalize()
}

/// "12.5" for 1250, "20" for 2000.
pub fn format_bp(bp: i64) -> String {
    bp_to_decimal(bp).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percentages_into_basis_points() {
        assert_eq!(parse_percent("12.5"), Ok(1250));
        assert_eq!(parse_percent("0"), Ok(0));
        assert_eq!(parse_percent("100"), Ok(10_000));
        assert_eq!(parse_percent("33.33%"), Ok(3333));
    }

    #[test]
    fn refuses_out_of_range_and_over_precise_values() {
        for bad in ["-1", "100.01", "12.345", "abc", ""] {
            assert!(parse_percent(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formats_without_needless_zeros() {
        assert_eq!(format_bp(1250), "12.5");
        assert_eq!(format_bp(2000), "20");
        assert_eq!(format_bp(3333), "33.33");
    }
}
