//! Money as exact decimals in code and integer minor units in storage
//! (DESIGN §3). Parsing refuses more decimals than the currency has — a
//! silent rounding would change what the person typed.
//!
//! Every money input goes through [`parse_amount`]: it accepts exactly
//! `-?digits(.digits)?` (surrounding whitespace trimmed; no exponent, sign
//! `+`, underscores or thousands separators, which rust_decimal's own parser
//! would take), no more decimals than the currency has, and at most
//! [`MAX_MAJOR`] major units — so any sum of a few amounts stays far inside
//! `i64`, and the ledger's checked arithmetic only ever meets real data.

use rust_decimal::Decimal;

use super::Currency;

/// The largest amount any money input takes, in major units (10^12:
/// `1000000000000.00` USD). Documented in the README and the OpenAPI.
pub const MAX_MAJOR: i64 = 1_000_000_000_000;

/// [`MAX_MAJOR`] in minor units of `currency`.
pub fn max_minor(currency: Currency) -> i64 {
    MAX_MAJOR * 10i64.pow(currency.minor_units())
}

/// Why [`parse_amount`] refused its input. A negative amount is its own
/// case, so a caller with a higher floor (a payout of at least 0.01) words
/// its own message by matching on it, never on this one's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// An amount, but below 0.
    Negative,
    /// Not an amount, too many decimals, or too large: the message says which.
    Invalid(String),
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Negative => f.write_str("must be at least 0"),
            Self::Invalid(message) => f.write_str(message),
        }
    }
}

impl From<AmountError> for String {
    fn from(e: AmountError) -> Self {
        e.to_string()
    }
}

/// Parses "12.50" (or "12.5", "12") into minor units of `currency`: 0 or more.
pub fn parse_amount(input: &str, currency: Currency) -> Result<i64, AmountError> {
    let minor = parse_signed(input, currency).map_err(AmountError::Invalid)?;
    if minor < 0 {
        return Err(AmountError::Negative);
    }
    Ok(minor)
}

