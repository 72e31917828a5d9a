//! The link forms of the portal's home page: "Link to a page" (the link
//! builder, `POST /a/{slug}/deep_link`) and "New link"
//! (`POST /a/{slug}/links`, only when the campaign allows it).
//!
//! The builder writes nothing, so staff viewing as the affiliate use it
//! too (the portal's guard lets its POST through); "New link" stays the
//! affiliate's own. Under htmx the builder answers with its own section
//! (`portal/_link_builder.html`), the deep link shown with a copy button;
//! without JavaScript the whole home page comes back with it. A refused
//! page address is named next to its field either way. A new link is a
//! plain form: made → back to the links with a flash; refused → the page
//! again with the token's message.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::home::{Forms, home_page};
use super::principal::CurrentAffiliate;
use crate::domain::ValidationErrors;
use crate::services::ServiceError;
use crate::services::portal::deep_link::{self, DeepLink, DeepLinkInput};
use crate::services::portal::home::{self as home_data, Home};
use crate::services::portal::own_links;
use crate::web::extractors::Htmx;
use crate::web::shell::flash;
use crate::web::{AppState, WebError, render, see_other};

/// What `portal/_link_builder.html` shows.
pub struct LinkBuilder {
    pub slug: String,
    pub csrf: String,
    /// (id, token) of each of the affiliate's links.
    pub links: Vec<(String, String)>,
    /// "shop.example.com or blog.example.org".
    pub hosts: String,
    pub link_id: String,
    pub page_url: String,
    pub errors: ValidationErrors,
    pub built: Option<DeepLink>,
}

/// The builder as posted: its values, and its link or its messages.
#[derive(Default)]
pub struct Posted {
    pub input: DeepLinkInput,
    pub errors: ValidationErrors,
    pub built: Option<DeepLink>,
}

impl LinkBuilder {
    pub fn new(current: &CurrentAffiliate, home: &Home, posted: Option<Posted>) -> Self {
        let posted = posted.unwrap_or_default();
        let links: Vec<(String, String)> = home
            .links
            .iter()
            .map(|l| (l.id.to_string(), l.token.clone()))
            .collect();
        let link_id = if posted.input.link_id.is_empty() {
            links.first().map(|l| l.0.clone()).unwrap_or_default()
        } else {
            posted.input.link_id
        };
        Self {
            slug: current.store.slug.clone(),
            csrf: current.csrf.clone(),
            links,
            hosts: home.allowed_hosts.describe(),
            link_id,
            page_url: posted.input.page_url,
            errors: posted.errors,
            built: posted.built,
        }
    }
}

/// The "New link" form as posted.
#[derive(Default)]
pub struct NewLink {
    pub token: String,
    pub errors: ValidationErrors,
}

#[derive(Template)]
#[template(path = "portal/_link_builder.html")]
struct BuilderPartial {
    builder: LinkBuilder,
}

#[derive(Deserialize)]
pub struct DeepLinkForm {
    #[serde(default)]
    link_id: String,
    #[serde(default)]
    page_url: String,
}

pub async fn deep_link(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    htmx: Htmx,
    form: web::Form<DeepLinkForm>,
) -> Result<HttpResponse, WebError> {
    let f = form.into_inner();
    let input = DeepLinkInput {
        link_id: f.link_id,
        page_url: f.page_url,
    };
    let base = state.config.public_base();
    let (status, posted) = match deep_link::build(
        &state.db,
        &base,
        &current.store,
        current.affiliate_id(),
        &input,
    )
    .await
    {
        Ok(built) => (
            StatusCode::OK,
            Posted {
                input,
                built: Some(built),
                ..Default::default()
            },
        ),
        Err(ServiceError::Validation(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Posted {
                input,
                errors,
                built: None,
            },
        ),
        Err(e) => return Err(e.into()),
    };
    if htmx.request {
        let home =
            home_data::load(&state.db, &base, &current.store, current.affiliate_id()).await?;
        let builder = LinkBuilder::new(&current, &home, Some(posted));
        return render(status, &BuilderPartial { builder });
    }
    home_page(
        &state,
        &current,
        Forms {
            builder: Some(posted),
            ..Default::default()
        },
        status,
    )
    .await
}

#[derive(Deserialize)]
pub struct NewLinkForm {
    #[serde(default)]
    token: String,
}

pub async fn create_link(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    form: web::Form<NewLinkForm>,
) -> Result<HttpResponse, WebError> {
    current.require_writable()?;
    let token = form.into_inner().token;
    match own_links::create(
        &state.db,
        current.store_id(),
        &current.actor(),
        current.affiliate_id(),
        &token,
        &state.config.public_base(),
    )
    .await
    {
        Ok(l) => {
            flash(
                &current.session,
                "success",
                format!("Your new link {} is ready.", l.token),
            );
            Ok(see_other(&format!("/a/{}/#links", current.store.slug)))
        }
        Err(ServiceError::Validation(errors)) => {
            home_page(
                &state,
                &current,
                Forms {
                    new_link: NewLink { token, errors },
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
