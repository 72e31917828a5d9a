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
        c.svg.contains(r#"<g class="legend s-0">"#) && c.svg.contains(r#"<g class="legend s-1">"#)
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
