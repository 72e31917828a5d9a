//! The store dashboard: KPI tiles with their change against the previous
//! period, the charts, top affiliates and what waits for staff, for the
//! period in the address; htmx gets the statistics section alone; a bad
//! custom period is named in the page.

use crate::stats::known_store;
use crate::support::*;

/// The markup of the element with `id` up to its closing `tag`.
fn block<'a>(page: &'a str, id: &str, tag: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let end = start + page[start..].find(&format!("</{tag}>")).unwrap();
    &page[start..end]
}

fn tile(page: &str, id: &str) -> (String, String) {
    let b = block(page, id, "article");
    let between = |marker: &str| {
        let s = b.find(marker).unwrap() + marker.len();
        b[s..s + b[s..].find('<').unwrap()].to_owned()
    };
    (between("data-value>"), between("data-change>"))
}

#[tokio::test]
async fn the_dashboard_shows_the_periods_figures_and_their_change() {
    let app = spawn_app().await;
    let k = known_store(&app).await;

    let page = app.browser.get_html("/admin?period=7").await;

    assert_eq!(tile(&page, "kpi-visitors"), ("5".into(), "+400.0%".into()));
    assert_eq!(tile(&page, "kpi-leads"), ("2".into(), "+100.0%".into()));
    assert_eq!(
        tile(&page, "kpi-conversions"),
        ("4".into(), "+300.0%".into())
    );
    assert_eq!(
        tile(&page, "kpi-revenue"),
        ("210.00 USD".into(), "+950.0%".into())
    );
    assert_eq!(
        tile(&page, "kpi-commissions"),
        ("18.00 USD".into(), "+800.0%".into())
    );
    assert!(block(&page, "conversion-rate", "p").contains("80.00%"));
    // The other store's 999.00 sales are nowhere.
    assert!(
        !page.contains("999.00")
            && !page.contains("1998.00")
            && !page.contains("data-value=\"99900\""),
        "another store's figures leaked"
    );
    // The 7-day preset is the current one, and the checklist is still there.
    assert!(block(&page, "period-7", "a").contains("aria-current"));
    assert!(page.contains("id=\"checklist\""));

    // Charts: an SVG with its title, today's point, and the numbers table.
    let counts = block(&page, "chart-counts", "figure");
    assert!(counts.contains("<svg") && counts.contains("role=\"img\""));
    assert!(counts.contains(&format!(
        "data-day=\"{}\" data-value=\"4\" data-today",
        k.today
    )));
    assert!(
        counts.contains("<details>")
            && counts.contains(&format!("<th scope=\"row\">{}</th>", k.today))
    );
    let money = block(&page, "chart-money", "figure");
    assert!(money.contains("<rect"));
    assert!(
        money.contains("data-value=\"12000\" data-today"),
        "today's revenue bar"
    );

    // Top affiliates link to their pages, Ann (more revenue) first.
    let top = block(&page, "top-affiliates", "article");
    let ann_at = top
        .find(&format!("/admin/affiliates/{}", k.ann.0))
        .expect("Ann's link");
    let bob_at = top
        .find(&format!("/admin/affiliates/{}", k.bob.0))
        .expect("Bob's link");
    assert!(ann_at < bob_at);
    assert!(top.contains("140.00") && top.contains("70.00"));

    // What waits: links to the pending tab and the Due page.
    assert!(
        block(&page, "pending-applications", "li")
            .contains("href=\"/admin/affiliates?status=pending\"")
    );
    assert!(block(&page, "due-payouts", "li").contains("href=\"/admin/payouts/due\""));
}

#[tokio::test]
async fn the_default_period_is_thirty_days_and_counts_the_older_sale_too() {
    let app = spawn_app().await;
    known_store(&app).await;

    let page = app.browser.get_html("/admin").await;

    assert!(block(&page, "period-30", "a").contains("aria-current"));
    // Ten days ago is inside 30 days: 6 visitors, 5 conversions.
    assert_eq!(tile(&page, "kpi-visitors").0, "6");
    assert_eq!(tile(&page, "kpi-conversions").0, "5");
    assert_eq!(tile(&page, "kpi-visitors").1, "new");
}

#[tokio::test]
async fn htmx_gets_only_the_statistics_section() {
    let app = spawn_app().await;
    known_store(&app).await;

    let res = app
        .browser
        .client
        .get(app.browser.url("/admin?period=90"))
        .header("hx-request", "true")
        .header("hx-target", "dashboard-stats")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();

    assert!(
        body.trim_start()
            .starts_with("<section id=\"dashboard-stats\""),
        "{}",
        &body[..200.min(body.len())]
    );
    assert!(!body.contains("<html") && !body.contains("id=\"checklist\""));
    assert!(block(&body, "period-90", "a").contains("aria-current"));
    assert_eq!(tile(&body, "kpi-visitors").0, "6");
}

#[tokio::test]
async fn a_bad_custom_period_is_named_in_the_page() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let page = app
        .browser
        .get_html("/admin?period=custom&from=2026-02-31&to=")
        .await;
    let reversed = app
        .browser
        .get_html("/admin?period=custom&from=2026-03-05&to=2026-03-01")
        .await;
    let unknown = app.browser.get_html("/admin?period=12").await;

    assert!(
        block(&page, "period-from-error", "small").contains("From must be a date like 2026-01-31")
    );
    assert!(
        block(&page, "period-to-error", "small").contains("To is required for a custom period")
    );
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(block(&page, "period-fallback", "p").contains("last 30 days"));
    assert!(
        block(&reversed, "period-to-error", "small").contains("must be on or after the start date")
    );
    // What was typed stays in the form.
    assert!(reversed.contains("value=\"2026-03-05\""));
    assert!(block(&unknown, "period-error", "p").contains("must be 7, 30 or 90 days, or custom"));
}

#[tokio::test]
async fn a_custom_period_shows_its_own_dates() {
    let app = spawn_app().await;
    let k = known_store(&app).await;
    let d1 = k.today - chrono::Duration::days(1);

    let page = app
        .browser
        .get_html(&format!("/admin?period=custom&from={d1}&to={d1}"))
        .await;

    assert!(page.contains(&format!("{d1} – {d1}")));
    assert_eq!(tile(&page, "kpi-visitors"), ("1".into(), "new".into()));
    assert_eq!(tile(&page, "kpi-commissions").0, "9.00 USD");
}
