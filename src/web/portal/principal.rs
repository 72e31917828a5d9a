//! `CurrentAffiliate`: the affiliate a portal request acts as. The portal's
//! only principal; staff pages never read it (`Staff` reads `USER_KEY`) and
//! it never reads a staff sign-in, except the explicit, read-only "view as
//! affiliate" kept in the staff member's own session.
//!
//! Checked on every request, from the database:
//! - the `{slug}` in the path must be the store the session signed in to
//!   (else: that store's login page, never the other store's data);
//! - the affiliate must still exist in that store (else the session ends);
//! - approved and enabled: the request goes on; pending: the waiting page
//!   (the session stays); rejected, suspended, disabled or erased: the
//!   session ends at this request and the status page says why.
//!
//! Session state keys: `sessions::AFFILIATE_KEY` (affiliate id) and
//! `sessions::AFFILIATE_STORE_KEY` (store id), copied into
//! `sessions.affiliate_id` so every session of an affiliate can be revoked;
//! `VIEW_AS_KEY` (`{store_id, affiliate_id}`) in a staff session.

use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::portal::Standing;
use crate::domain::{AffiliateId, StoreId, UserId};
use crate::services::portal::principal::{affiliate_in_store, store_by_slug};
use crate::services::portal::{PortalAffiliate, PortalStore};
use crate::services::{Actor, sessions, stores};
use crate::web::extractors::{client_ip, csrf_token};
use crate::web::{AppState, WebError};

/// A staff session's read-only view of one affiliate's portal.
pub const VIEW_AS_KEY: &str = "portal_view_as";
/// Why a portal session was ended (`{store id}:{standing}`), for the
/// status page that follows.
pub const ENDED_KEY: &str = "portal_ended";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct ViewAs {
    pub store_id: Uuid,
    pub affiliate_id: Uuid,
}

/// The signed-in affiliate (or, read only, the one a staff member views).
pub struct CurrentAffiliate {
    /// The store of the path, which is the session's store.
    pub store: PortalStore,
    pub affiliate: PortalAffiliate,
    /// Viewing as the affiliate: every POST but the link builder's is
    /// refused (`guard`), and `viewer` names the staff member.
    pub read_only: bool,
    pub viewer: Option<String>,
    pub csrf: String,
    pub session: Session,
    pub ip: String,
}

impl CurrentAffiliate {
    pub fn store_id(&self) -> StoreId {
        self.store.id
    }

    pub fn affiliate_id(&self) -> AffiliateId {
        self.affiliate.id
    }

    /// The affiliate as the audit log names them.
    pub fn actor(&self) -> Actor {
        let mut actor = Actor::affiliate(
            self.affiliate.id.0,
            &self.affiliate.email,
            Some(self.ip.clone()),
        );
        // The admin audit log reads "Affiliate Jane Doe changed …".
        actor.label = format!("Affiliate {}", self.affiliate.name());
        actor
    }

    /// For handlers that change something: refused while viewing as.
    /// (The portal's middleware already refuses such POSTs; this is the
    /// second lock for code that writes outside a POST.)
    pub fn require_writable(&self) -> Result<(), WebError> {
        if self.read_only {
            Err(WebError::Forbidden(READ_ONLY.into()))
        } else {
            Ok(())
        }
    }
}

pub const READ_ONLY: &str = "You are viewing the portal as this affiliate: read only.";
/// "New link" while viewing as: the affiliate's own links are theirs to
/// make; staff add one on the affiliate's admin page.
pub const READ_ONLY_LINKS: &str = "You are viewing the portal as this affiliate: \
no link was made. Affiliates make their own links; to add one for them, use \
Links on their page in the admin.";

pub fn login_path(slug: &str) -> String {
    format!("/a/{slug}/login")
}

pub fn status_path(slug: &str) -> String {
    format!("/a/{slug}/status")
}

/// Starts an affiliate's session: a new session id (no fixation) holding
/// nothing else (a staff sign-in in this browser ends), a new CSRF token
/// (the CSRF middleware issues one for a renewed session).
pub fn start_session(
    session: &Session,
    store_id: StoreId,
    affiliate_id: AffiliateId,
) -> Result<(), WebError> {
    session.clear();
    session.renew();
    session.insert(sessions::AFFILIATE_KEY, affiliate_id.0)?;
    session.insert(sessions::AFFILIATE_STORE_KEY, store_id.0)?;
    Ok(())
}

