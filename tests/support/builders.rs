//! Test data, made through the same surfaces a person would use: first-run
//! setup, the CLI's key creation, the JSON API.

use reqwest::Response;
use tributary::services::api_keys;

use super::client::{location, query_param};
use super::spawn::TestApp;

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "correct horse battery staple";

pub struct Program {
    pub key: String,
    pub campaign_id: String,
}

impl TestApp {
    /// Runs first-run setup as the owner; the app's browser is signed in.
    pub async fn setup_owner(&self) -> Response {
        let res = self
            .browser
            .post_form(
                "/setup",
                &[
                    ("email", OWNER_EMAIL),
                    ("password", OWNER_PASSWORD),
                    ("store_name", "Acme Shop"),
                    ("currency", "USD"),
                    ("slug", "acme"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "setup succeeds");
        res
    }

    /// A new API key of the store, as the CLI would create it.
    pub async fn api_key(&self, slug: &str) -> String {
        api_keys::create_from_cli(&self.db, slug, "test key")
            .await
            .unwrap()
            .secret
    }

    /// A second store with its own owner, for cross-store tests.
    pub async fn other_store(&self, slug: &str, owner: &str) -> tributary::domain::StoreId {
        tributary::services::setup::create_admin_from_cli(
            &self.db,
            owner,
            OWNER_PASSWORD,
            "Other Shop",
            Some(slug),
            "EUR",
        )
        .await
        .unwrap();
        self.store_id(slug).await
    }

    /// A store with an owner signed in (the app's browser), a key, and a campaign.
    pub async fn program(&self) -> Program {
        self.setup_owner().await;
        let key = self.api_key("acme").await;
        let (status, campaign) = self
            .api_post(
                "/api/v1/campaigns",
                &key,
                serde_json::json!({"name": "Partners", "website_url": "https://shop.example.com"}),
            )
            .await;
        assert_eq!(status, 201, "{campaign}");
        Program {
            key,
            campaign_id: campaign["id"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn new_affiliate(
        &self,
        key: &str,
        email: &str,
        extra: serde_json::Value,
    ) -> serde_json::Value {
        let mut body =
            serde_json::json!({"email": email, "first_name": "Ann", "last_name": "Smith"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, json) = self.api_post("/api/v1/affiliates", key, body).await;
        assert_eq!(status, 201, "{json}");
        json
    }

    /// An approved affiliate with a link token; returns the affiliate's json.
    pub async fn approved_affiliate(
        &self,
        key: &str,
        email: &str,
        token: &str,
    ) -> serde_json::Value {
        self.new_affiliate(
            key,
            email,
            serde_json::json!({"status": "approved", "link_token": token}),
        )
        .await
    }

    /// An approved affiliate (link `token`) who also owns coupon `code`.
    pub async fn affiliate_with_coupon(
        &self,
        key: &str,
        email: &str,
        token: &str,
        code: &str,
    ) -> serde_json::Value {
        let affiliate = self.approved_affiliate(key, email, token).await;
        let (status, coupon) = self
            .api_post(
                "/api/v1/coupons",
                key,
                serde_json::json!({"affiliate_id": affiliate["id"], "code": code}),
            )
            .await;
        assert_eq!(status, 201, "{coupon}");
        affiliate
    }

    /// A new visitor clicks `/r/{token}`: the referral id the redirect carries.
    pub async fn referred(&self, token: &str) -> String {
        query_param(
            &location(&self.new_browser().click(&format!("/r/{token}")).await),
            "tb_ref",
        )
        .unwrap()
    }
}
