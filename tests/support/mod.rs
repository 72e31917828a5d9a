//! Test support shared by the API and browser suites: `spawn_app()` starts
//! the real server (the same `Application::build` as `main`) on port 0 with
//! its own fresh database — a temp SQLite file, or a new PostgreSQL database
//! when `TEST_DATABASE_URL` points at a server — and a cookie-keeping client.

#![allow(dead_code)]

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response, redirect::Policy};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;
use tributary::services::api_keys;
use tributary::{Application, Config};

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: DatabaseConnection,
    /// The SQLite file, when the test runs on SQLite.
    pub sqlite_file: Option<std::path::PathBuf>,
    pub browser: Browser,
    _dir: TempDir,
}

/// A cookie-keeping HTTP client: one "browser" with its own session.
#[derive(Clone)]
pub struct Browser {
    pub address: String,
    pub client: Client,
    pub jar: Arc<Jar>,
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

async fn fresh_database(dir: &TempDir) -> (String, Option<std::path::PathBuf>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("tb_test_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(base.as_str())
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create a test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&base).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&format!("/{name}"));
            (url.to_string(), None)
        }
        _ => {
            let file = dir.path().join("test.db");
            (format!("sqlite://{}?mode=rwc", file.display()), Some(file))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after letting the test adjust its configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    tributary::telemetry::init();
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, sqlite_file) = fresh_database(&dir).await;
    let mut config = Config::for_tests(database_url, dir.path());
    adjust(&mut config);
    let app = Application::build(config).await.expect("the app builds");
    let port = app.port();
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let address = format!("http://127.0.0.1:{port}");
    TestApp {
        browser: Browser::new(&address),
        address,
        port,
        db,
        sqlite_file,
        _dir: dir,
    }
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
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

impl TestApp {
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.address)
    }

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

    pub async fn store_id(&self, slug: &str) -> tributary::domain::StoreId {
        let store = tributary::services::stores::find_by_slug(&self.db, slug)
            .await
            .unwrap()
            .expect("store exists");
        tributary::domain::StoreId(store.id)
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

    pub async fn api_get(&self, path: &str, key: &str) -> Response {
        self.browser
            .client
            .get(self.browser.url(path))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
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

/// JSON API calls with a key.
impl TestApp {
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
}

pub struct Program {
    pub key: String,
    pub campaign_id: String,
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

pub const CHROME_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

impl Browser {
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

impl TestApp {
    /// Waits until `table` holds `n` rows (clicks are written in batches).
    pub async fn wait_for_rows(&self, table: &str, n: i64) {
        let started = std::time::Instant::now();
        loop {
            let count = self.count(table).await;
            if count == n {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "{table} has {count} rows, expected {n}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// An approved affiliate with a link token; returns (affiliate json, token).
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

    pub async fn sql(&self, sql: &str) {
        use sea_orm::{ConnectionTrait, Statement};
        self.db
            .execute_raw(Statement::from_string(
                self.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap();
    }

    /// A uuid literal for raw SQL on either backend.
    pub fn uuid_sql(&self, id: &str) -> String {
        if is_postgres() {
            format!("'{id}'")
        } else {
            format!("x'{}'", id.replace('-', ""))
        }
    }
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl TestApp {
    /// DESIGN §3's invariants hold: balances equal their ledgers, no sale is
    /// credited twice (the `tributary check` command's rules).
    pub async fn assert_books_balance(&self) {
        let violations = tributary::services::check::run(&self.db).await.unwrap();
        assert!(violations.is_empty(), "{violations:?}");
    }
}
