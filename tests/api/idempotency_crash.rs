//! `Idempotency-Key` across a crash: the real binary dies (abort, as a
//! `kill -9` or a power cut would) after a keyed request committed its
//! effect and before its response was stored; the retry on the restarted
//! server is answered as the first request would have been (same status,
//! same body) and applies nothing twice. A campaign and a sale (read back),
//! a batch of payouts (finished under its key), an adjustment (the one its
//! key made), a recorded payout, an SSO URL (stored with its effect).
//! SQLite and PostgreSQL.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fresh_database;

fn tributary(data: &std::path::Path, database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tributary"));
    cmd.env("TRIBUTARY_DATA_DIR", data)
        .env("DATABASE_URL", database_url)
        .env_remove("TRIBUTARY_SECRET_KEY")
        .env_remove("TRIBUTARY_BIND")
        .env_remove("TRIBUTARY_PUBLIC_URL")
        .env_remove("TRIBUTARY_TEST_CRASH_BEFORE_IDEMPOTENT_RESPONSE")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A store with an owner and an API key, made through the CLI.
struct Shop {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    url: String,
    key: String,
    client: reqwest::Client,
}

struct Server {
    child: Child,
    base: String,
}

/// What a retry was answered: status, `Idempotent-Replayed`, body.
type Answer = (u16, bool, Value);

impl Shop {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (url, _) = fresh_database(&dir).await;
        let mut admin = tributary(&data, &url)
            .args([
                "create-admin",
                "--email",
                "crash@example.com",
                "--store",
                "Crash Shop",
            ])
            .args(["--slug", "crash-shop"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        admin
            .stdin
            .take()
            .unwrap()
            .write_all(b"a long crash passphrase\n")
            .unwrap();
        assert!(admin.wait().unwrap().success());
        let out = tributary(&data, &url)
            .args([
                "api-key",
                "create",
                "--store",
                "crash-shop",
                "--name",
                "backend",
            ])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Self {
            _dir: dir,
            data,
            url,
            key,
            client: reqwest::Client::new(),
        }
    }

    /// A server; with `doomed`, it dies after the first keyed effect.
    async fn serve(&self, doomed: bool) -> Server {
        let port = free_port();
        let mut cmd = tributary(&self.data, &self.url);
        cmd.env("TRIBUTARY_BIND", format!("127.0.0.1:{port}"));
        if doomed {
            cmd.env("TRIBUTARY_TEST_CRASH_BEFORE_IDEMPOTENT_RESPONSE", "1");
        }
        let server = Server {
            child: cmd.spawn().expect("the binary starts"),
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        loop {
            match self.get(&server, "/api/v1/me").await {
                (200, _) => return server,
                _ if started.elapsed() < Duration::from_secs(30) => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                _ => panic!("the server never answered"),
            }
        }
    }

    async fn get(&self, server: &Server, path: &str) -> (u16, Value) {
        match self
            .client
            .get(format!("{}{path}", server.base))
            .bearer_auth(&self.key)
            .send()
            .await
        {
            Ok(res) => (res.status().as_u16(), res.json().await.unwrap_or_default()),
            Err(_) => (0, Value::Null),
        }
    }

    /// An unkeyed POST that must succeed (test data).
    async fn made(&self, server: &Server, path: &str, body: Value) -> Value {
        let res = self
            .client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        assert!(status == 200 || status == 201, "{path}: {status} {body}");
        body
    }

    async fn keyed(&self, server: &Server, path: &str, key: &str, body: &Value) -> Answer {
        let res = self
            .client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&self.key)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        let replayed = res.headers().get("idempotent-replayed").is_some();
        let status = res.status().as_u16();
        (status, replayed, res.json().await.unwrap())
    }

    /// The keyed POST reaches `doomed`, which commits it and dies
    /// unanswered; the client retries twice on a restarted server, which
    /// is returned with the retries' answers.
    async fn crash_then_retry(
        &self,
        mut doomed: Server,
        path: &str,
        key: &str,
        body: Value,
    ) -> (Server, Vec<Answer>) {
        let first = self
            .client
            .post(format!("{}{path}", doomed.base))
            .bearer_auth(&self.key)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await;
        assert!(first.is_err(), "the client saw no answer: {first:?}");
        let died = doomed.child.wait().unwrap();
        assert!(!died.success(), "the server died");
        let server = self.serve(false).await;
        let mut answers = Vec::new();
        for _ in 0..2 {
            answers.push(self.keyed(&server, path, key, &body).await);
        }
        (server, answers)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A campaign, and an approved affiliate per email with that opening
/// balance (a due adjustment, so payable at once) and a payout email.
async fn affiliates(shop: &Shop, server: &Server, emails: &[&str], balance: &str) -> Vec<String> {
    shop.made(
        server,
        "/api/v1/campaigns",
        json!({"name": "Crash campaign", "website_url": "https://crash.example.com"}),
    )
    .await;
    let mut ids = Vec::new();
    for email in emails {
        let a = shop
            .made(
                server,
                "/api/v1/affiliates",
                json!({"email": email, "first_name": "Ann", "status": "approved",
                       "payout_email": email, "balance": balance}),
            )
            .await;
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    ids
}

fn assert_replayed(answers: &[Answer], status: u16) {
    for (got, replayed, body) in answers {
        assert_eq!(*got, status, "{body}");
        assert!(replayed, "answered as a replay: {body}");
    }
    assert_eq!(answers[0].2, answers[1].2, "both retries got the same body");
}

#[tokio::test]
async fn a_keyed_create_whose_server_died_before_answering_is_answered_from_its_effect() {
    // Arrange: a store, an API key, a server that dies at the worst moment.
    let shop = Shop::new().await;
    let doomed = shop.serve(true).await;
    let body = json!({"name": "Crash campaign", "website_url": "https://crash.example.com"});

    // Act: the keyed create commits, the process dies unanswered, the
    // client retries on the restarted server, twice.
    let (server, answers) = shop
        .crash_then_retry(doomed, "/api/v1/campaigns", "crash-1", body)
        .await;
    let (_, list) = shop.get(&server, "/api/v1/campaigns?limit=100").await;

    // Assert: one campaign, and both retries answered with it as a create.
    let named: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "Crash campaign")
        .collect();
    assert_eq!(
        named.len(),
        1,
        "one campaign after the crash and retries: {list}"
    );
    assert_replayed(&answers, 201);
    assert_eq!(answers[0].2["id"], named[0]["id"]);
    assert_eq!(answers[0].2["name"], "Crash campaign");
}

#[tokio::test]
async fn a_keyed_sale_whose_server_died_before_answering_is_answered_as_created() {
    let shop = Shop::new().await;
    let doomed = shop.serve(true).await;
    let body = json!({"external_id": "pi_crash", "amount": "40.00"});

    let (server, answers) = shop
        .crash_then_retry(doomed, "/api/v1/sales", "crash-sale", body)
        .await;
    let (_, list) = shop.get(&server, "/api/v1/sales?limit=100").await;

    let sales = list["data"].as_array().unwrap();
    assert_eq!(sales.len(), 1, "{list}");
    assert_replayed(&answers, 201);
    assert_eq!(answers[0].2["id"], sales[0]["id"]);
    assert_eq!(answers[0].2["amount"], "40.00");
}

#[tokio::test]
async fn a_keyed_batch_of_payouts_whose_server_died_before_answering_lists_the_same_payouts() {
    // Arrange: two affiliates due 120.00 each.
    let shop = Shop::new().await;
    let doomed = shop.serve(true).await;
    let ids = affiliates(
        &shop,
        &doomed,
        &["ann@example.com", "bob@example.com"],
        "120.00",
    )
    .await;

    // Act
    let (server, answers) = shop
        .crash_then_retry(
            doomed,
            "/api/v1/payouts",
            "crash-batch",
            json!({"affiliate_ids": ids}),
        )
        .await;
    let (_, list) = shop.get(&server, "/api/v1/payouts?limit=100").await;

    // Assert: one payout per affiliate, and the retries list exactly those.
    let made = list["data"].as_array().unwrap();
    assert_eq!(made.len(), 2, "one payout per affiliate: {list}");
    let mut paid: Vec<&str> = made
        .iter()
        .map(|p| p["affiliate_id"].as_str().unwrap())
        .collect();
    paid.sort();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(paid, expected);
    assert_replayed(&answers, 201);
    let mut answered: Vec<&str> = answers[0].2["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let mut stored: Vec<&str> = made.iter().map(|p| p["id"].as_str().unwrap()).collect();
    answered.sort();
    stored.sort();
    assert_eq!(answered, stored, "{}", answers[0].2);
    assert_eq!(answers[0].2["data"][0]["amount"], "120.00");
    assert_eq!(answers[0].2["skipped"], json!([]));
}

#[tokio::test]
async fn a_keyed_adjustment_whose_server_died_before_answering_is_made_once() {
    let shop = Shop::new().await;
    let doomed = shop.serve(true).await;
    let ids = affiliates(&shop, &doomed, &["ann@example.com"], "0").await;
    let path = format!("/api/v1/affiliates/{}/adjustments", ids[0]);

    let (server, answers) = shop
        .crash_then_retry(
            doomed,
            &path,
            "crash-adjust",
            json!({"amount": "7.50", "reason": "Late bonus"}),
        )
        .await;
    let (_, commissions) = shop
        .get(
            &server,
            &format!("/api/v1/commissions?affiliate_id={}", ids[0]),
        )
        .await;
    let (_, balance) = shop
        .get(&server, &format!("/api/v1/affiliates/{}/balance", ids[0]))
        .await;

    // Assert: one adjustment (one ledger entry: the balance moved once),
    // and the retries answered with it, in the adjustment's own shape.
    let made = commissions["data"].as_array().unwrap();
    assert_eq!(made.len(), 1, "one adjustment: {commissions}");
    assert_eq!(balance["available"], "7.50", "{balance}");
    assert_replayed(&answers, 201);
    let answer = &answers[0].2;
    assert_eq!(answer["commission_id"], made[0]["id"], "{answer}");
    assert_eq!(answer["amount"], "7.50");
    assert_eq!(answer["reason"], "Late bonus");
    assert_eq!(answer["balance"]["available"], "7.50");
}

#[tokio::test]
async fn a_keyed_recorded_payout_whose_server_died_before_answering_is_answered_as_it_was() {
    // Arrange: 120.00 due as one commission; 50.00 recorded splits it.
    let shop = Shop::new().await;
    let doomed = shop.serve(true).await;
    let ids = affiliates(&shop, &doomed, &["ann@example.com"], "120.00").await;
    let path = format!("/api/v1/affiliates/{}/payouts", ids[0]);

    let (server, answers) = shop
        .crash_then_retry(doomed, &path, "crash-record", json!({"amount": "50.00"}))
        .await;
    let (_, list) = shop.get(&server, "/api/v1/payouts?limit=100").await;
    let (_, commissions) = shop
        .get(
            &server,
            &format!("/api/v1/commissions?affiliate_id={}", ids[0]),
        )
        .await;

    // Assert: one payout, one split (two parts), and the retries answer
    // both as the first answer would have.
    let made = list["data"].as_array().unwrap();
    assert_eq!(made.len(), 1, "one payout: {list}");
    assert_eq!(
        commissions["data"].as_array().unwrap().len(),
        2,
        "the commission split once: {commissions}"
    );
    assert_replayed(&answers, 201);
    let answer = &answers[0].2;
    assert_eq!(answer["id"], made[0]["id"], "{answer}");
    assert_eq!(answer["amount"], "50.00");
    assert_eq!(answer["affiliate_id"], ids[0].as_str());
    assert_eq!(answer["split"]["settled"], "50.00", "{answer}");
    assert_eq!(answer["split"]["remainder"], "70.00");
}

#[tokio::test]
async fn a_keyed_sso_link_whose_server_died_before_answering_is_the_url_it_stored() {
    let shop = Shop::new().await;
    let doomed = shop.serve(true).await;
    let ids = affiliates(&shop, &doomed, &["ann@example.com"], "0").await;
    let path = format!("/api/v1/affiliates/{}/sso", ids[0]);

    let (_server, answers) = shop
        .crash_then_retry(doomed, &path, "crash-sso", json!({}))
        .await;

    assert_replayed(&answers, 201);
    let url = answers[0].2["url"].as_str().unwrap();
    assert!(url.contains("/a/crash-shop/login/"), "{url}");
}
