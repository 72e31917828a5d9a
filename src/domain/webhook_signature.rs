//! Stripe's `Stripe-Signature` check: `t=<unix>,v1=<hex>[,v1=<hex>…]`, each
//! `v1` an HMAC-SHA256 of `"{t}.{raw body}"` with the endpoint's signing
//! secret; valid when any `v1` matches (constant time) and `t` is within the
//! tolerance of now. Pure: the caller passes the clock.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

pub fn verify(
    header: &str,
    body: &[u8],
    secret: &str,
    now_unix: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => {
                if let Ok(bytes) = hex::decode(sig) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if now_unix.abs_diff(timestamp) > TOLERANCE_SECS as u64 {
        return Err(SignatureError::Stale);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Malformed)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    let matches = candidates
        .iter()
        .fold(false, |found, c| found | constant_eq(c, &expected));
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A header as Stripe would send it, for tests and tools.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_genuine_signature_passes() {
        let body = br#"{"id":"evt_1"}"#;
        assert_eq!(
            verify(&sign(body, SECRET, NOW), body, SECRET, NOW + 10),
            Ok(())
        );
    }

    #[test]
    fn a_tampered_body_or_wrong_secret_fails() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, NOW);
        assert_eq!(
            verify(&header, br#"{"id":"evt_2"}"#, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, body, "whsec_other", NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_stale_timestamp_fails_even_when_signed() {
        let body = b"{}";
        assert_eq!(
            verify(&sign(body, SECRET, NOW), body, SECRET, NOW + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(&sign(body, SECRET, NOW), body, SECRET, NOW - 301),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let body = b"{}";
        let good = sign(body, SECRET, NOW);
        let good_sig = good.split("v1=").nth(1).unwrap();
        let header = format!("t={NOW},v1={},v0=abc,v1={good_sig}", "00".repeat(32));
        assert_eq!(verify(&header, body, SECRET, NOW), Ok(()));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in [
            "",
            "t=abc,v1=00",
            "v1=00",
            &format!("t={NOW}"),
            &format!("t={NOW},v1=zz"),
        ] {
            assert_eq!(
                verify(header, b"{}", SECRET, NOW),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
    }
}

#[cfg(test)]
mod overflow_tests {
    use super::*;

    #[test]
    fn an_absurd_timestamp_is_stale_not_a_panic() {
        let header = format!("t={},v1={}", i64::MIN, "00".repeat(32));
        assert_eq!(
            verify(&header, b"{}", "whsec_x", i64::MAX),
            Err(SignatureError::Stale)
        );
    }
}
