//! `Idempotency-Key` across a crash: the real binary dies (abort, as a
//! `kill -9` or a power cut would) after a keyed create committed and before
//! its response was stored; the retry on the restarted server is answered
//! from that effect and makes no second record. SQLite and PostgreSQL.

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
        .env_remove("TRIBUTARY_TEST_CRASH_BEFORE_IDEMPOTENT_RESPONSE")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn serve(data: &std::path::Path, url: &str, port: u16, crash: bool) -> Child {
    let mut cmd = tributary(data, url);
    cmd.env("TRIBUTARY_BIND", format!("127.0.0.1:{port}"));
    if crash {
        cmd.env("TRIBUTARY_TEST_CRASH_BEFORE_IDEMPOTENT_RESPONSE", "1");
    }
    cmd.spawn().expect("the binary starts")
}

async fn wait_until_up(client: &reqwest::Client, base: &str, key: &str) {
    let started = Instant::now();
    loop {
        match client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(key)
            .send()
            .await
        {
            Ok(res) if res.status().is_success() => return,
            _ if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            _ => panic!("the server never answered"),
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_keyed_create_whose_server_died_before_answering_is_answered_from_its_effect() {
    // Arrange: a store, an API key, a server that dies at the worst moment.
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
    let client = reqwest::Client::new();
    let body = json!({"name": "Crash campaign", "website_url": "https://crash.example.com"});

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut doomed = serve(&data, &url, port, true);
    wait_until_up(&client, &base, &key).await;

    // Act 1: the keyed create commits, then the process dies unanswered.
    let first = client
        .post(format!("{base}/api/v1/campaigns"))
        .bearer_auth(&key)
        .header("Idempotency-Key", "crash-1")
        .json(&body)
        .send()
        .await;
    assert!(first.is_err(), "the client saw no answer: {first:?}");
    let died = doomed.wait().unwrap();
    assert!(!died.success(), "the server died");

    // Act 2: the client retries on the restarted server, twice.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&data, &url, port, false);
    wait_until_up(&client, &base, &key).await;
    let mut answers = Vec::new();
    for _ in 0..2 {
        let res = client
            .post(format!("{base}/api/v1/campaigns"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "crash-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        let replayed = res.headers().get("idempotent-replayed").is_some();
        let status = res.status().as_u16();
        answers.push((status, replayed, res.json::<Value>().await.unwrap()));
    }
    let list: Value = client
        .get(format!("{base}/api/v1/campaigns?limit=100"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    server.kill().ok();
    server.wait().ok();

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
    for (status, replayed, answer) in &answers {
        assert_eq!(*status, 201, "{answer}");
        assert!(replayed, "answered from the stored effect");
        assert_eq!(answer["id"], named[0]["id"]);
        assert_eq!(answer["name"], "Crash campaign");
    }
}
