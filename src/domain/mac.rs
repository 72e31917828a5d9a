//! HMAC-SHA256 with a key that is keyed once, and a constant-time compare:
//! pure computation, so the domain can sign and check its own tokens (the
//! referral cookie) without reaching into `services`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// An HMAC-SHA256 key keyed once: `tag` starts from the keyed state instead
/// of hashing the key again, which matters on the click path (two MACs per
/// click).
#[derive(Clone)]
pub struct MacKey(Hmac<Sha256>);

impl MacKey {
    pub fn new(key: &[u8]) -> Self {
        Self(Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length"))
    }

    pub fn tag(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// The first `bytes` bytes of the tag, hex.
    pub fn hex_prefix(&self, message: &[u8], bytes: usize) -> String {
        hex::encode(&self.tag(message)[..bytes.min(32)])
    }
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn a_pre_keyed_mac_is_plain_hmac_sha256_every_time() {
        // RFC 4231, test case 2.
        let key = MacKey::new(b"Jefe");
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(
            key.hex_prefix(b"what do ya want for nothing?", 32),
            expected
        );
        assert_eq!(
            key.hex_prefix(b"what do ya want for nothing?", 16),
            expected[..32],
            "the keyed state is reused, not consumed"
        );
    }
}
