//! Picking an affiliate by typing: a search field asks
//! `GET /admin/affiliates/options?q=` (htmx, as the user types) and shows
//! the matches as radio buttons named `affiliate_id` inside its own form,
//! so picking one needs no script and the form posts the id as before. A
//! dropdown of every affiliate cannot scale past a few hundred.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::affiliate::AffiliateStatus;
use crate::domain::{AffiliateId, StoreId};
use crate::services::affiliates::{self, ListQuery, Sort, display_name};
use crate::web::extractors::Staff;
use crate::web::{AppState, WebError, page};

/// How many matches a search shows.
const MATCHES: u64 = 10;

/// One affiliate a picker offers.
pub struct Choice {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub checked: bool,
}

/// The affiliate a form was sent with, offered (and checked) again when the
/// page is shown with it: a refused form, a filtered list.
pub async fn chosen(
    state: &AppState,
    store_id: StoreId,
    id: &str,
) -> Result<Vec<Choice>, WebError> {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return Ok(vec![]);
    };
    Ok(
        match affiliates::get(&state.db, store_id, AffiliateId(id)).await {
            Ok(a) => vec![Choice {
                id: a.id,
                name: display_name(&a),
                email: a.email,
                checked: true,
            }],
            Err(crate::services::ServiceError::NotFound) => vec![],
            Err(e) => return Err(e.into()),
        },
    )
}

#[derive(Template)]
#[template(path = "admin/affiliates/_options.html")]
struct OptionsPartial {
    q: String,
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
pub struct OptionsParams {
    #[serde(default)]
    q: String,
    /// Only affiliates who earn (attributing a sale or a referral to a
    /// pending or suspended one would earn nothing).
    #[serde(default)]
    earning: bool,
}

/// `GET /admin/affiliates/options?q=`: the first matches by name, email,
/// link token or coupon code, erased affiliates left out.
pub async fn options(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<OptionsParams>,
) -> Result<HttpResponse, WebError> {
    let q = params.q.trim().to_owned();
    let choices = if q.is_empty() {
        vec![]
    } else {
        affiliates::list(
            &state.db,
            staff.access.id(),
            &ListQuery {
                search: Some(q.clone()),
                sort: Sort::Name,
                status: params.earning.then_some(AffiliateStatus::Approved),
                // Room for the disabled ones filtered out below.
                limit: if params.earning { MATCHES * 3 } else { MATCHES },
                ..Default::default()
            },
        )
        .await?
        .items
        .into_iter()
        .filter(|a| a.anonymized_at.is_none())
        .filter(|a| !params.earning || affiliates::not_earning(a).is_none())
        .take(MATCHES as usize)
        .map(|a| Choice {
            id: a.id,
            name: display_name(&a),
            email: a.email,
            checked: false,
        })
        .collect()
    };
    page(&OptionsPartial { q, choices })
}
