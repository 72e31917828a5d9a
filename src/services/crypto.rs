//! Randomness, hashing and password hashing in one place, so there is one
//! crypto library (RustCrypto) and one way of doing each thing.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

// Pure, so they live in the domain (which seals the referral cookie).
pub use crate::domain::mac::{MacKey, constant_time_eq};

/// `bytes` random bytes from the OS, as URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(input: &[u8]) -> String {
    hex::encode(Sha256::digest(input))
}

/// A key for one purpose derived from the master secret, so one secret in
/// the config serves cookies, CSRF and IP hashing without reuse.
pub fn derive_key(master: &[u8], purpose: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Argon2id with the crate's defaults, which are OWASP's recommendation
/// (19 MiB, 2 passes, 1 lane). CPU-heavy: call from a blocking thread.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))?;
    Ok(hash.to_string())
}

/// True when `password` matches `phc_hash`. CPU-heavy: call from a blocking thread.
pub fn verify_password(phc_hash: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc_hash)
        .is_ok()
}

/// A hash of a random password, verified against when the email is unknown
/// so that "no such user" takes as long as "wrong password".
pub static DUMMY_PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&random_token(24)).expect("hashing a random password works"));

/// At most this many argon2 computations at once (19 MiB each): a flood of
/// login attempts queues instead of exhausting memory and the blocking pool.
static ARGON2_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// `verify_password` on a blocking thread, within the argon2 limit.
pub async fn verify_password_async(phc_hash: String, password: String) -> bool {
    let _permit = ARGON2_PERMITS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    blocking(move || verify_password(&phc_hash, &password)).await
}

/// `hash_password` on a blocking thread, within the argon2 limit.
pub async fn hash_password_async(password: String) -> anyhow::Result<String> {
    let _permit = ARGON2_PERMITS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    blocking(move || hash_password(&password)).await
}

/// Runs CPU-heavy work off the async executor.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a blocking task does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterx"));
        assert!(!verify_password("not a hash", "correct horse battery"));
    }

    #[test]
    fn random_tokens_have_the_requested_entropy_and_differ() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
    }

    #[test]
    fn derived_keys_differ_by_purpose() {
        assert_ne!(
            derive_key(b"master", "csrf"),
            derive_key(b"master", "cookies")
        );
        assert_eq!(derive_key(b"master", "csrf").len(), 32);
    }
}

/// Encrypts a secret the server must read back (a webhook signing secret)
/// with a key derived from the master secret: XChaCha20-Poly1305, random
/// nonce, base64 of nonce ‖ ciphertext.
pub fn seal(master: &[u8], purpose: &str, plaintext: &str) -> String {
    use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
    use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305};
    let cipher =
        XChaCha20Poly1305::new_from_slice(&derive_key(master, purpose)).expect("a 32-byte key");
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("encryption does not fail"),
    );
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// The plaintext of `seal`, or `None` if it was altered or sealed with
/// another master secret.
pub fn open(master: &[u8], purpose: &str, sealed: &str) -> Option<String> {
    use chacha20poly1305::aead::Aead;
    use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(24);
    let cipher = XChaCha20Poly1305::new_from_slice(&derive_key(master, purpose)).ok()?;
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let plain = cipher.decrypt(&XNonce::from(nonce), ciphertext).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod seal_tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_the_same_master_only() {
        let sealed = seal(b"master one", "stripe", "whsec_abc");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(
            open(b"master one", "stripe", &sealed).as_deref(),
            Some("whsec_abc")
        );
        assert_eq!(open(b"master two", "stripe", &sealed), None);
        assert_eq!(open(b"master one", "other purpose", &sealed), None);
    }
}
