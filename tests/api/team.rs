use crate::settings::add_member;
use crate::support::*;

async fn membership_id(app: &TestApp, email: &str) -> String {
    let members = tributary::services::team::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap();
    members
        .into_iter()
        .find(|m| m.email == email)
        .expect("member")
        .membership_id
        .to_string()
}

#[tokio::test]
async fn an_invited_new_person_can_then_sign_in() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let password = add_member(&app, "ann@example.com", "admin").await;

    let ann = app.new_browser();
    assert_eq!(
        ann.login("ann@example.com", &password)
            .await
            .status()
            .as_u16(),
        303
    );
    assert!(ann.get_html("/admin").await.contains("Acme Shop"));
    let team = app.browser.get_html("/admin/team").await;
    assert!(team.contains("ann@example.com"));
}

#[tokio::test]
async fn inviting_checks_email_role_and_current_members() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", "nope"), ("role", "king")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"member-email-error\""));
    assert!(page.contains("Role must be owner or admin"));

    let res = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", OWNER_EMAIL), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("is already a member of this store")
    );
    assert_eq!(app.count("memberships").await, 1);
}

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_removed() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let id = membership_id(&app, OWNER_EMAIL).await;

    let demote = app
        .browser
        .post_form(
            &format!("/admin/team/members/{id}/role"),
            &[("role", "admin")],
        )
        .await;
    // Refused: back to the Team page, which says why.
    assert_eq!(demote.status().as_u16(), 303);
    assert!(
        app.browser
            .get_html("/admin/team")
            .await
            .contains("last owner"),
        "the refusal is shown on the page"
    );
    let remove = app
        .browser
        .post_form(&format!("/admin/team/members/{id}/remove"), &[])
        .await;
    assert_eq!(remove.status().as_u16(), 303);

    let members = tributary::services::team::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role.as_str(), "owner");
}

#[tokio::test]
async fn with_a_second_owner_the_first_can_step_down() {
    let app = spawn_app().await;
    app.setup_owner().await;
    add_member(&app, "co@example.com", "owner").await;
    let id = membership_id(&app, OWNER_EMAIL).await;

    let res = app
        .browser
        .client
        .post(app.browser.url(&format!("/admin/team/members/{id}/role")))
        .header("hx-request", "true")
        .header("x-csrf-token", app.browser.csrf().await)
        .form(&[("role", "admin")])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()
            .get("hx-trigger")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("is now admin")
    );
    let row = res.text().await.unwrap();
    assert!(
        row.starts_with(&format!("<tr id=\"member-{id}\"")),
        "an htmx row partial: {row}"
    );
}

#[tokio::test]
async fn an_admin_cannot_change_the_team() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let password = add_member(&app, "admin@example.com", "admin").await;
    let admin = app.new_browser();
    admin.login("admin@example.com", &password).await;
    let owner_id = membership_id(&app, OWNER_EMAIL).await;

    let res = admin
        .post_form(
            "/admin/team/invitations",
            &[("email", "friend@example.com"), ("role", "owner")],
        )
        .await;
    // Refused, back on a page that says so (pages stay in the app).
    assert_eq!(res.status().as_u16(), 303);
    assert!(admin.get_html("/admin/team").await.contains("flash-error"));
    let res = admin
        .post_form(&format!("/admin/team/members/{owner_id}/remove"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(app.count("memberships").await, 2);
}

#[tokio::test]
async fn another_stores_member_is_not_found() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let beta = app.other_store("beta", "bob@example.com").await;
    let bobs = tributary::services::team::list(&app.db, beta)
        .await
        .unwrap()[0]
        .membership_id;

    let role = app
        .browser
        .post_form(
            &format!("/admin/team/members/{bobs}/role"),
            &[("role", "admin")],
        )
        .await;
    let remove = app
        .browser
        .post_form(&format!("/admin/team/members/{bobs}/remove"), &[])
        .await;
    let garbage = app
        .browser
        .post_form("/admin/team/members/not-a-uuid/remove", &[])
        .await;

    assert_eq!(role.status().as_u16(), 404);
    assert_eq!(remove.status().as_u16(), 404);
    assert_eq!(garbage.status().as_u16(), 404);
    let after = tributary::services::team::list(&app.db, beta)
        .await
        .unwrap();
    assert_eq!(after[0].role.as_str(), "owner");
}