/// Ends the session (new id, nothing kept) and remembers why, for the
/// status page the visitor is sent to.
pub fn end_session(
    session: &Session,
    store_id: StoreId,
    standing: Standing,
) -> Result<(), WebError> {
    session.clear();
    session.renew();
    session.insert(ENDED_KEY, format!("{}:{}", store_id.0, standing.as_str()))?;
    Ok(())
}

/// Why the session of `store_id` was ended, if it was.
pub fn ended_standing(session: &Session, store_id: StoreId) -> Option<Standing> {
    let value = session.get::<String>(ENDED_KEY).ok().flatten()?;
    let (store, standing) = value.split_once(':')?;
    (store == store_id.0.to_string())
        .then(|| Standing::parse(standing))
        .flatten()
}

/// The store named by the path's `{slug}`.
pub async fn path_store(state: &AppState, req: &HttpRequest) -> Result<PortalStore, WebError> {
    let slug = req.match_info().get("slug").unwrap_or_default();
    store_by_slug(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)
}

/// The affiliate this session signed in as in `store`, whatever their
/// standing (the status page needs pending ones too). `Ok(None)`: not
/// signed in to this store.
pub async fn session_affiliate(
    state: &AppState,
    session: &Session,
    store: &PortalStore,
) -> Result<Option<PortalAffiliate>, WebError> {
    let Some(id) = session.get::<Uuid>(sessions::AFFILIATE_KEY)? else {
        return Ok(None);
    };
    if session.get::<Uuid>(sessions::AFFILIATE_STORE_KEY)? != Some(store.id.0) {
        return Ok(None);
    }
    let found = affiliate_in_store(&state.db, store.id, AffiliateId(id)).await?;
    if found.is_none() {
        // Deleted: the session is worthless from now on.
        session.purge();
    }
    Ok(found)
}

async fn view_as(
    state: &AppState,
    session: &Session,
    store: &PortalStore,
) -> Result<Option<(PortalAffiliate, String)>, WebError> {
    let Some(view) = session.get::<ViewAs>(VIEW_AS_KEY)? else {
        return Ok(None);
    };
    let Some(user_id) = session.get::<Uuid>(sessions::USER_KEY)? else {
        session.remove(VIEW_AS_KEY);
        return Ok(None);
    };
    if view.store_id != store.id.0 {
        return Ok(None);
    }
    // Still a member of the store: a removed member's view ends.
    if stores::membership(&state.db, store.id, UserId(user_id))
        .await?
        .is_none()
    {
        session.remove(VIEW_AS_KEY);
        return Ok(None);
    }
    let Some(affiliate) =
        affiliate_in_store(&state.db, store.id, AffiliateId(view.affiliate_id)).await?
    else {
        session.remove(VIEW_AS_KEY);
        return Ok(None);
    };
    let email = crate::services::auth::session_user(&state.db, UserId(user_id))
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    Ok(Some((affiliate, email)))
}

impl FromRequest for CurrentAffiliate {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .expect("AppState is registered")
                .clone();
            let store = path_store(&state, &req).await?;
            let session = req.get_session();
            let (affiliate, viewer) = match session_affiliate(&state, &session, &store).await? {
                Some(a) => (a, None),
                None => match view_as(&state, &session, &store).await? {
                    Some((a, staff_email)) => (a, Some(staff_email)),
                    None => return Err(WebError::Redirect(login_path(&store.slug))),
                },
            };
            if viewer.is_none() {
                match affiliate.standing {
                    Standing::Active => {}
                    Standing::Pending => return Err(WebError::Redirect(status_path(&store.slug))),
                    ended => {
                        end_session(&session, store.id, ended)?;
                        return Err(WebError::Redirect(status_path(&store.slug)));
                    }
                }
            }
            Ok(CurrentAffiliate {
                read_only: viewer.is_some(),
                viewer,
                csrf: csrf_token(&req),
                ip: client_ip(&req),
                store,
                affiliate,
                session,
            })
        })
    }
}
