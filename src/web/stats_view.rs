//! What a dashboard shows of a `services::stats::Summary`: the period picker,
//! KPI tiles with their change against the previous period, and the two
//! charts (counts as lines, money as bars: money has its own axis). Shared
//! by the store dashboard and the affiliate portal, with the partials
//! `templates/partials/{period_picker,kpi_tiles,chart}.html`.

use chrono::NaiveDate;

use crate::domain::money::format_minor;
use crate::domain::period::{DEFAULT_DAYS, PRESETS, Period, PeriodQuery};
use crate::domain::stats::Change;
use crate::domain::{Currency, ValidationErrors};
use crate::services::stats::Summary;
use crate::web::chart::{Chart, Series, bar_chart, line_chart};

/// The period picker: the period shown, and what was typed (with errors).
pub struct Picker {
    /// Where the picker's links and form go (`/admin`, a portal page).
    pub action: String,
    /// The element htmx swaps (`#dashboard-stats`).
    pub target: String,
    pub period: Period,
    pub presets: Vec<u32>,
    pub from: String,
    pub to: String,
    /// The custom dates' errors, named by field (`from`, `to`, `period`).
    pub errors: ValidationErrors,
}

impl Picker {
    /// The period `q` names, or (with its errors kept for the page) the
    /// default period when it names none that is valid.
    pub fn parse(action: &str, target: &str, q: &PeriodQuery, today: NaiveDate) -> Picker {
        let (period, errors) = match Period::parse(q, today) {
            Ok(p) => (p, ValidationErrors::new()),
            Err(e) => (Period::last_days(DEFAULT_DAYS, today), e),
        };
        let typed = |v: &Option<String>, fallback: NaiveDate| match v.as_deref() {
            Some(t) if !t.trim().is_empty() => t.trim().to_owned(),
            _ => fallback.to_string(),
        };
        Picker {
            action: action.to_owned(),
            target: target.to_owned(),
            from: typed(&q.from, period.first()),
            to: typed(&q.to, period.last()),
            presets: PRESETS.to_vec(),
            period,
            errors,
        }
    }

    pub fn is_custom(&self) -> bool {
        self.period.preset().is_none()
    }

    pub fn is_preset(&self, days: &u32) -> bool {
        self.period.preset() == Some(*days)
    }
}

/// One KPI tile.
pub struct Tile {
    /// Stable id for tests and styling (`kpi-visitors`).
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub previous: String,
    pub change: String,
    /// `up`, `down` or `flat`.
    pub direction: &'static str,
}

fn tile(id: &'static str, label: &'static str, value: String, previous: String, c: Change) -> Tile {
    Tile {
        id,
        label,
        value,
        previous,
        change: c.label(),
        direction: c.direction(),
    }
}

/// Visitors, leads, conversions, revenue and commissions of the period,
/// each with the previous period's figure and the change.
pub fn tiles(s: &Summary, currency: Currency) -> Vec<Tile> {
    let (t, p, c) = (&s.totals, &s.previous, s.changes());
    let money = |m: i64| format!("{} {}", format_minor(m, currency), currency.code());
    vec![
        tile(
            "kpi-visitors",
            "Clicks",
            t.visitors.to_string(),
            p.visitors.to_string(),
            c.visitors,
        ),
        tile(
            "kpi-leads",
            "Leads",
            t.leads.to_string(),
            p.leads.to_string(),
            c.leads,
        ),
        tile(
            "kpi-conversions",
            "Conversions",
            t.conversions.to_string(),
            p.conversions.to_string(),
            c.conversions,
        ),
        tile(
            "kpi-revenue",
            "Revenue",
            money(t.revenue_minor),
            money(p.revenue_minor),
            c.revenue,
        ),
        tile(
            "kpi-commissions",
            "Commissions",
            money(t.commission_minor()),
            money(p.commission_minor()),
            c.commissions,
        ),
    ]
}

/// "3.45%": conversions per visitor of the period.
pub fn rate(s: &Summary) -> String {
    format!("{:.2}%", s.totals.conversion_rate())
}

/// The counts chart (clicks, leads, conversions) and the money chart
/// (revenue and commissions, or only earnings when `revenue` is false, as
/// an affiliate sees it).
pub fn charts(s: &Summary, currency: Currency, today: NaiveDate, revenue: bool) -> (Chart, Chart) {
    let days: Vec<NaiveDate> = s.series.iter().map(|d| d.day).collect();
    let col = |f: fn(&crate::services::stats::Figures) -> i64| -> Vec<i64> {
        s.series.iter().map(|d| f(&d.figures)).collect()
    };
    let counts = line_chart(
        "chart-counts",
        &format!("Clicks, leads and conversions, {}", s.period.label()),
        &days,
        &[
            Series::new("Clicks", col(|f| f.visitors)),
            Series::new("Leads", col(|f| f.leads)),
            Series::new("Conversions", col(|f| f.conversions)),
        ],
        today,
        &|v| v.to_string(),
    );
    let mut money_series = Vec::new();
    if revenue {
        money_series.push(Series::new("Revenue", col(|f| f.revenue_minor)));
    }
    money_series.push(Series::new("Commissions", col(|f| f.commission_minor())));
    let money = bar_chart(
        "chart-money",
        &format!(
            "{} in {}, {}",
            if revenue {
                "Revenue and commissions"
            } else {
                "Earnings"
            },
            currency.code(),
            s.period.label()
        ),
        &days,
        &money_series,
        today,
        &|v| format_minor(v, currency),
    );
    (counts, money)
}
