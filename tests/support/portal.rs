//! The affiliate portal from the outside: joining, logging in, and
//! affiliates with a password, made through the public surfaces.

use reqwest::Response;

use super::client::{Browser, element_text, location};
use super::spawn::TestApp;

pub const AFFILIATE_PASSWORD: &str = "affiliate secret passphrase";

/// The join form's fields for `email`, with a valid password.
pub fn join_fields(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", "Pat".to_owned()),
        ("last_name", "Jones".to_owned()),
        ("email", email.to_owned()),
        ("password", AFFILIATE_PASSWORD.to_owned()),
        ("payout_email", String::new()),
    ]
}

impl Browser {
    /// Posts the join form of `path` (e.g. `/a/acme/join`) with the token.
    pub async fn join(&self, path: &str, fields: &[(&str, String)]) -> Response {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_form(path, &fields).await
    }

    /// Logs in to `slug`'s portal by password.
    pub async fn portal_login(&self, slug: &str, email: &str, password: &str) -> Response {
        self.post_form(
            &format!("/a/{slug}/login"),
            &[("email", email), ("password", password)],
        )
        .await
    }
}

impl TestApp {
    /// Whether joining the campaign needs approval.
    pub async fn set_approval(&self, key: &str, campaign_id: &str, required: bool) {
        let (status, body) = self
            .api(
                reqwest::Method::PATCH,
                &format!("/api/v1/campaigns/{campaign_id}"),
                key,
                Some(serde_json::json!({"approval_required": required})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// `program()` whose default campaign approves joiners at once
    /// (`approval` false) or needs approval.
    pub async fn portal_program(&self, approval: bool) -> super::builders::Program {
        let p = self.program().await;
        self.set_approval(&p.key, &p.campaign_id, approval).await;
        p
    }

    /// An invite link for the affiliate, made on their admin page by the
    /// app's (staff) browser.
    pub async fn invite_link(&self, affiliate_id: &str) -> String {
        let res = self
            .browser
            .post_form(
                &format!("/admin/affiliates/{affiliate_id}/invite_link"),
                &[],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        element_text(&res.text().await.unwrap(), "invite-link").expect("the link is shown")
    }

    /// An approved affiliate (API) who set `AFFILIATE_PASSWORD` with an
    /// invite link; returns the affiliate's JSON and their signed-in browser.
    pub async fn portal_affiliate(
        &self,
        key: &str,
        email: &str,
        token: &str,
    ) -> (serde_json::Value, Browser) {
        let affiliate = self.approved_affiliate(key, email, token).await;
        let link = self.invite_link(affiliate["id"].as_str().unwrap()).await;
        let path = link.strip_prefix(&self.address).unwrap().to_owned();
        let browser = self.new_browser();
        let res = browser
            .post_form(
                &path,
                &[
                    ("password", AFFILIATE_PASSWORD),
                    ("confirm_password", AFFILIATE_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        assert!(location(&res).ends_with('/'), "{}", location(&res));
        (affiliate, browser)
    }
}
