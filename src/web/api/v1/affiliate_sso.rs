//! `POST /affiliates/{id}/sso`: a one-time portal sign-in URL valid for 60
//! seconds (Rewardful's magic-link SSO), so the store's own site can send a
//! signed-in customer straight into their affiliate dashboard. Audited;
//! another store's affiliate is a 404.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::AffiliateId;
use crate::domain::portal_token::TokenPurpose;
use crate::services::portal::staff;
use crate::services::portal::tokens::{self, IssuedToken};
use crate::web::api::auth::ApiCaller;
use crate::web::api::json::ErrorBody;
use crate::web::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct SsoBody {
    /// Send the affiliate's browser here: it signs them in once.
    pub url: String,
    /// 60 seconds after the call; the URL is refused from then on.
    pub expires_at: DateTime<Utc>,
}

/// A one-time portal login URL for the affiliate, valid for 60 seconds.
/// Under an `Idempotency-Key` the answer is stored with the link (its
/// secret is kept nowhere else), so a retry gets this same URL.
#[utoipa::path(tag = "affiliates", params(("id" = Uuid, Path)),
    responses((status = 201, body = SsoBody), (status = 404, body = ErrorBody)))]
#[post("/affiliates/{id}/sso")]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let body = |issued: &IssuedToken| SsoBody {
        url: format!(
            "{}{}",
            state.config.public_base(),
            tokens::path_for(&caller.store.slug, TokenPurpose::Sso, &issued.token)
        ),
        expires_at: issued.expires_at,
    };
    let answer = |issued: &IssuedToken| {
        let json = serde_json::to_string(&body(issued)).expect("an SSO body serialises");
        (201, json)
    };
    let issued = staff::sso_link(
        &state.db,
        caller.store_id(),
        &caller.actor(),
        AffiliateId(*id),
        Utc::now(),
        Some(&answer),
    )
    .await?;
    Ok(HttpResponse::Created().json(body(&issued)))
}
