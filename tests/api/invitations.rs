//! Membership by invitation (issue 13, point 2): nobody joins a store
//! without accepting; inviting tells nothing about who has an account; the
//! last store is remembered; a member can leave.

use crate::settings::{MEMBER_PASSWORD, invite};
use crate::support::*;

const BOB: &str = "bob@example.com";

/// The owner of Acme Shop (the app's browser) and Bob, owner of Other Shop.
async fn two_stores() -> TestApp {
    let app = spawn_app().await;
    app.setup_owner().await;
    app.other_store("beta", BOB).await;
    app
}

async fn bob_signed_in(app: &TestApp) -> Browser {
    let bob = app.new_browser();
    assert_eq!(bob.login(BOB, OWNER_PASSWORD).await.status().as_u16(), 303);
    bob
}

async fn acme_members(app: &TestApp) -> Vec<String> {
    tributary::services::team::list(&app.db, app.store_id("acme").await)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.email)
        .collect()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    tributary::services::audit::list(&app.db, app.store_id("acme").await, None, 100)
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// The "invitation made" box, with the email and link taken out.
fn invitation_box(page: &str, email: &str) -> String {
    let start = page.find("id=\"invitation-created\"").expect("the box");
    let end = start + page[start..].find("</article>").unwrap();
    let link = element_text(page, "invitation-link").unwrap();
    page[start..end]
        .replace(&link, "LINK")
        .replace(email, "EMAIL")
}

#[tokio::test]
async fn inviting_answers_the_same_for_known_and_unknown_emails_and_adds_nobody() {
    let app = two_stores().await;
    let users_before = app.count("users").await;

    let known = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", BOB), ("role", "owner")],
        )
        .await;
    let unknown = app
        .browser
        .post_form(
            "/admin/team/invitations",
            &[("email", "nobody@example.com"), ("role", "owner")],
        )
        .await;

    assert_eq!(known.status().as_u16(), 200);
    assert_eq!(unknown.status().as_u16(), 200);
    let known = known.text().await.unwrap();
    let unknown = unknown.text().await.unwrap();
    assert_eq!(
        invitation_box(&known, BOB),
        invitation_box(&unknown, "nobody@example.com")
    );
    assert!(!known.contains("temp-password") && !unknown.contains("temp-password"));
    assert_eq!(acme_members(&app).await, [OWNER_EMAIL], "nobody joined");
    assert_eq!(app.count("users").await, users_before, "no account made");
    // Both are listed as pending.
    let team = app.browser.get_html("/admin/team").await;
    assert!(team.contains("id=\"pending-invitations\""));
    assert!(team.contains(BOB) && team.contains("nobody@example.com"));
    // The outbox has the seam for email, without the token.
    assert!(app.count("events").await >= 2);
    let token = element_text(&known, "invitation-link").unwrap();
    let token = token.rsplit('/').next().unwrap();
    let snapshot = format!("{:?}", app.snapshot().await.get("events"));
    assert!(snapshot.contains("team.invitation_created"));
    assert!(!snapshot.contains(token), "no token in the outbox");
    // Only the message that carries the link holds it; the invitation
    // itself keeps the hash.
    let mut snapshot = app.snapshot().await;
    let mails = snapshot.remove("emails").unwrap_or_default();
    assert!(
        !format!("{snapshot:?}").contains(token),
        "the token is stored hashed"
    );
    assert_eq!(mails.iter().filter(|m| m.contains(token)).count(), 1);
}

#[tokio::test]
async fn the_owner_of_another_store_is_a_member_only_after_accepting() {
    let app = two_stores().await;
    let link = invite(&app, BOB, "admin").await;

    // Invited, not yet accepted: Bob's account is untouched.
    let bob = bob_signed_in(&app).await;
    let dashboard = bob.get_html("/admin").await;
    assert!(!dashboard.contains("Acme Shop"), "not a member yet");
    assert_eq!(acme_members(&app).await, [OWNER_EMAIL]);

    let page = bob.get_html(&link).await;
    assert!(page.contains("id=\"accept-invitation\""));
    let res = bob.post_form(&format!("{link}/accept"), &[]).await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/admin");
    let dashboard = bob.get_html("/admin").await;
    assert!(
        dashboard.contains("<h1>Acme Shop</h1>"),
        "the store joined is current"
    );
    assert!(dashboard.contains("You joined Acme Shop as admin."));
    assert_eq!(acme_members(&app).await, [OWNER_EMAIL, BOB]);
    // Single use.
    assert_eq!(bob.get(&link).await.status().as_u16(), 404);
    let again = bob.post_form(&format!("{link}/accept"), &[]).await;
    assert_eq!(again.status().as_u16(), 404);
    let actions = audit_actions(&app).await;
    assert!(actions.contains(&"member.invited".to_owned()));
    assert!(actions.contains(&"member.invitation_accepted".to_owned()));
}

