//! What the portal layout (`layouts/portal.html`) needs: the store's name,
//! logo and theme, who is signed in, the read-only banner, flash messages
//! and the CSRF token.

use actix_session::Session;

use super::principal::CurrentAffiliate;
use crate::services::portal::PortalStore;
use crate::web::shell::{Flash, Shell};

pub struct PortalShell {
    pub csrf: String,
    pub asset_version: &'static str,
    pub store_name: String,
    pub slug: String,
    pub logo_url: Option<String>,
    /// `/a/{slug}/theme.css?v=…`: the accent colour (CSP allows only
    /// same-origin stylesheets, so the colour is served, not inlined).
    pub theme_url: String,
    pub affiliate_name: Option<String>,
    /// The staff member viewing as the affiliate (read only).
    pub viewer: Option<String>,
    pub flash: Vec<Flash>,
}

impl PortalShell {
    pub fn anonymous(store: &PortalStore, csrf: String, session: &Session) -> Self {
        Self {
            csrf,
            asset_version: crate::web::assets::version(),
            store_name: store.name.clone(),
            slug: store.slug.clone(),
            logo_url: store.logo_url.clone(),
            theme_url: format!("/a/{}/theme.css?v={}", store.slug, store.version),
            affiliate_name: None,
            viewer: None,
            flash: Shell::anonymous(String::new(), Some(session)).flash,
        }
    }

    pub fn for_affiliate(current: &CurrentAffiliate) -> Self {
        Self {
            affiliate_name: Some(current.affiliate.name()),
            viewer: current.viewer.clone(),
            ..Self::anonymous(&current.store, current.csrf.clone(), &current.session)
        }
    }
}
