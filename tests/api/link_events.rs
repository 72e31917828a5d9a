//! `link.created` in the outbox: every link made by `services::links::create`
//! (the API, the admin's affiliate page, the affiliate's own in the portal)
//! writes one, carrying what the API answers for the link; a refused create
//! writes none.

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tributary::entities::event;

use crate::support::*;

/// The `link.created` events, oldest first: (store id, payload).
async fn link_events(app: &TestApp) -> Vec<(uuid::Uuid, Value)> {
    event::Entity::find()
        .filter(event::Column::EventType.eq("link.created"))
        .order_by_asc(event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.store_id, serde_json::from_str(&e.payload).unwrap()))
        .collect()
}

#[tokio::test]
async fn a_link_made_through_the_api_announces_itself_as_the_api_answered() {
    // Arrange
    let app = spawn_app().await;
    let p = app.program().await;
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let before = link_events(&app).await.len();

    // Act
    let (status, made) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": ann["id"], "token": "ann-blog", "url": "https://shop.example.com/blog"}),
        )
        .await;
    let (refused, body) = app
        .api_post(
            "/api/v1/links",
            &p.key,
            json!({"affiliate_id": ann["id"], "token": "ann-blog"}),
        )
        .await;

    // Assert: one event, in the store, with the API's body; none refused.
    assert_eq!(status, 201, "{made}");
    assert_eq!(refused, 422, "{body}");
    let events = link_events(&app).await;
    assert_eq!(events.len(), before + 1, "{events:?}");
    let (store, payload) = events.last().unwrap();
    assert_eq!(*store, app.store_id("acme").await.0);
    assert_eq!(*payload, made);
    assert_eq!(payload["share_url"], format!("{}/r/ann-blog", app.address));
}

#[tokio::test]
async fn links_made_on_the_admin_page_and_in_the_portal_are_announced_too() {
    // Arrange: Pat, signed in to the portal, may make links.
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (pat, portal) = app.portal_affiliate(&p.key, "pat@example.com", "pat").await;
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            Some(json!({"affiliates_can_create_links": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id = pat["id"].as_str().unwrap();
    let before = link_events(&app).await.len();

    // Act
    let by_staff = app
        .browser
        .post_form(
            &format!("/admin/affiliates/{id}/links"),
            &[("token", "pat-staff"), ("url", "")],
        )
        .await;
    let by_pat = portal
        .post_form("/a/acme/links", &[("token", "pat-own")])
        .await;

    // Assert
    assert_eq!(by_staff.status().as_u16(), 303);
    assert_eq!(by_pat.status().as_u16(), 303);
    let events = link_events(&app).await[before..].to_vec();
    let tokens: Vec<&str> = events
        .iter()
        .map(|(_, e)| e["token"].as_str().unwrap())
        .collect();
    assert_eq!(tokens, ["pat-staff", "pat-own"]);
    for (_, e) in &events {
        assert_eq!(e["affiliate_id"], pat["id"]);
        let (status, read) = app
            .api_json(
                &format!("/api/v1/links/{}", e["id"].as_str().unwrap()),
                &p.key,
            )
            .await;
        assert_eq!(status, 200, "{read}");
        for field in ["id", "token", "url", "share_url", "visitors", "leads"] {
            assert_eq!(e[field], read[field], "{field}");
        }
    }
}
