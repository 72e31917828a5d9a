//! The `tributary` binary itself: create-admin and api-key create on a fresh
//! data directory, then `serve`, then the API with the printed key.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tributary(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tributary"));
    cmd.env("TRIBUTARY_DATA_DIR", data)
        .env_remove("DATABASE_URL")
        .env_remove("TRIBUTARY_SECRET_KEY")
        .env_remove("TRIBUTARY_BIND")
        .env("RUST_LOG", "warn");
    cmd
}

fn create_admin(data: &std::path::Path, email: &str, password: &str) -> std::process::Output {
    let mut child = tributary(data)
        .args([
            "create-admin",
            "--email",
            email,
            "--store",
            "CLI Shop",
            "--slug",
            "cli-shop",
            "--currency",
            "JPY",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_cli_creates_an_admin_and_a_key_that_the_served_api_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let out = create_admin(&data, "cli@example.com", "a long cli passphrase");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        data.join("tributary.db").exists(),
        "SQLite file created under the data directory"
    );
    assert!(
        data.join("secret_key").exists(),
        "secret generated on first start"
    );

    let out = tributary(&data)
        .args([
            "api-key", "create", "--store", "cli-shop", "--name", "backend",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("tb_"), "only the key on stdout: {key:?}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = tributary(&data)
        .env("TRIBUTARY_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/v1/me");
    let started = Instant::now();
    let res = loop {
        match client.get(&url).bearer_auth(&key).send().await {
            Ok(res) => break res,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("the server never answered: {e}"),
        }
    };
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.unwrap();
    let unauthorized = client
        .get(&url)
        .bearer_auth("tb_wrong")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    server.kill().ok();
    server.wait().ok();

    assert_eq!(status, 200);
    assert_eq!(body["slug"], "cli-shop");
    assert_eq!(body["currency"], "JPY");
    assert_eq!(unauthorized, 401);
}

#[tokio::test]
async fn the_cli_refuses_a_short_password_and_bad_config_with_a_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let out = create_admin(&data, "cli@example.com", "short");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("password: must be at least 12 characters")
    );

    let out = tributary(&data)
        .env("TRIBUTARY_BIND", "nowhere")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("TRIBUTARY_BIND"));

    let out = tributary(&data)
        .args(["api-key", "create", "--store", "missing", "--name", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store has the slug"));
}
