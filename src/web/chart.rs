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

// The drawing area inside the viewBox (the SVG scales to the page width).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 26.0;
/// At most this many day labels under the x axis.
const X_LABELS: usize = 6;
const Y_TICKS: i64 = 4;

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

/// The smallest 1, 2 or 5 × 10^k that is at least `v` (v > 0).
fn nice_ceiling(v: i64) -> i64 {
    let mut step: i64 = 1;
    loop {
        for m in [1i64, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= v || candidate == i64::MAX {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The value axis: from `low` (0, or a round value below a negative
/// minimum) up in `ticks` equal steps of a round size (1, 2 or 5 × 10^k),
/// the first that reach the maximum: about [`Y_TICKS`] grid lines.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    low: i64,
    step: i64,
    ticks: i64,
}

impl Scale {
    fn of(values: impl Iterator<Item = i64>) -> Scale {
        let (mut min, mut max) = (0i64, 0i64);
        for v in values {
            min = min.min(v);
            max = max.max(v);
        }
        let span = max.saturating_sub(min).max(1);
        let step = nice_ceiling((span.saturating_add(Y_TICKS - 1) / Y_TICKS).max(1));
        // Start on a multiple of the step at or below the minimum.
        let low = min.div_euclid(step).saturating_mul(step);
        let reach = max.saturating_sub(low);
        let ticks = ((reach.saturating_add(step - 1)) / step).max(1);
        Scale { low, step, ticks }
    }

    fn high(&self) -> i64 {
        self.low
            .saturating_add(self.step.saturating_mul(self.ticks))
    }

    fn y(&self, v: i64) -> f64 {
        let span = (self.high() as f64 - self.low as f64).max(1.0);
        let frac = (v as f64 - self.low as f64) / span;
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - frac)
    }
}

fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

/// The centre of day `i` of `n` on the x axis (bars and points alike).
fn x_of(i: usize, n: usize) -> f64 {
    let band = plot_width() / n.max(1) as f64;
    LEFT + band * (i as f64 + 0.5)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn days(first: &str, n: usize) -> Vec<NaiveDate> {
        day(first).iter_days().take(n).collect()
    }

    fn plain(v: i64) -> String {
        v.to_string()
    }

    fn attr_values(svg: &str, attr: &str) -> Vec<f64> {
        let needle = format!(" {attr}=\"");
        svg.match_indices(&needle)
            .map(|(i, _)| {
                let rest = &svg[i + needle.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn the_scale_is_round_and_covers_every_value() {
        assert_eq!(
            Scale::of([0, 7].into_iter()),
            Scale {
                low: 0,
                step: 2,
                ticks: 4
            }
        );
        assert_eq!(Scale::of([0, 10].into_iter()).high(), 10);
        assert_eq!(Scale::of([3, 100].into_iter()).high(), 100);
        assert_eq!(Scale::of([101].into_iter()).high(), 150);
        assert_eq!(
            Scale::of(std::iter::empty()),
            Scale {
                low: 0,
                step: 1,
                ticks: 1
            }
        );
        let s = Scale::of([-30, 45].into_iter());
        assert!(s.low <= -30 && s.high() >= 45, "{s:?}");
        assert_eq!(s.low % s.step, 0);
    }

    #[test]
    fn points_are_placed_by_value_higher_values_higher_up() {
        let d = days("2026-03-01", 3);
        let c = line_chart(
            "c",
            "Visitors",
            &d,
            &[Series::new("visitors", vec![0, 5, 10])],
            day("2026-03-03"),
            &plain,
        );
        let cy = attr_values(&c.svg, "cy");
        assert_eq!(cy.len(), 3);
        assert!(cy[0] > cy[1] && cy[1] > cy[2], "{cy:?}");
        // 0 sits on the axis at the bottom of the plot, 10 at the top.
        assert_eq!(cy[0], HEIGHT - BOTTOM);
        assert_eq!(cy[2], TOP);
        let cx = attr_values(&c.svg, "cx");
        assert!(cx[0] < cx[1] && cx[1] < cx[2]);
        assert!(c.svg.contains("<polyline"));
    }

    #[test]
    fn an_empty_series_draws_axes_and_says_no_data() {
        let c = line_chart(
            "c",
            "Visitors",
            &[],
            &[Series::new("visitors", vec![])],
            day("2026-03-03"),
            &plain,
        );
        assert!(c.svg.contains("No data"));
        assert!(!c.svg.contains("<circle"));
        assert!(c.rows.is_empty());
        assert!(c.svg.starts_with("<svg") && c.svg.ends_with("</svg>"));
    }

    #[test]
    fn one_point_is_drawn_in_the_middle_without_a_line() {
        let c = line_chart(
            "c",
            "Visitors",
            &days("2026-03-03", 1),
            &[Series::new("visitors", vec![4])],
            day("2026-03-03"),
            &plain,
        );
        assert!(!c.svg.contains("<polyline"));
        let cx = attr_values(&c.svg, "cx");
        assert_eq!(cx, vec![LEFT + plot_width() / 2.0]);
        assert_eq!(
            c.rows,
            vec![("2026-03-03".to_owned(), vec!["4".to_owned()])]
        );
    }

    #[test]
    fn todays_point_is_marked() {
        let c = line_chart(
            "c",
            "Visitors",
            &days("2026-03-01", 3),
            &[Series::new("visitors", vec![1, 2, 3])],
            day("2026-03-02"),
            &plain,
        );
        assert_eq!(c.svg.matches("data-today").count(), 1);
        assert!(
            c.svg
                .contains(r#"data-day="2026-03-02" data-value="2" data-today"#)
        );
        assert!(c.svg.contains(r#"class="today""#));
    }

    #[test]
    fn it_is_accessible_and_has_a_legend_and_axis_labels() {
        let c = line_chart(
            "counts",
            "Visitors & leads",
            &days("2026-03-01", 10),
            &[
                Series::new("visitors", vec![1; 10]),
                Series::new("leads", vec![0; 10]),
            ],
            day("2026-03-10"),
            &plain,
        );
        assert!(
            c.svg
                .contains(r#"aria-labelledby="counts-title counts-desc""#)
        );
        assert!(
            c.svg
                .contains("<title id=\"counts-title\">Visitors &amp; leads</title>")
        );
        assert!(c.svg.contains(
            "<desc id=\"counts-desc\">visitors, leads per day from 2026-03-01 to 2026-03-10"
        ));
        assert!(
            c.svg.contains(r#"<g class="legend s-0">"#)
                && c.svg.contains(r#"<g class="legend s-1">"#)
        );
        assert!(c.svg.contains(">Mar 1</text>") && c.svg.contains(">Mar 10</text>"));
        assert!(!c.svg.contains("style="), "the CSP allows no inline style");
        assert_eq!(c.columns, vec!["visitors", "leads"]);
    }

    #[test]
    fn bars_go_below_the_axis_for_negative_money() {
        let money = |v: i64| format!("{}.{:02}", v / 100, (v % 100).abs());
        let c = bar_chart(
            "m",
            "Earnings",
            &days("2026-03-01", 2),
            &[Series::new("commissions", vec![1000, -500])],
            day("2026-03-02"),
            &money,
        );
        let bars: Vec<&str> = c
            .svg
            .split("<rect")
            .filter(|r| r.contains("data-day="))
            .collect();
        assert_eq!(bars.len(), 2);
        let zero = Scale::of([1000, -500].into_iter()).y(0);
        let (y0, h0) = (
            attr_values(bars[0], "y")[0],
            attr_values(bars[0], "height")[0],
        );
        let (y1, h1) = (
            attr_values(bars[1], "y")[0],
            attr_values(bars[1], "height")[0],
        );
        // The positive bar ends on the zero line, the negative one starts there.
        assert!((y0 + h0 - zero).abs() < 0.11, "{y0} {h0} {zero}");
        assert!((y1 - zero).abs() < 0.11, "{y1} {zero}");
        assert!(h0 > h1, "1000 is taller than 500");
        assert!(c.svg.contains(">-5.00</text>") || c.svg.contains(">-10.00</text>"));
        assert_eq!(c.rows[1].1, vec!["-5.00".to_owned()]);
    }
}
