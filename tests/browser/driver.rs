//! Starts chromedriver on a free port with a fresh Chromium profile, and
//! always ends the browser session, even when the test fails.

use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub const WAIT: Duration = Duration::from_secs(10);

struct ChromeDriver {
    child: Child,
    _profile: tempfile::TempDir,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `journey` with a fresh browser; the browser is closed afterwards
/// whatever happens, then a failure is re-raised.
pub async fn with_browser<F, Fut>(journey: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let port = free_port();
    let profile = tempfile::tempdir().unwrap();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {chromedriver}: {e} (install Debian's chromium-driver)")
        });
    let driver = ChromeDriver {
        child,
        _profile: profile,
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < WAIT, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }
    });
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session starts");

    let outcome = AssertUnwindSafe(journey(client.clone()))
        .catch_unwind()
        .await;
    let _ = client.close().await;
    drop(driver);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Waits until the element's text contains `needle`.
pub async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && text.contains(needle)
        {
            return text;
        }
        if started.elapsed() > WAIT {
            let source = client.source().await.unwrap_or_default();
            panic!("{css} never contained {needle:?}; page was:\n{source}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn fill(client: &Client, css: &str, value: &str) {
    let element = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    element.clear().await.unwrap();
    element.send_keys(value).await.unwrap();
}

pub async fn click(client: &Client, css: &str) {
    // A lookup that a page load interrupts is answered "aborted by
    // navigation": look again on the new page, a few times at most.
    for attempt in 1..=3 {
        match client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => {
                element.click().await.unwrap();
                return;
            }
            Err(e) if attempt < 3 && e.to_string().contains("aborted by navigation") => continue,
            Err(e) => panic!("no {css}: {e}"),
        }
    }
}

pub async fn path_of(client: &Client) -> String {
    let url = client.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}