/// [`parse_amount`] allowing a leading `-` (within the same bound).
pub fn parse_signed(input: &str, currency: Currency) -> Result<i64, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    let not_an_amount = || format!("must be an amount like 12.50, not {text:?}");
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !fraction.is_none_or(digits) {
        return Err(not_an_amount());
    }
    let units = currency.minor_units();
    // Trailing zeros are not extra decimals ("12.5000" is 12.50).
    let fraction = fraction.unwrap_or("").trim_end_matches('0');
    if fraction.len() > units as usize {
        return Err(if units == 0 {
            format!("must be a whole number of {currency} (it has no decimals)")
        } else {
            format!("may have at most {units} decimals for {currency}")
        });
    }
    let too_large = || {
        format!(
            "must be at most {} (the largest amount Tributary takes)",
            format_minor(max_minor(currency), currency)
        )
    };
    let whole = whole.trim_start_matches('0');
    // 13 digits hold 10^12; anything longer is above it (and never parsed
    // into an integer that could overflow).
    if whole.len() > 13 {
        return Err(too_large());
    }
    let major: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| not_an_amount())?
    };
    let mut minor_part: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| not_an_amount())?
    };
    minor_part *= 10i64.pow(units - fraction.len() as u32);
    let minor = major
        .checked_mul(10i64.pow(units))
        .and_then(|m| m.checked_add(minor_part))
        .filter(|m| *m <= max_minor(currency))
        .ok_or_else(too_large)?;
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
        assert_eq!(parse_amount("123456789012.34", usd()), Ok(12345678901234));
        assert_eq!(parse_amount("007.10", usd()), Ok(710));
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
                .to_string()
                .contains("at most 2 decimals")
        );
        assert!(
            parse_amount("1.5", Currency::parse("JPY").unwrap())
                .unwrap_err()
                .to_string()
                .contains("whole number")
        );
        assert_eq!(parse_amount("-1", usd()), Err(AmountError::Negative));
        assert_eq!(
            parse_amount("-1", usd()).unwrap_err().to_string(),
            "must be at least 0"
        );
        assert!(parse_amount("abc", usd()).is_err());
        assert!(parse_amount("1_000", usd()).is_err());
        assert!(parse_amount("1e3", usd()).is_err());
        assert!(parse_amount("1.", usd()).is_err());
        assert!(parse_amount(".5", usd()).is_err());
        assert!(parse_amount("", usd()).is_err());
        assert!(
            parse_amount("99999999999999999999999", usd())
                .unwrap_err()
                .to_string()
                .contains("at most 1000000000000.00")
        );
    }

    #[test]
    fn the_bound_is_ten_to_the_twelve_major_units_inclusive() {
        assert_eq!(
            parse_amount("1000000000000.00", usd()),
            Ok(100_000_000_000_000)
        );
        assert_eq!(
            parse_amount("0001000000000000", usd()),
            Ok(100_000_000_000_000)
        );
        for above in ["1000000000000.01", "92233720368547758.07", "10000000000000"] {
            assert_eq!(
                parse_amount(above, usd()),
                Err(AmountError::Invalid(
                    "must be at most 1000000000000.00 (the largest amount Tributary takes)".into()
                )),
                "{above}"
            );
        }
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(parse_amount("1000000000000", jpy), Ok(1_000_000_000_000));
        assert!(parse_amount("1000000000001", jpy).is_err());
        assert_eq!(parse_signed("-1000000000000", jpy), Ok(-1_000_000_000_000));
        assert!(parse_signed("-1000000000001", jpy).is_err());
    }

    #[test]
    fn only_plain_decimals_are_amounts() {
        for text in [
            "1_000", "1e3", "1E3", "+1", ".5", "1.", "1,000", "1 000", "0x10", "--1", "1.2.3",
            "NaN", "inf", "１２", "1.5e-1", "-",
        ] {
            assert!(
                parse_amount(text, usd())
                    .unwrap_err()
                    .to_string()
                    .starts_with("must be an amount like 12.50"),
                "{text:?} was accepted"
            );
        }
        assert_eq!(parse_signed("-12.5", usd()), Ok(-1250));
        assert_eq!(parse_amount("-0", usd()), Ok(0));
    }

    #[test]
    fn trailing_zeros_beyond_the_minor_unit_are_not_extra_decimals() {
        assert_eq!(parse_amount("12.5000", usd()), Ok(1250));
    }

    /// The grammar the parser must accept, written independently of it.
    fn model(text: &str, currency: Currency) -> Option<i64> {
        let t = text.trim();
        let unsigned = t.strip_prefix('-').unwrap_or(t);
        let mut parts = unsigned.splitn(2, '.');
        let whole = parts.next()?;
        let fraction = parts.next();
        let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        // Exact arithmetic on the digits, in i128 with room to spare.
        let fraction = fraction.unwrap_or("").trim_end_matches('0');
        let units = currency.minor_units() as usize;
        if fraction.len() > units || whole.trim_start_matches('0').len() > 20 {
            return None;
        }
        let padded = format!("{fraction:0<units$}");
        let value: i128 = format!("{whole}{padded}").parse().ok()?;
        let value = if t.starts_with('-') { -value } else { value };
        (value.abs() <= max_minor(currency) as i128).then_some(value as i64)
    }

    proptest::proptest! {
        #[test]
        fn the_parser_accepts_exactly_plain_decimals_within_scale_and_bound(
            text in proptest::prop_oneof![
                proptest::prelude::any::<String>(),
                "[ ]?-?[0-9_]{0,16}(\\.[0-9]{0,4})?[eE_ ]?[0-9]?",
                "[-+ .0-9_eE]{0,12}",
            ],
            code in proptest::prop_oneof!["USD", "JPY", "KWD"],
        ) {
            let currency = Currency::parse(&code).unwrap();
            let parsed = parse_signed(&text, currency).ok();
            proptest::prop_assert_eq!(parsed, model(&text, currency), "{:?}", text);
            if let Some(minor) = parsed {
                // The value round-trips through its formatted text, and is
                // the decimal that was typed.
                let shown = format_minor(minor, currency);
                proptest::prop_assert_eq!(parse_signed(&shown, currency), Ok(minor));
                let typed: Decimal = text.trim().parse().unwrap();
                proptest::prop_assert_eq!(minor_to_decimal(minor, currency), typed);
                proptest::prop_assert_eq!(parse_amount(&text, currency).is_ok(), minor >= 0);
            }
        }
    }

    #[test]
    fn formats_with_the_currency_decimals() {
        assert_eq!(format_minor(5000, usd()), "50.00");
        assert_eq!(format_minor(5, usd()), "0.05");
        assert_eq!(format_minor(500, Currency::parse("JPY").unwrap()), "500");
    }
}