#[tokio::test]
async fn switching_to_a_store_one_does_not_belong_to_is_not_found() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let beta = app.other_store("beta", "bob@example.com").await;

    let res = app
        .browser
        .post_form("/admin/stores/switch", &[("store_id", &beta.to_string())])
        .await;

    assert_eq!(res.status().as_u16(), 404);
    assert!(!app.browser.get_html("/admin").await.contains("Other Shop"));
}

#[tokio::test]
async fn a_member_of_two_stores_switches_between_them() {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", "bob@example.com").await;
    let beta = app.store_id("beta").await;
    tributary::services::setup::add_membership(
        &app.db,
        beta,
        tributary::domain::UserId(
            tributary::services::team::list(&app.db, app.store_id("acme").await)
                .await
                .unwrap()[0]
                .user_id,
        ),
        tributary::domain::Role::Admin,
    )
    .await
    .unwrap();

    let res = app
        .browser
        .post_form("/admin/stores/switch", &[("store_id", &beta.to_string())])
        .await;

    assert_eq!(res.status().as_u16(), 303);
    let page = app.browser.get_html("/admin").await;
    assert!(page.contains("<h1>Other Shop</h1>"));
    assert!(page.contains("you are admin"));
}

/// Bob, owner of Other Shop, accepts an invitation to Acme Shop.
async fn bob_in_both_stores(app: &TestApp) -> Browser {
    app.other_store("beta", "bob@example.com").await;
    let link = crate::settings::invite(app, "bob@example.com", "admin").await;
    let bob = app.new_browser();
    bob.login("bob@example.com", OWNER_PASSWORD).await;
    let res = bob.post_form(&format!("{link}/accept"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    bob
}

#[tokio::test]
async fn after_sign_in_the_last_store_is_the_current_one_not_the_first_by_name() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let bob = bob_in_both_stores(&app).await;
    let beta = app.store_id("beta").await;
    bob.post_form("/admin/stores/switch", &[("store_id", &beta.to_string())])
        .await;
    bob.post_form("/logout", &[]).await;

    bob.login("bob@example.com", OWNER_PASSWORD).await;

    // "Acme Shop" sorts first; Bob was last in Other Shop.
    assert!(bob.get_html("/admin").await.contains("<h1>Other Shop</h1>"));
    // And a store just joined is where the next sign-in lands.
    let acme = app.store_id("acme").await;
    bob.post_form("/admin/stores/switch", &[("store_id", &acme.to_string())])
        .await;
    let again = app.new_browser();
    again.login("bob@example.com", OWNER_PASSWORD).await;
    assert!(
        again
            .get_html("/admin")
            .await
            .contains("<h1>Acme Shop</h1>")
    );
}

#[tokio::test]
async fn a_member_leaves_a_store_and_keeps_the_others() {
    let app = spawn_app().await;
    app.setup_owner().await;
    let bob = bob_in_both_stores(&app).await;

    let res = bob.post_form("/admin/team/leave", &[]).await;

    assert_eq!(res.status().as_u16(), 303);
    let page = bob.get_html("/admin").await;
    assert!(page.contains("You left Acme Shop."));
    assert!(page.contains("<h1>Other Shop</h1>"));
    let members = tributary::services::team::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    let audit = tributary::services::audit::list(&app.db, app.store_id("acme").await, None, 100)
        .await
        .unwrap()
        .entries;
    assert!(audit.iter().any(|e| e.action == "member.left"));
    // Signing in again lands in a store Bob still belongs to.
    let again = app.new_browser();
    again.login("bob@example.com", OWNER_PASSWORD).await;
    assert!(
        again
            .get_html("/admin")
            .await
            .contains("<h1>Other Shop</h1>")
    );
}

#[tokio::test]
async fn the_last_owner_cannot_leave_and_is_told_so_on_the_page() {
    let app = spawn_app().await;
    app.setup_owner().await;

    let res = app.browser.post_form("/admin/team/leave", &[]).await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/admin/team");
    let page = app.browser.get_html("/admin/team").await;
    assert!(page.contains(
        "You are the last owner of Acme Shop: make someone else an owner first, then leave."
    ));
    assert_eq!(app.count("memberships").await, 1);
}
