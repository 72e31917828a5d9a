//! The HTTP side: a cookie-keeping "browser", JSON API calls with a key,
//! and small readers of answers (headers, query strings, pages, errors).

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response, redirect::Policy};

use super::spawn::TestApp;

pub const CHROME_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

/// A cookie-keeping HTTP client: one "browser" with its own session.
#[derive(Clone)]
pub struct Browser {
    pub address: String,
    pub client: Client,
    pub jar: Arc<Jar>,
}

impl Browser {
    pub fn new(address: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("client builds");
        Self {
            address: address.to_owned(),
            client,
            jar,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_html(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
        res.text().await.unwrap()
    }

    /// The value of one of this browser's cookies.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(&self.address).unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    /// The CSRF token a page would embed (the double-submit cookie's value),
    /// fetching a page first when this browser has none yet.
    pub async fn csrf(&self) -> String {
        if let Some(token) = self.cookie("tributary_csrf") {
            return token;
        }
        self.get("/login").await;
        self.cookie("tributary_csrf")
            .expect("the CSRF cookie is set by any page")
    }

    /// POSTs a form with the CSRF token, as the page's form would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form_raw(path, &all).await
    }

    /// POSTs a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Follows a referral link as a person's browser would (one hop).
    pub async fn click(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("user-agent", CHROME_UA)
            .send()
            .await
            .expect("request sent")
    }
}

/// JSON API calls with a key.
impl TestApp {
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    pub async fn api_get(&self, path: &str, key: &str) -> Response {
        self.browser
            .client
            .get(self.browser.url(path))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .browser
            .client
            .request(method, self.browser.url(path))
            .bearer_auth(key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    pub async fn api_post(
        &self,
        path: &str,
        key: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.api(reqwest::Method::POST, path, key, Some(body)).await
    }

    pub async fn api_json(&self, path: &str, key: &str) -> (u16, serde_json::Value) {
        self.api(reqwest::Method::GET, path, key, None).await
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The text of the first element carrying `id="..."` (a crude but
/// dependency-free look into a page).
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker)?;
    let open_end = start + html[start..].find('>')? + 1;
    let close = open_end + html[open_end..].find('<')?;
    Some(html[open_end..close].trim().to_owned())
}

/// The `details` of a 422 as (field, message) pairs.
pub fn field_errors(body: &serde_json::Value) -> Vec<(String, String)> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["message"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn has_field_error(body: &serde_json::Value, field: &str) -> bool {
    field_errors(body).iter().any(|(f, _)| f == field)
}
