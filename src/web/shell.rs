//! What every page's layout needs: the CSRF token, who is signed in, the
//! current store and the others they can switch to, flash messages, and which
//! navigation item is active.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use super::extractors::Staff;
use crate::services::stores::StoreAccess;

const FLASH_KEY: &str = "flash";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    /// `success`, `error` or `info`.
    pub kind: String,
    pub text: String,
}

pub fn flash(session: &Session, kind: &str, text: impl Into<String>) {
    let mut messages: Vec<Flash> = session.get(FLASH_KEY).ok().flatten().unwrap_or_default();
    messages.push(Flash {
        kind: kind.to_owned(),
        text: text.into(),
    });
    let _ = session.insert(FLASH_KEY, messages);
}

fn take_flash(session: &Session) -> Vec<Flash> {
    let messages: Vec<Flash> = session.get(FLASH_KEY).ok().flatten().unwrap_or_default();
    if !messages.is_empty() {
        session.remove(FLASH_KEY);
    }
    messages
}

#[derive(Debug, Clone)]
pub struct StoreSummary {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub currency: String,
    pub role: &'static str,
}

impl From<&StoreAccess> for StoreSummary {
    fn from(a: &StoreAccess) -> Self {
        Self {
            id: a.store.id.to_string(),
            name: a.store.name.clone(),
            slug: a.store.slug.clone(),
            currency: a.store.currency.clone(),
            role: a.role.as_str(),
        }
    }
}

pub struct Shell {
    pub csrf: String,
    pub user_email: Option<String>,
    pub store: Option<StoreSummary>,
    pub stores: Vec<StoreSummary>,
    pub flash: Vec<Flash>,
    pub nav: &'static str,
    pub asset_version: &'static str,
}

impl Shell {
    pub fn for_staff(staff: &Staff, nav: &'static str) -> Self {
        Self {
            csrf: staff.csrf.clone(),
            user_email: Some(staff.email.clone()),
            store: Some(StoreSummary::from(&staff.access)),
            stores: staff.stores.iter().map(StoreSummary::from).collect(),
            flash: take_flash(&staff.session),
            nav,
            asset_version: super::assets::version(),
        }
    }

    pub fn anonymous(csrf: String, session: Option<&Session>) -> Self {
        Self {
            csrf,
            user_email: None,
            store: None,
            stores: vec![],
            flash: session.map(take_flash).unwrap_or_default(),
            nav: "",
            asset_version: super::assets::version(),
        }
    }

    pub fn is_owner(&self) -> bool {
        self.store.as_ref().is_some_and(|s| s.role == "owner")
    }
}
