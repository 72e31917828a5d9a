use super::*;

async fn htmx_post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let token = app.browser.csrf().await;
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    let res = app
        .browser
        .client
        .post(app.browser.url(path))
        .header("hx-request", "true")
        .form(&all)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn htmx_get(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .browser
        .client
        .get(app.browser.url(path))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_commissions_page_filters_and_totals_the_filtered_set() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    let bob = app
        .new_affiliate(
            &p.key,
            "bob@example.com",
            json!({"status": "approved", "first_name": "Bob", "last_name": "Stone"}),
        )
        .await;
    app.api_post(
        "/api/v1/commissions",
        &p.key,
        json!({"affiliate_id": bob["id"], "sale_amount": "40.00", "amount": "4.00"}),
    )
    .await;

    let all = app.browser.get_html("/admin/commissions").await;
    let due = app.browser.get_html("/admin/commissions?status=due").await;
    let bobs = app
        .browser
        .get_html("/admin/commissions?affiliate=stone")
        .await;

    assert!(
        all.contains("href=\"/admin/commissions\" aria-current=\"page\""),
        "the nav entry"
    );
    assert_eq!(
        element_text(&all, "total-due").as_deref(),
        Some("20.00 USD")
    );
    assert_eq!(
        element_text(&all, "total-pending").as_deref(),
        Some("4.00 USD")
    );
    assert!(due.contains(&format!("commission-{id}")));
    assert_eq!(
        element_text(&due, "total-pending"),
        None,
        "totals follow the filter"
    );
    assert!(
        !bobs.contains(&format!("commission-{id}")),
        "Ann is filtered out by the affiliate search"
    );
    assert!(bobs.contains("Bob Stone"));
    let bad = app.browser.get_html("/admin/commissions?kind=gift").await;
    assert!(
        bad.contains("must be sale, clawback or manual"),
        "a bad filter says why"
    );
}

#[tokio::test]
async fn an_inline_edit_swaps_the_row_moves_the_balance_and_audits_before_and_after() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (ann, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;

    let (status, form) = htmx_get(&app, &format!("/admin/commissions/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"amount\" value=\"20.00\""), "{form}");

    let (status, bad) = htmx_post(
        &app,
        &format!("/admin/commissions/{id}"),
        &[
            ("amount", "25.001"),
            ("due_date", "2026-01-31"),
            ("remarks", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "the form comes back with its message");
    assert!(
        bad.contains("Amount may have at most 2 decimals for USD."),
        "{bad}"
    );
    assert_eq!(balance(&app, &p.key, &ann).await, "20.00", "nothing saved");

    let (status, row) = htmx_post(
        &app,
        &format!("/admin/commissions/{id}"),
        &[
            ("amount", "25.00"),
            ("due_date", "2026-01-31"),
            ("remarks", "bonus"),
        ],
    )
    .await;

    assert_eq!(status, 200, "{row}");
    assert!(
        row.starts_with(&format!("<tr id=\"commission-{id}\">")),
        "the row, not the form: {row}"
    );
    assert!(row.contains("25.00") && row.contains("bonus"), "{row}");
    assert_eq!(balance(&app, &p.key, &ann).await, "25.00");
    let audit = last_audit(&app, "commission.updated").await;
    assert_eq!(
        (
            audit["before"]["amount_minor"].clone(),
            audit["after"]["amount_minor"].clone()
        ),
        (json!(2000), json!(2500))
    );
    assert_eq!(
        audit["before"]["due_at"], audit["after"]["due_at"],
        "the same date sent back keeps the due time"
    );
    app.assert_books_balance().await;
    let show = app
        .browser
        .get_html(&format!("/admin/commissions/{id}"))
        .await;
    assert!(
        show.contains("commission.updated"),
        "the audit trail is on its page"
    );
    assert!(show.contains("adjustment"), "and its ledger entries");
}

#[tokio::test]
async fn a_paid_commission_page_refuses_edit_and_void_and_offers_a_clawback() {
    let app = spawn_app().await;
    let p = app.program().await;
    let (_, id) = due_commission(&app, &p.key, "ann@example.com", "ann", "pi_1").await;
    mark_paid_in_db(&app, &id).await;
    let before = app.snapshot().await;

    let show = app
        .browser
        .get_html(&format!("/admin/commissions/{id}"))
        .await;
    let (edit_status, edit) = htmx_get(&app, &format!("/admin/commissions/{id}/edit")).await;
    let (post_status, _) = htmx_post(
        &app,
        &format!("/admin/commissions/{id}"),
        &[
            ("amount", "1.00"),
            ("due_date", "2026-01-31"),
            ("remarks", ""),
        ],
    )
    .await;
    let void = app
        .browser
        .post_form(
            &format!("/admin/commissions/{id}/void"),
            &[("void_reason", "fraud")],
        )
        .await;

    assert!(
        show.contains("A paid commission cannot be edited"),
        "the page says why"
    );
    assert!(show.contains("id=\"claw-back\""), "and offers a clawback");
    assert!(!show.contains("id=\"commission-void\""), "no void form");
    assert_eq!(edit_status, 409);
    assert!(edit.contains("Claw it back"), "{edit}");
    assert_eq!(post_status, 409);
    assert_eq!(void.status().as_u16(), 303);
    let after = app
        .browser
        .get_html(&format!("/admin/commissions/{id}"))
        .await;
    assert!(
        after.contains("claw it back instead"),
        "the refused void is flashed with why"
    );
    assert_eq!(app.snapshot().await, before, "nothing written");
    let claw = app
        .browser
        .get_html(
            &show
                .split("id=\"claw-back\"")
                .next()
                .unwrap()
                .rsplit("href=\"")
                .next()
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&#38;", "&"),
        )
        .await;
    assert!(
        claw.contains("value=\"-20.00\""),
        "the clawback form is filled in: {}",
        &show[show.find("claw-back").unwrap() - 400..][..420]
    );
}

#[tokio::test]
async fn the_manual_commission_form_shows_field_errors_and_records_a_good_one() {
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let ann_id = ann["id"].as_str().unwrap();

    let bad = app
        .browser
        .post_form(
            "/admin/commissions",
            &[
                ("affiliate_id", ann_id),
                ("sale_amount", "10.00"),
                ("amount", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("id=\"amount-error\""), "{html}");
    assert!(html.contains("Commission amount must not be 0"), "{html}");
    assert_eq!(app.count("commissions").await, 0);

    let good = app
        .browser
        .post_form(
            "/admin/commissions",
            &[
                ("affiliate_id", ann_id),
                ("sale_amount", "10.00"),
                ("amount", "3.00"),
                ("status", "due"),
                ("remarks", "=cmd|' /C calc'!A0"),
            ],
        )
        .await;
    assert_eq!(good.status().as_u16(), 303);
    assert_eq!(balance(&app, &p.key, ann_id).await, "3.00");
    app.assert_books_balance().await;

    let res = app
        .browser
        .get("/admin/commissions/export.csv?kind=manual")
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,created_at,affiliate_id,affiliate_email"));
    assert!(
        lines[1].contains(",ann@example.com,") && lines[1].contains(",3.00,"),
        "{csv}"
    );
    assert!(
        lines[1].ends_with(",'=cmd|' /C calc'!A0"),
        "a formula is defused: {csv}"
    );
    let none = app
        .browser
        .get("/admin/commissions/export.csv?kind=sale")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        none.lines().count(),
        1,
        "an empty set is the header alone: {none}"
    );
}
