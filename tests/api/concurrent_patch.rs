//! Two PATCHes of different fields of one record, sent at the same time:
//! each is merged onto the row as the write transaction reads it, so both
//! changes survive (read outside the transaction, one overwrote the other).

use reqwest::Method;
use serde_json::json;

use crate::support::spawn_app;

const ROUNDS: usize = 50;

#[tokio::test]
async fn concurrent_patches_of_different_affiliate_fields_both_survive() {
    // Arrange
    let app = spawn_app().await;
    let p = app.program().await;
    let affiliate = app
        .new_affiliate(&p.key, "ann@example.com", json!({}))
        .await;
    let path = format!("/api/v1/affiliates/{}", affiliate["id"].as_str().unwrap());

    for round in 0..ROUNDS {
        // Act
        let first = format!("First{round}");
        let last = format!("Last{round}");
        let (a, b) = tokio::join!(
            app.api(
                Method::PATCH,
                &path,
                &p.key,
                Some(json!({"first_name": first}))
            ),
            app.api(
                Method::PATCH,
                &path,
                &p.key,
                Some(json!({"last_name": last}))
            ),
        );

        // Assert
        assert_eq!(a.0, 200, "{}", a.1);
        assert_eq!(b.0, 200, "{}", b.1);
        let (status, now) = app.api_json(&path, &p.key).await;
        assert_eq!(status, 200, "{now}");
        assert_eq!(
            (now["first_name"].as_str(), now["last_name"].as_str()),
            (Some(first.as_str()), Some(last.as_str())),
            "round {round}: both changes survive"
        );
    }
}

#[tokio::test]
async fn concurrent_patches_of_different_campaign_fields_both_survive() {
    // Arrange
    let app = spawn_app().await;
    let p = app.program().await;
    let path = format!("/api/v1/campaigns/{}", p.campaign_id);

    for round in 0..ROUNDS {
        // Act
        let name = format!("Partners {round}");
        let hold_days = (round % 60) as i64 + 1;
        let (a, b) = tokio::join!(
            app.api(Method::PATCH, &path, &p.key, Some(json!({"name": name}))),
            app.api(
                Method::PATCH,
                &path,
                &p.key,
                Some(json!({"hold_days": hold_days}))
            ),
        );

        // Assert
        assert_eq!(a.0, 200, "{}", a.1);
        assert_eq!(b.0, 200, "{}", b.1);
        let (status, now) = app.api_json(&path, &p.key).await;
        assert_eq!(status, 200, "{now}");
        assert_eq!(
            (now["name"].as_str(), now["hold_days"].as_i64()),
            (Some(name.as_str()), Some(hold_days)),
            "round {round}: both changes survive"
        );
    }
}
