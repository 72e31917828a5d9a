//! The statistics part of the portal's home page: the period picker (the
//! store dashboard's, `web::stats_view`), KPI tiles, the conversion rate,
//! earnings by status, the balance and the next payout estimate, and the
//! two charts. Every figure comes from `services::portal::dashboard`
//! (the stats services, in the affiliate scope).

use chrono::Utc;
use serde::Deserialize;

use super::principal::CurrentAffiliate;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::domain::period::PeriodQuery;
use crate::domain::stats::Change;
use crate::services::portal::dashboard;
use crate::web::chart::Chart;
use crate::web::stats_view::{self, Picker, Tile};
use crate::web::{AppState, WebError};

/// The element the picker swaps under htmx.
pub const TARGET_ID: &str = "portal-stats";

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// What `templates/portal/_stats.html` shows.
pub struct StatsSection {
    pub picker: Picker,
    pub tiles: Vec<Tile>,
    pub rate: String,
    pub earnings: Vec<Tile>,
    pub balance: String,
    pub next_payout: String,
    pub next_payout_count: i64,
    pub minimum: String,
    /// Why no payout can be made now (below the minimum, nothing due…).
    pub held_back: Option<String>,
    pub counts_chart: Chart,
    pub money_chart: Chart,
}

fn earning(id: &'static str, label: &'static str, now: i64, before: i64, c: Currency) -> Tile {
    let change = Change::between(now, before);
    Tile {
        id,
        label,
        value: format!("{} {}", format_minor(now, c), c.code()),
        previous: format!("{} {}", format_minor(before, c), c.code()),
        change: change.label(),
        direction: change.direction(),
    }
}

pub async fn section(
    state: &AppState,
    current: &CurrentAffiliate,
    q: &DashboardQuery,
) -> Result<StatsSection, WebError> {
    let currency = Currency::parse(&current.store.currency).unwrap_or(Currency::USD);
    let today = Utc::now().date_naive();
    let query = PeriodQuery {
        period: q.period.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let action = format!("/a/{}/", current.store.slug);
    let picker = Picker::parse(&action, &format!("#{TARGET_ID}"), &query, today);
    let d = dashboard::load(
        &state.db,
        current.store_id(),
        current.affiliate_id(),
        &picker.period,
    )
    .await?;
    let (s, money) = (&d.summary, &d.money);
    // An affiliate sees their own earnings, not the store's revenue.
    let tiles = stats_view::tiles(s, currency)
        .into_iter()
        .filter(|t| t.id != "kpi-revenue" && t.id != "kpi-commissions")
        .collect();
    let (now, before) = (s.totals.commissions, s.previous.commissions);
    let earnings = vec![
        earning(
            "kpi-pending",
            "Pending",
            now.pending,
            before.pending,
            currency,
        ),
        earning("kpi-due", "Due", now.due, before.due, currency),
        earning("kpi-paid", "Paid", now.paid, before.paid, currency),
    ];
    let (counts_chart, money_chart) = stats_view::charts(s, currency, today, false);
    let fmt = |m: i64| format!("{} {}", format_minor(m, currency), currency.code());
    Ok(StatsSection {
        tiles,
        rate: stats_view::rate(s),
        earnings,
        balance: fmt(money.balance_minor),
        next_payout: fmt(money.next_payout.due_minor),
        next_payout_count: money.next_payout.count,
        minimum: fmt(money.next_payout.minimum_minor),
        held_back: money.next_payout.held_back.clone(),
        counts_chart,
        money_chart,
        picker,
    })
}
