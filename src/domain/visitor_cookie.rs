//! The cookies a click leaves in the visitor's browser on Tributary's host:
//! `tb_vid`, the visitor, and `tb_r_{store}`, the referral, sealed
//! `{referral}.{store}.{expires unix}.{hmac}` so a visitor cannot point
//! visits at someone else's referral. The key is
//! `AppState::referral_cookie_mac`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::attribution::Held;
use super::ids::{ReferralId, StoreId};
use super::mac::{MacKey, constant_time_eq};

/// The visitor's id, kept for two years.
pub const VISITOR_COOKIE: &str = "tb_vid";
pub const VISITOR_COOKIE_DAYS: i64 = 730;

/// One referral cookie per store, so two stores' links do not overwrite
/// each other's referral.
pub fn referral_cookie_name(store: StoreId) -> String {
    format!("tb_r_{}", &store.0.simple().to_string()[..12])
}

pub fn seal_referral_cookie(
    key: &MacKey,
    referral: ReferralId,
    store: StoreId,
    expires: DateTime<Utc>,
) -> String {
    let body = format!(
        "{}.{}.{}",
        referral.0.simple(),
        store.0.simple(),
        expires.timestamp()
    );
    let mac = key.hex_prefix(body.as_bytes(), 16);
    format!("{body}.{mac}")
}

/// The referral a valid, unexpired cookie of this store names.
pub fn open_referral_cookie(
    key: &MacKey,
    value: &str,
    store: StoreId,
    now: DateTime<Utc>,
) -> Option<Held> {
    let (body, mac) = value.rsplit_once('.')?;
    let expected = key.hex_prefix(body.as_bytes(), 16);
    if !constant_time_eq(mac.as_bytes(), expected.as_bytes()) {
        return None;
    }
    let mut parts = body.split('.');
    let referral = Uuid::parse_str(parts.next()?).ok()?;
    let cookie_store = Uuid::parse_str(parts.next()?).ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    if cookie_store != store.0 || expires <= now.timestamp() {
        return None;
    }
    Some(Held {
        id: ReferralId(referral),
        expires_at: DateTime::from_timestamp(expires, 0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_cookie_opens_only_unaltered_unexpired_and_for_its_store() {
        let secret = &MacKey::new(b"0123456789abcdef0123456789abcdef");
        let (r, s) = (ReferralId::new_v7(), StoreId::new_v7());
        let now = Utc::now();
        let expires = now + chrono::Duration::days(1);
        let cookie = seal_referral_cookie(secret, r, s, expires);
        assert_eq!(
            open_referral_cookie(secret, &cookie, s, now),
            Some(Held {
                id: r,
                expires_at: DateTime::from_timestamp(expires.timestamp(), 0).unwrap()
            })
        );
        assert_eq!(
            open_referral_cookie(secret, &cookie, StoreId::new_v7(), now),
            None,
            "another store"
        );
        assert_eq!(
            open_referral_cookie(secret, &cookie, s, now + chrono::Duration::days(2)),
            None,
            "expired"
        );
        let forged = cookie.replacen(
            &r.0.simple().to_string(),
            &Uuid::now_v7().simple().to_string(),
            1,
        );
        assert_eq!(
            open_referral_cookie(secret, &forged, s, now),
            None,
            "altered"
        );
        assert_eq!(
            open_referral_cookie(&MacKey::new(b"another secret"), &cookie, s, now),
            None
        );
    }

    #[test]
    fn each_store_has_its_own_referral_cookie() {
        let a: StoreId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".parse().unwrap();
        let b: StoreId = "0190a1b2-c3d5-7e5f-8a9b-0c1d2e3f4a5b".parse().unwrap();
        assert_eq!(referral_cookie_name(a), "tb_r_0190a1b2c3d4");
        assert!(referral_cookie_name(a).starts_with("tb_r_"));
        assert_eq!(referral_cookie_name(a).len(), 17);
        assert_ne!(referral_cookie_name(a), referral_cookie_name(b));
    }
}
