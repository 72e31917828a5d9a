//! actix-session's `SessionStore` on our database (`services::sessions`).
//! Unlike a cookie store, a session here can be revoked: logout deletes the
//! row, a password change deletes every row of the user.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

use crate::services::{crypto, sessions};

#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    /// Absolute lifetime, however active the session is.
    max_age: Duration,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, max_age: std::time::Duration) -> Self {
        Self {
            db,
            max_age: Duration::from_std(max_age).unwrap_or(Duration::hours(12)),
        }
    }
}

fn expiry(ttl: &CookieDuration) -> chrono::DateTime<Utc> {
    Utc::now() + Duration::seconds(ttl.whole_seconds())
}

fn new_key() -> SessionKey {
    // 256 bits from the OS; the cookie signature is a second layer, not the only one.
    SessionKey::try_from(crypto::random_token(32)).expect("a 43-character key fits a cookie")
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        sessions::load(&self.db, key.as_ref(), Utc::now(), self.max_age)
            .await
            .map_err(|e| LoadError::Other(anyhow::anyhow!(e)))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let key = new_key();
        sessions::insert(&self.db, key.as_ref(), &state, Utc::now(), expiry(ttl))
            .await
            .map_err(|e| SaveError::Other(anyhow::anyhow!(e)))?;
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let updated = sessions::update_state(&self.db, key.as_ref(), &state, expiry(ttl))
            .await
            .map_err(|e| UpdateError::Other(anyhow::anyhow!(e)))?;
        if updated {
            return Ok(key);
        }
        // Revoked while this request ran: keep what the request stored (a
        // flash message, say) in a new session, but never the sign-in.
        state.remove(sessions::USER_KEY);
        state.remove(sessions::AFFILIATE_KEY);
        state.remove(sessions::AFFILIATE_STORE_KEY);
        self.save(state, ttl)
            .await
            .map_err(|e| UpdateError::Other(anyhow::anyhow!(e)))
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        sessions::touch(&self.db, key.as_ref(), expiry(ttl))
            .await
            .map_err(|e| anyhow::anyhow!(e))
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        sessions::delete(&self.db, key.as_ref())
            .await
            .map_err(|e| anyhow::anyhow!(e))
    }
}