#[tokio::test]
async fn the_link_works_only_for_the_invited_email() {
    let app = two_stores().await;
    let link = invite(&app, "ann@example.com", "owner").await;
    let bob = bob_signed_in(&app).await;

    let page = bob.get_html(&link).await;
    let res = bob.post_form(&format!("{link}/accept"), &[]).await;

    assert!(page.contains("id=\"wrong-account\""));
    assert!(page.contains(
        "This invitation is for ann@example.com, but you are signed in as bob@example.com."
    ));
    assert_eq!(res.status().as_u16(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Sign out, then open the link again.")
    );
    assert_eq!(acme_members(&app).await, [OWNER_EMAIL]);
    // Nor can Bob create an account for Ann's email while the link is hers.
    let anonymous = app.new_browser();
    let res = anonymous
        .post_form(
            &format!("{link}/account"),
            &[("password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "the password rule applies");
}

#[tokio::test]
async fn a_new_person_chooses_a_password_and_joins() {
    let app = two_stores().await;
    let link = invite(&app, "ann@example.com", "admin").await;
    let ann = app.new_browser();

    let page = ann.get_html(&link).await;
    assert!(page.contains("id=\"create-account\"") && page.contains("id=\"sign-in-to-accept\""));
    let mismatch = ann
        .post_form(
            &format!("{link}/account"),
            &[
                ("password", MEMBER_PASSWORD),
                ("confirm_password", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(mismatch.status().as_u16(), 422);
    let res = ann
        .post_form(
            &format!("{link}/account"),
            &[
                ("password", MEMBER_PASSWORD),
                ("confirm_password", MEMBER_PASSWORD),
            ],
        )
        .await;

    assert_eq!(res.status().as_u16(), 303);
    assert!(ann.get_html("/admin").await.contains("<h1>Acme Shop</h1>"));
    let again = app.new_browser();
    assert_eq!(
        again
            .login("ann@example.com", MEMBER_PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
    let hash: String = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        tributary::entities::user::Entity::find()
            .filter(tributary::entities::user::Column::Email.eq("ann@example.com"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .password_hash
    };
    assert!(hash.starts_with("$argon2id$"));
    // An existing account cannot be given a new password through a link.
    let link = invite(&app, BOB, "admin").await;
    let res = app
        .new_browser()
        .post_form(
            &format!("{link}/account"),
            &[
                ("password", MEMBER_PASSWORD),
                ("confirm_password", MEMBER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("sign in with it to accept")
    );
    assert_eq!(
        bob_signed_in(&app)
            .await
            .get("/admin")
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn signing_in_from_the_link_comes_back_to_accept() {
    let app = two_stores().await;
    let link = invite(&app, BOB, "admin").await;
    let bob = app.new_browser();

    let res = bob.post_form(&format!("{link}/accept"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let to_login = location(&res);
    assert!(to_login.starts_with("/login?next="), "{to_login}");
    let res = bob
        .post_form(
            "/login",
            &[
                ("email", BOB),
                ("password", OWNER_PASSWORD),
                ("next", &link),
            ],
        )
        .await;
    assert_eq!(location(&res), link);
    let res = bob.post_form(&format!("{link}/accept"), &[]).await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(acme_members(&app).await, [OWNER_EMAIL, BOB]);
}

#[tokio::test]
async fn a_revoked_an_expired_or_a_replaced_link_does_not_work() {
    let app = two_stores().await;
    let revoked = invite(&app, BOB, "admin").await;
    let id = tributary::services::invitations::pending(&app.db, app.store_id("acme").await)
        .await
        .unwrap()[0]
        .id;
    let res = app
        .browser
        .post_form(&format!("/admin/team/invitations/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let bob = bob_signed_in(&app).await;
    let page = bob.get(&revoked).await;
    assert_eq!(page.status().as_u16(), 404);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("id=\"invitation-invalid\"")
    );
    assert_eq!(
        bob.post_form(&format!("{revoked}/accept"), &[])
            .await
            .status()
            .as_u16(),
        404
    );

    let replaced = invite(&app, BOB, "admin").await;
    let current = invite(&app, BOB, "owner").await;
    assert_eq!(bob.get(&replaced).await.status().as_u16(), 404);
    app.sql("UPDATE invitations SET expires_at = '2000-01-01T00:00:00+00:00'")
        .await;
    assert_eq!(bob.get(&current).await.status().as_u16(), 404);
    assert_eq!(acme_members(&app).await, [OWNER_EMAIL]);
    assert!(
        audit_actions(&app)
            .await
            .contains(&"member.invitation_revoked".to_owned())
    );
    // Another store's owner cannot revoke Acme's invitations.
    let fresh = invite(&app, "ann@example.com", "admin").await;
    let ann_id = tributary::services::invitations::pending(&app.db, app.store_id("acme").await)
        .await
        .unwrap()[0]
        .id;
    let res = bob
        .post_form(&format!("/admin/team/invitations/{ann_id}/revoke"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(app.new_browser().get(&fresh).await.status().as_u16(), 200);
}
