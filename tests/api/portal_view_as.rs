//! Staff viewing the portal as an affiliate: building a deep link is a
//! read and works; making a link is the affiliate's own and is refused with
//! a message that says so. Neither writes anything.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_viewer_builds_the_affiliates_deep_links_but_makes_no_link() {
    // Arrange: Ann (link `ann`) may make her own links; staff view as her.
    let app = spawn_app().await;
    let p = app.portal_program(false).await;
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/campaigns/{}", p.campaign_id),
            &p.key,
            Some(json!({"affiliates_can_create_links": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ann = app
        .approved_affiliate(&p.key, "ann@example.com", "ann")
        .await;
    let id = ann["id"].as_str().unwrap();
    let (_, links) = app
        .api_json(&format!("/api/v1/links?affiliate_id={id}"), &p.key)
        .await;
    let link_id = links["data"][0]["id"].as_str().unwrap().to_owned();
    let staff = &app.browser;
    let res = staff
        .post_form(&format!("/admin/affiliates/{id}/view_as"), &[])
        .await;
    assert_eq!(location(&res), "/a/acme/");
    let home = staff.get_html("/a/acme/").await;
    assert!(
        !home.contains("id=\"deep-link-submit\" disabled"),
        "the builder is open to the viewer"
    );
    assert!(home.contains("id=\"new-link-submit\" disabled"));
    assert!(element_text(&home, "new-link-read-only").is_some());
    let before = app.snapshot().await;

    // Act: build a deep link (plain and under htmx), then try a new link.
    let built = staff
        .post_form(
            "/a/acme/deep_link",
            &[("link_id", &link_id), ("page_url", "/pricing")],
        )
        .await;
    let built_status = built.status().as_u16();
    let built = built.text().await.unwrap();
    let partial = staff
        .client
        .post(staff.url("/a/acme/deep_link"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", staff.csrf().await)
        .form(&[
            ("link_id", link_id.as_str()),
            ("page_url", "https://shop.example.com/pricing"),
        ])
        .send()
        .await
        .unwrap();
    let partial_status = partial.status().as_u16();
    let partial = partial.text().await.unwrap();
    let refused = staff
        .post_form("/a/acme/links", &[("token", "made-by-staff")])
        .await;
    let refused_status = refused.status().as_u16();
    let refused = refused.text().await.unwrap();

    // Assert: the links Ann would get; no link made, and told why.
    assert_eq!(built_status, 200, "{built}");
    assert_eq!(
        element_text(&built, "deep-link").as_deref(),
        Some(format!("{}/r/ann?to=%2Fpricing", app.address).as_str())
    );
    assert!(built.contains("view-as-banner"), "still viewing as Ann");
    assert_eq!(partial_status, 200, "{partial}");
    assert_eq!(
        element_text(&partial, "deep-link").as_deref(),
        Some(
            format!(
                "{}/r/ann?to=https%3A%2F%2Fshop.example.com%2Fpricing",
                app.address
            )
            .as_str()
        )
    );
    assert_eq!(refused_status, 403);
    assert!(refused.contains("no link was made"), "{refused}");
    assert!(refused.contains("their page in the admin"), "{refused}");
    assert!(app.snapshot().await == before, "viewing wrote something");
    let (_, links) = app
        .api_json(&format!("/api/v1/links?affiliate_id={id}"), &p.key)
        .await;
    assert_eq!(links["data"].as_array().unwrap().len(), 1);
}
