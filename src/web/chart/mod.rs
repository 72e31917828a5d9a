//! Server-rendered SVG charts of a daily series, shared by the store
//! dashboard and the affiliate portal. No JavaScript and no inline styles
//! (the CSP forbids both): geometry is SVG attributes, colours come from
//! classes in `static/app.css` (`.chart .s-0`, `.s-1`, …).
//!
//! [`line_chart`] and [`bar_chart`] are pure functions of the days and the
//! values: the same input gives the same markup, so they are unit-tested
//! here. `templates/partials/chart.html` wraps the SVG in a `<figure>` with
//! a `<details>` table of the same numbers (the accessible fallback).

use chrono::NaiveDate;

mod scale;
#[cfg(test)]
mod tests;

use scale::*;

/// One line (or set of bars): a name for the legend and one value per day.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

impl Series {
    pub fn new(name: &str, values: Vec<i64>) -> Self {
        Series {
            name: name.to_owned(),
            values,
        }
    }
}

/// What the template shows: the SVG and the numbers behind it.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Unique on the page (`chart-counts`): ids of the title and table.
    pub id: String,
    pub title: String,
    pub svg: String,
    /// Column names of the fallback table (after "Day").
    pub columns: Vec<String>,
    /// One row per day: the day and each series' formatted value.
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Line,
    Bar,
}

/// Lines, one per series: for counts (visitors, leads, conversions).
pub fn line_chart(
    id: &str,
    title: &str,
    days: &[NaiveDate],
    series: &[Series],
    today: NaiveDate,
    format: &dyn Fn(i64) -> String,
) -> Chart {
    chart(Kind::Line, id, title, days, series, today, format)
}

/// Bars side by side per day: for money (earnings can be negative after a
/// clawback, so the axis then reaches below zero).
pub fn bar_chart(
    id: &str,
    title: &str,
    days: &[NaiveDate],
    series: &[Series],
    today: NaiveDate,
    format: &dyn Fn(i64) -> String,
) -> Chart {
    chart(Kind::Bar, id, title, days, series, today, format)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn chart(
    kind: Kind,
    id: &str,
    title: &str,
    days: &[NaiveDate],
    series: &[Series],
    today: NaiveDate,
    format: &dyn Fn(i64) -> String,
) -> Chart {
    let n = days.len();
    let value = |s: &Series, i: usize| s.values.get(i).copied().unwrap_or(0);
    let scale = Scale::of(series.iter().flat_map(|s| (0..n).map(move |i| value(s, i))));
    let mut svg = String::with_capacity(2048 + n * series.len() * 160);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let desc = match (days.first(), days.last()) {
        (Some(first), Some(last)) => format!(
            "{} per day from {first} to {last}; the numbers are in the table below.",
            names.join(", ")
        ),
        _ => "No days to show.".to_owned(),
    };
    svg.push_str(&format!(
        r#"<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(&desc)
    ));
    // Grid lines and value labels.
    for t in 0..=scale.ticks {
        let v = scale.low.saturating_add(scale.step.saturating_mul(t));
        let y = scale.y(v);
        let class = if v == 0 { "axis" } else { "grid" };
        svg.push_str(&format!(
            r#"<line class="{class}" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="y-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&format(v))
        ));
    }
    // Day labels: first, last and evenly spaced ones in between.
    if n > 0 {
        let every = n.div_ceil(X_LABELS).max(1);
        for (i, day) in days.iter().enumerate() {
            if i % every == 0 || i == n - 1 {
                let anchor = if i == n - 1 && n > 1 { "end" } else { "middle" };
                let x = if i == n - 1 && n > 1 {
                    WIDTH - RIGHT
                } else {
                    x_of(i, n)
                };
                svg.push_str(&format!(
                    r#"<text class="x-label" x="{x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
                    HEIGHT - 8.0,
                    day.format("%b %-d")
                ));
            }
        }
    } else {
        svg.push_str(&format!(
            r#"<text class="empty-label" x="{:.1}" y="{:.1}" text-anchor="middle">No data</text>"#,
            LEFT + plot_width() / 2.0,
            (TOP + HEIGHT - BOTTOM) / 2.0
        ));
    }
    if let Some(i) = days.iter().position(|d| *d == today) {
        svg.push_str(&format!(
            r#"<line class="today" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{:.1}"/>"#,
            HEIGHT - BOTTOM,
            x = x_of(i, n)
        ));
    }
    // The data.
    let band = plot_width() / n.max(1) as f64;
    let bar_w = (band * 0.8 / series.len().max(1) as f64).max(0.5);
    for (k, s) in series.iter().enumerate() {
        svg.push_str(&format!(
            r#"<g class="series s-{k}" data-series="{}">"#,
            escape(&s.name)
        ));
        if kind == Kind::Line && n > 1 {
            let points: Vec<String> = (0..n)
                .map(|i| format!("{:.1},{:.1}", x_of(i, n), scale.y(value(s, i))))
                .collect();
            svg.push_str(&format!(
                r#"<polyline fill="none" points="{}"/>"#,
                points.join(" ")
            ));
        }
        for (i, day) in days.iter().enumerate() {
            let v = value(s, i);
            let tip = format!("{day}: {} {}", format(v), s.name);
            let today_attr = if *day == today {
                r#" data-today="""#
            } else {
                ""
            };
            match kind {
                Kind::Line => svg.push_str(&format!(
                    r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" data-day="{day}" data-value="{v}"{today_attr}><title>{}</title></circle>"#,
                    x_of(i, n),
                    scale.y(v),
                    escape(&tip)
                )),
                Kind::Bar => {
                    let (y0, y1) = (scale.y(0), scale.y(v));
                    let x = LEFT + band * i as f64 + band * 0.1 + bar_w * k as f64;
                    svg.push_str(&format!(
                        r#"<rect x="{x:.1}" y="{:.1}" width="{bar_w:.1}" height="{:.1}" data-day="{day}" data-value="{v}"{today_attr}><title>{}</title></rect>"#,
                        y0.min(y1),
                        (y0 - y1).abs(),
                        escape(&tip)
                    ));
                }
            }
        }
        svg.push_str("</g>");
    }
    // Legend across the top.
    let mut x = LEFT;
    for (k, s) in series.iter().enumerate() {
        svg.push_str(&format!(
            r#"<g class="legend s-{k}"><rect x="{x:.1}" y="8" width="12" height="12"/><text x="{:.1}" y="18">{}</text></g>"#,
            x + 16.0,
            escape(&s.name)
        ));
        x += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
    svg.push_str("</svg>");
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        svg,
        columns: names.iter().map(|s| (*s).to_owned()).collect(),
        rows: days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                (
                    d.to_string(),
                    series.iter().map(|s| format(value(s, i))).collect(),
                )
            })
            .collect(),
    }
}
