//! Money as exact decimals in code and integer minor units in storage
//! (DESIGN §3). Parsing refuses more decimals than the currency has — a
//! silent rounding would change what the person typed.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::Currency;

/// Parses "12.50" (or "12.5", "12") into minor units of `currency`.
pub fn parse_amount(input: &str, currency: Currency) -> Result<i64, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    // Exactly digits, optionally a point and digits: rust_decimal alone
    // also takes "1_000" (as 1000) and exponents.
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return Err(format!("must be an amount like 12.50, not {text:?}"));
    }
    let value = Decimal::from_str(text)
        .map_err(|_| format!("must be an amount like 12.50, not {text:?}"))?;
    amount_to_minor(value, currency)
}

pub fn amount_to_minor(value: Decimal, currency: Currency) -> Result<i64, String> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err("must be at least 0".into());
    }
    let units = currency.minor_units();
    if value.normalize().scale() > units {
        return Err(if units == 0 {
            format!("must be a whole number of {currency} (it has no decimals)")
        } else {
            format!("may have at most {units} decimals for {currency}")
        });
    }
    let factor = Decimal::from(10i64.pow(units));
    let minor = value
        .checked_mul(factor)
        .ok_or_else(|| "is too large".to_string())?;
    i64::try_from(minor.trunc()).map_err(|_| "is too large".to_string())
}

/// The largest amount a person may enter, in major units (10^12: a
/// trillion dollars). Well inside `i64` minor units for every currency (4
/// decimals at most), so sums of many such amounts stay exact.
pub const MAX_MAJOR_UNITS: i64 = 1_000_000_000_000;

/// `MAX_MAJOR_UNITS` in the currency's minor units.
pub fn max_minor(currency: Currency) -> i64 {
    MAX_MAJOR_UNITS * 10i64.pow(currency.minor_units())
}

/// Like `parse_amount`, but a leading `-` is allowed (a clawback, a
/// correction) and the size is bounded by `MAX_MAJOR_UNITS` either way.
pub fn parse_signed_amount(input: &str, currency: Currency) -> Result<i64, String> {
    let text = input.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    if digits.starts_with('-') || digits.starts_with('+') {
        return Err(format!("must be an amount like 12.50, not {text:?}"));
    }
    let minor = parse_amount(digits, currency)?;
    if minor > max_minor(currency) {
        return Err(format!(
            "must be at most {} in absolute value",
            format_minor(max_minor(currency), currency)
        ));
    }
    Ok(if negative { -minor } else { minor })
}

/// Minor units back to a decimal with exactly the currency's decimals.
pub fn minor_to_decimal(minor: i64, currency: Currency) -> Decimal {
    Decimal::new(minor, currency.minor_units())
}

/// "50.00" for 5000 USD cents; "500" for 500 JPY.
pub fn format_minor(minor: i64, currency: Currency) -> String {
    minor_to_decimal(minor, currency).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn parses_exact_amounts_into_minor_units() {
        assert_eq!(parse_amount("12.50", usd()), Ok(1250));
        assert_eq!(parse_amount("12.5", usd()), Ok(1250));
        assert_eq!(parse_amount(" 0 ", usd()), Ok(0));
        assert_eq!(parse_amount("1234567890123.45", usd()), Ok(123456789012345));
        assert_eq!(
            parse_amount("500", Currency::parse("JPY").unwrap()),
            Ok(500)
        );
        assert_eq!(
            parse_amount("1.234", Currency::parse("KWD").unwrap()),
            Ok(1234)
        );
    }

    #[test]
    fn refuses_extra_decimals_negatives_garbage_and_overflow() {
        assert!(
            parse_amount("12.345", usd())
                .unwrap_err()
                .contains("at most 2 decimals")
        );
        assert!(
            parse_amount("1.5", Currency::parse("JPY").unwrap())
                .unwrap_err()
                .contains("whole number")
        );
        assert!(parse_amount("-1", usd()).is_err());
        assert!(parse_amount("abc", usd()).is_err());
        assert!(parse_amount("1_000", usd()).is_err());
        assert!(parse_amount("1e3", usd()).is_err());
        assert!(parse_amount("1.", usd()).is_err());
        assert!(parse_amount(".5", usd()).is_err());
        assert!(parse_amount("", usd()).is_err());
        assert!(
            parse_amount("99999999999999999999999", usd())
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn trailing_zeros_beyond_the_minor_unit_are_not_extra_decimals() {
        assert_eq!(parse_amount("12.5000", usd()), Ok(1250));
    }

    #[test]
    fn signed_amounts_are_bounded_both_ways() {
        assert_eq!(parse_signed_amount("-12.50", usd()), Ok(-1250));
        assert_eq!(parse_signed_amount("12.50", usd()), Ok(1250));
        assert_eq!(
            parse_signed_amount("1000000000000", usd()),
            Ok(100_000_000_000_000)
        );
        assert!(parse_signed_amount("1000000000000.01", usd()).is_err());
        assert!(parse_signed_amount("-1000000000000.01", usd()).is_err());
        assert!(parse_signed_amount("--1", usd()).is_err());
        assert!(parse_signed_amount("-1.001", usd()).is_err());
    }

    #[test]
    fn formats_with_the_currency_decimals() {
        assert_eq!(format_minor(5000, usd()), "50.00");
        assert_eq!(format_minor(5, usd()), "0.05");
        assert_eq!(format_minor(500, Currency::parse("JPY").unwrap()), "500");
    }
}
