//! An affiliate's way in: a visitor joins a campaign that needs approval
//! and waits; staff approve in the admin; the affiliate logs in by password
//! and sees their link, and the page fits a phone (390×844) without
//! sideways scrolling.

use crate::driver::*;
use crate::support::*;

#[tokio::test]
async fn a_visitor_joins_waits_is_approved_and_logs_in_to_their_link() {
    let app = spawn_app().await;
    let p = app.portal_program(true).await;
    let base = app.address.clone();
    let key = p.key.clone();
    let app = &app;
    with_browser(|b| async move {
        // The visitor joins and is told to wait.
        b.goto(&format!("{base}/a/acme/join")).await.unwrap();
        wait_for_text(&b, "main h1", "Join Acme Shop").await;
        fill(&b, "#first_name", "Pat").await;
        fill(&b, "#last_name", "Jones").await;
        fill(&b, "#email", "pat@example.com").await;
        fill(&b, "#password", AFFILIATE_PASSWORD).await;
        click(&b, "#join-submit").await;
        wait_for_text(&b, "#portal-status", "Waiting for approval").await;
        click(&b, "form[action='/a/acme/logout'] button").await;
        wait_for_text(&b, "article", "You have been logged out.").await;

        // Staff approve the application in the admin.
        let (_, list) = app
            .api_json("/api/v1/affiliates?email=pat@example.com", &key)
            .await;
        let id = list["data"][0]["id"].as_str().unwrap().to_owned();
        b.goto(&format!("{base}/admin/affiliates/{id}"))
            .await
            .unwrap();
        fill(&b, "#email", OWNER_EMAIL).await;
        fill(&b, "#password", OWNER_PASSWORD).await;
        click(&b, "form[action='/login'] button[type=submit]").await;
        wait_for_text(&b, "#affiliate-status", "pending").await;
        click(&b, "button[data-action='approve']").await;
        wait_for_text(&b, "#affiliate-status", "approved").await;
        click(&b, "form[action='/logout'] button").await;
        wait_for_text(&b, "article", "You have been signed out.").await;

        // The affiliate logs in by password and sees their link.
        b.goto(&format!("{base}/a/acme/login")).await.unwrap();
        fill(&b, "#email", "pat@example.com").await;
        fill(&b, "#password", AFFILIATE_PASSWORD).await;
        click(&b, "#login-submit").await;
        wait_for_text(&b, "#links", "/r/pat").await;
        assert_eq!(path_of(&b).await, "/a/acme/");

        // At phone width nothing scrolls sideways.
        b.set_window_size(390, 844).await.unwrap();
        let inner = b
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap();
        let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
        if (w, h) != (390, 844) {
            b.set_window_size((780 - w) as u32, (1688 - h) as u32)
                .await
                .unwrap();
        }
        b.refresh().await.unwrap();
        wait_for_text(&b, "#links", "/r/pat").await;
        let m = b
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, width) = (m[0].as_i64().unwrap(), m[1].as_i64().unwrap());
        assert_eq!(width, 390);
        assert!(scroll <= width, "scrollWidth {scroll} > innerWidth {width}");
    })
    .await;
}
