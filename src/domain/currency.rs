//! ISO 4217 currencies with their minor unit (the number of decimals money
//! is rounded to: 2 for USD, 0 for JPY, 3 for KWD). Funds codes and precious
//! metals (XAU, XDR, …) are not currencies a store sells in and are refused.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const FOUR_DECIMALS: &[&str] = &["CLF", "UYW"];
const TWO_DECIMALS: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY",
    "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
    "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR",
    "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP",
    "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
    "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "USD", "UZS", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW",
    "ZWG",
];

impl Currency {
    pub const USD: Currency = Currency {
        code: "USD",
        minor_units: 2,
    };

    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err("is required".into());
        }
        let tables: [(&[&'static str], u32); 4] = [
            (TWO_DECIMALS, 2),
            (ZERO_DECIMALS, 0),
            (THREE_DECIMALS, 3),
            (FOUR_DECIMALS, 4),
        ];
        for (table, minor_units) in tables {
            if let Some(found) = table.iter().find(|c| **c == code) {
                return Ok(Self {
                    code: found,
                    minor_units,
                });
            }
        }
        Err(format!(
            "{code:?} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)"
        ))
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Decimals of the currency's minor unit; money is rounded to this.
    pub fn minor_units(self) -> u32 {
        self.minor_units
    }

    /// Every supported code, sorted, for a select box.
    pub fn all_codes() -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = TWO_DECIMALS
            .iter()
            .chain(ZERO_DECIMALS)
            .chain(THREE_DECIMALS)
            .chain(FOUR_DECIMALS)
            .copied()
            .collect();
        codes.sort_unstable();
        codes
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_minor_unit_of_common_currencies() {
        assert_eq!(Currency::parse("usd").unwrap().minor_units(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_units(), 3);
        assert_eq!(Currency::parse(" eur ").unwrap().code(), "EUR");
    }

    #[test]
    fn refuses_unknown_codes_and_metals() {
        for bad in ["", "US", "USDX", "ABC", "XAU", "BTC"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn every_listed_code_is_three_upper_case_letters_and_listed_once() {
        let codes = Currency::all_codes();
        let mut deduped = codes.clone();
        deduped.dedup();
        assert_eq!(codes.len(), deduped.len());
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()))
        );
    }
}
