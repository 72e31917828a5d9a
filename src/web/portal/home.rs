//! The home page — the dashboard: the period's statistics (`dashboard`),
//! links with copy buttons, the link builder and "New link"
//! (`link_builder`), and coupons — and the status page a pending, rejected
//! or suspended affiliate sees instead. The period picker swaps only the
//! statistics under htmx; without JavaScript it loads the page.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::dashboard::{self, DashboardQuery, StatsSection};
use super::link_builder::{LinkBuilder, NewLink, Posted};
use super::principal::{
    CurrentAffiliate, ended_standing, login_path, path_store, session_affiliate,
};
use super::shell::PortalShell;
use crate::domain::portal::Standing;
use crate::services::portal::home::{self, Home};
use crate::web::extractors::{Htmx, csrf_token};
use crate::web::{AppState, WebError, page, render, see_other};

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    shell: PortalShell,
    first_name: String,
    home: Home,
    stats: StatsSection,
    builder: LinkBuilder,
    new_link: NewLink,
    read_only: bool,
}

/// The link forms as a POST left them (blank on a GET).
#[derive(Default)]
pub struct Forms {
    pub builder: Option<Posted>,
    pub new_link: NewLink,
}

#[derive(Template)]
#[template(path = "portal/_stats.html")]
struct StatsPartial {
    stats: StatsSection,
}

pub async fn to_home(path: web::Path<String>) -> HttpResponse {
    see_other(&format!("/a/{}/", path.into_inner()))
}

pub async fn home(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
    htmx: Htmx,
    q: web::Query<DashboardQuery>,
) -> Result<HttpResponse, WebError> {
    let stats = dashboard::section(&state, &current, &q).await?;
    if htmx.request && htmx.target.as_deref() == Some(dashboard::TARGET_ID) {
        return page(&StatsPartial { stats });
    }
    home_with(&state, &current, stats, Forms::default(), StatusCode::OK).await
}

/// The home page after a link form's POST (the default period).
pub async fn home_page(
    state: &AppState,
    current: &CurrentAffiliate,
    forms: Forms,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let stats = dashboard::section(state, current, &DashboardQuery::default()).await?;
    home_with(state, current, stats, forms, status).await
}

async fn home_with(
    state: &AppState,
    current: &CurrentAffiliate,
    stats: StatsSection,
    forms: Forms,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let home = home::load(
        &state.db,
        &state.config.public_base(),
        &current.store,
        current.affiliate_id(),
    )
    .await?;
    render(
        status,
        &HomePage {
            shell: PortalShell::for_affiliate(current),
            first_name: current.affiliate.first_name.clone(),
            builder: LinkBuilder::new(current, &home, forms.builder),
            new_link: forms.new_link,
            read_only: current.read_only,
            home,
            stats,
        },
    )
}

#[derive(Template)]
#[template(path = "portal/status.html")]
struct StatusPage {
    shell: PortalShell,
    /// `pending`, `rejected` or `suspended`.
    standing: &'static str,
}

/// Pending affiliates (still signed in) and those whose session was just
/// ended see why they have no dashboard; anyone else goes to the login.
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, WebError> {
    let store = path_store(&state, &req).await?;
    let standing = match session_affiliate(&state, &session, &store).await? {
        Some(a) if a.standing == Standing::Active => {
            return Ok(see_other(&format!("/a/{}/", store.slug)));
        }
        Some(a) if a.standing == Standing::Pending => Standing::Pending,
        // Ended since: the dashboard's extractor ends it and comes back here.
        Some(_) => return Ok(see_other(&format!("/a/{}/", store.slug))),
        None => match ended_standing(&session, store.id) {
            Some(s) => s,
            None => return Ok(see_other(&login_path(&store.slug))),
        },
    };
    let mut shell = PortalShell::anonymous(&store, csrf_token(&req), &session);
    if standing == Standing::Pending {
        shell.affiliate_name = session_affiliate(&state, &session, &store)
            .await?
            .map(|a| a.name());
    }
    page(&StatusPage {
        shell,
        standing: standing.page_name(),
    })
}
