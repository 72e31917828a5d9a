//! The admin home page and the store switcher. The home page is the setup
//! checklist, then the store's statistics for a period (`?period=7|30|90`
//! or `period=custom&from=…&to=…`): KPI tiles, charts, top affiliates and
//! what waits for staff. The period picker swaps only the statistics
//! section under htmx (the handler answers the partial); without
//! JavaScript the same links and form load the whole page.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::settings::TrackingSetup;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::domain::period::PeriodQuery;
use crate::services::checklist::{self, Checklist};
use crate::services::stats::{self, Scope, TopBy};
use crate::services::{api_keys, team};
use crate::web::chart::Chart;
use crate::web::extractors::{Htmx, STORE_KEY, Staff};
use crate::web::shell::{Shell, flash};
use crate::web::stats_view::{self, Picker, Tile};
use crate::web::{AppState, WebError, page, see_other};

/// How many affiliates the "top affiliates" table lists.
const TOP: usize = 5;

pub async fn root(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    if !state.setup_done().await? {
        return Ok(see_other("/setup"));
    }
    Ok(see_other("/admin"))
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    shell: Shell,
    member_count: usize,
    active_key_count: usize,
    api_base: String,
    checklist: Checklist,
    tracking: TrackingSetup,
    stats: StatsSection,
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// `revenue` (default) or `commission`: how top affiliates are ranked.
    top: Option<String>,
}

pub struct TopRow {
    pub href: String,
    pub name: String,
    pub email: String,
    pub conversions: i64,
    pub revenue: String,
    pub commission: String,
}

/// The part of the page the period picker swaps.
pub struct StatsSection {
    picker: Picker,
    tiles: Vec<Tile>,
    rate: String,
    counts_chart: Chart,
    money_chart: Chart,
    top_by: &'static str,
    top: Vec<TopRow>,
    pending_applications: u64,
    due_payouts: usize,
    due_total: String,
    currency: &'static str,
}

#[derive(Template)]
#[template(path = "admin/_dashboard_stats.html")]
struct StatsPartial {
    stats: StatsSection,
}

async fn stats_section(
    state: &AppState,
    staff: &Staff,
    q: &DashboardQuery,
) -> Result<StatsSection, WebError> {
    let store_id = staff.access.id();
    let currency = Currency::parse(&staff.access.store.currency).unwrap_or(Currency::USD);
    let today = Utc::now().date_naive();
    let period_query = PeriodQuery {
        period: q.period.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let picker = Picker::parse("/admin", "#dashboard-stats", &period_query, today);
    let summary = stats::summary(&state.db, Scope::store(store_id), &picker.period).await?;
    let by = TopBy::parse(q.top.as_deref());
    let top = stats::top_affiliates(&state.db, store_id, &picker.period, by, TOP).await?;
    let queue = stats::store_queue(&state.db, store_id, &staff.access.store.currency).await?;
    let (counts_chart, money_chart) = stats_view::charts(&summary, currency, today, true);
    let money = |m: i64| format_minor(m, currency);
    Ok(StatsSection {
        tiles: stats_view::tiles(&summary, currency),
        rate: stats_view::rate(&summary),
        counts_chart,
        money_chart,
        top_by: by.as_str(),
        top: top
            .into_iter()
            .map(|t| TopRow {
                href: format!("/admin/affiliates/{}", t.affiliate_id.0),
                name: t.name,
                email: t.email,
                conversions: t.conversions,
                revenue: money(t.revenue_minor),
                commission: money(t.commission_minor),
            })
            .collect(),
        pending_applications: queue.pending_applications,
        due_payouts: queue.due_payouts,
        due_total: money(queue.due_total_minor),
        currency: currency.code(),
        picker,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    htmx: Htmx,
    q: web::Query<DashboardQuery>,
) -> Result<HttpResponse, WebError> {
    let stats = stats_section(&state, &staff, &q).await?;
    if htmx.request && htmx.target.as_deref() == Some("dashboard-stats") {
        return page(&StatsPartial { stats });
    }
    let members = team::list(&state.db, staff.access.id()).await?;
    let keys = api_keys::list(&state.db, staff.access.id()).await?;
    let checklist = checklist::of_store(&state.db, staff.access.id()).await?;
    // The store row in the session's access may predate the script's first
    // visit; the checklist read it fresh.
    let mut store = staff.access.store.clone();
    store.script_seen_at = checklist.script_seen_at;
    page(&DashboardPage {
        checklist,
        stats,
        tracking: TrackingSetup::of(&state, &store),
        member_count: members.len(),
        active_key_count: keys.iter().filter(|k| k.revoked_at.is_none()).count(),
        api_base: format!("{}/api/v1", state.config.public_base()),
        shell: Shell::for_staff(&staff, "dashboard"),
    })
}

#[derive(Deserialize)]
pub struct SwitchForm {
    store_id: Uuid,
}

pub async fn switch_store(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, WebError> {
    // Only stores the user belongs to; anything else does not exist for them.
    let target = staff
        .stores
        .iter()
        .find(|a| a.store.id == form.store_id)
        .ok_or(WebError::NotFound)?;
    staff.session.insert(STORE_KEY, target.store.id)?;
    // The next sign-in lands here too.
    crate::services::auth::remember_store(&state.db, staff.user_id, target.id()).await?;
    flash(
        &staff.session,
        "info",
        format!("Switched to {}.", target.store.name),
    );
    Ok(see_other("/admin"))
}
