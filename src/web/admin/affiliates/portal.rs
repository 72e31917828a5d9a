//! An affiliate's portal access, from their admin page: an invite link
//! (one-time, to set a password; shown once), and "view as affiliate"
//! (read only, audited, bound to this staff session).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use uuid::Uuid;

use super::show::{AddForms, show_page};
use crate::domain::AffiliateId;
use crate::domain::portal_token::TokenPurpose;
use crate::services::portal::staff;
use crate::services::portal::tokens::path_for;
use crate::web::extractors::Staff;
use crate::web::portal::principal::{VIEW_AS_KEY, ViewAs};
use crate::web::{AppState, WebError, see_other};

pub async fn invite_link(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let issued = staff::invite_link(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        AffiliateId(*id),
        Utc::now(),
    )
    .await?;
    let url = format!(
        "{}{}",
        state.config.public_base(),
        path_for(
            &staff.access.store.slug,
            TokenPurpose::Invite,
            &issued.token
        )
    );
    let forms = AddForms {
        invite_link: Some((
            url,
            issued.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        )),
        ..Default::default()
    };
    show_page(&state, &staff, *id, StatusCode::OK, forms).await
}

pub async fn view_as(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let affiliate =
        staff::start_view_as(&state.db, store_id, &staff.actor(), AffiliateId(*id)).await?;
    staff.session.insert(
        VIEW_AS_KEY,
        ViewAs {
            store_id: store_id.0,
            affiliate_id: affiliate.id.0,
        },
    )?;
    Ok(see_other(&format!("/a/{}/", staff.access.store.slug)))
}
