//! A refused action stays on its page with a message: a plain form post is
//! sent back to the page it came from with a flash, an htmx request gets
//! the toast partial; never a bare error page.

use crate::support::*;

async fn owner_membership(app: &TestApp) -> String {
    tributary::services::team::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap()[0]
        .membership_id
        .to_string()
}

#[tokio::test]
async fn removing_the_last_owner_goes_back_to_the_team_page_with_the_reason() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let id = owner_membership(&app).await;
    let token = app.browser.csrf().await;

    let res = app
        .browser
        .client
        .post(app.browser.url(&format!("/admin/team/members/{id}/remove")))
        .header("referer", app.browser.url("/admin/team?tab=members"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        location(&res),
        "/admin/team?tab=members",
        "back where it was"
    );
    let page = app.browser.get_html("/admin/team").await;
    assert!(
        page.contains("flash flash-error"),
        "shown as an error flash"
    );
    assert!(page.contains("last owner"), "with the reason");
    assert!(!page.contains("That did not work"));
    assert_eq!(
        tributary::services::team::list(&app.db, app.store_id("acme").await)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_refusal_from_another_site_goes_to_the_dashboard_not_back_there() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let id = owner_membership(&app).await;
    let token = app.browser.csrf().await;

    let res = app
        .browser
        .client
        .post(app.browser.url(&format!("/admin/team/members/{id}/remove")))
        .header("referer", "https://evil.example.com/admin/team")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/admin");
}

#[tokio::test]
async fn an_htmx_refusal_gets_the_toast_partial() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let id = owner_membership(&app).await;
    let token = app.browser.csrf().await;

    let res = app
        .browser
        .client
        .post(app.browser.url(&format!("/admin/team/members/{id}/role")))
        .header("hx-request", "true")
        .header("x-csrf-token", token.as_str())
        .form(&[("role", "admin")])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(res.headers().get("hx-retarget").unwrap(), "#toast");
    let body = res.text().await.unwrap();
    assert!(
        body.contains("last owner") && !body.contains("<html"),
        "{body}"
    );
}

#[tokio::test]
async fn setup_after_setup_leads_to_sign_in() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app.new_browser().get("/setup").await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn a_blank_slug_says_it_is_made_from_the_name_once_the_name_is_given() {
    let app = spawn_app().await;

    let res = app
        .browser
        .post_form(
            "/setup",
            &[
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("store_name", ""),
                ("currency", "USD"),
                ("slug", ""),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert_eq!(
        element_text(&page, "slug-error").as_deref(),
        Some("Slug is made from the store name once it is given.")
    );
    assert!(!page.contains("Slug is required"));
}
