//! Configuration from flags and environment, checked once at start-up.
//!
//! A bad setting stops the program with one line that names the setting
//! (`TRIBUTARY_BIND: ...`) and a non-zero exit code. Secrets that are not
//! given are generated on first start and kept in the data directory, so a
//! single-machine install needs no configuration at all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

/// What the operator may set; `None` means "use the default".
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "TRIBUTARY_BIND", global = true)]
    pub bind: Option<String>,
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where Tributary is reached from browsers (links, cookies, CSRF origin).
    #[arg(long, env = "TRIBUTARY_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Directory for the SQLite file and generated secrets.
    #[arg(long, env = "TRIBUTARY_DATA_DIR", global = true)]
    pub data_dir: Option<String>,
    /// Master secret (base64, at least 64 bytes); generated when absent.
    #[arg(
        long,
        env = "TRIBUTARY_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// Trust X-Forwarded-For / Forwarded for client addresses (behind a proxy).
    #[arg(long, env = "TRIBUTARY_TRUST_PROXY", global = true)]
    pub trust_proxy: Option<String>,
    /// Minutes of inactivity after which a staff session ends.
    #[arg(long, env = "TRIBUTARY_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<String>,
    /// Hours after login after which a staff session ends regardless.
    #[arg(long, env = "TRIBUTARY_SESSION_MAX_HOURS", global = true)]
    pub session_max_hours: Option<String>,
    /// SMTP server for outgoing mail: `smtp://user:pass@host:25`,
    /// `smtps://user:pass@host`, `smtp://host:587?tls=required`.
    #[arg(
        long,
        env = "TRIBUTARY_SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The address outgoing mail comes from (shown with the store's name).
    #[arg(long, env = "TRIBUTARY_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
}

mod mail;
mod secret;
#[cfg(test)]
mod tests;

pub use mail::MailConfig;
use mail::parse_mail;
use secret::{decode_secret, load_or_create_secret};

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    pub public_url: Url,
    /// Whether `public_url` was set (`TRIBUTARY_PUBLIC_URL`) rather than
    /// made from the bind address: a set one names the site in every link,
    /// an unset one gives way to the origin a request came to (mail links,
    /// `web::origin`).
    pub public_url_set: bool,
    pub data_dir: PathBuf,
    /// 64 bytes: signs cookies and derives the other keys (see `derive_key`).
    pub secret_key: Vec<u8>,
    pub trust_proxy: bool,
    pub session_idle: Duration,
    pub session_max: Duration,
    /// Benchmarks only, never set from the environment: clicks are decided
    /// and answered as usual but not stored, which measures the click
    /// handler without its writer (`examples/click_handler_only.rs`).
    pub discard_clicks: bool,
    pub mail: Option<MailConfig>,
}

/// One bad setting: its name and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

fn bad(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        message: message.into(),
    }
}

impl Config {
    pub fn from_settings(s: &Settings) -> Result<Self, ConfigError> {
        let bind_text = s.bind.clone().unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            bad(
                "TRIBUTARY_BIND",
                format!("{bind_text:?} is not an address like 127.0.0.1:8080"),
            )
        })?;

        let data_dir = PathBuf::from(s.data_dir.clone().unwrap_or_else(|| "./data".into()));

        let database_url = match &s.database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                url.clone()
            }
            Some(url) if url.starts_with("sqlite:") => url.clone(),
            Some(url) => {
                return Err(bad(
                    "DATABASE_URL",
                    format!(
                        "{:?} must start with sqlite: or postgres://",
                        url.split('@').next_back().unwrap_or("")
                    ),
                ));
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("tributary.db").display()
            ),
        };

        let public_url_text = s
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bind}"));
        let public_url = Url::parse(&public_url_text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                bad(
                    "TRIBUTARY_PUBLIC_URL",
                    format!("{public_url_text:?} is not an http(s) URL like https://affiliates.example.com"),
                )
            })?;

        let trust_proxy = match s.trust_proxy.as_deref() {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(bad(
                    "TRIBUTARY_TRUST_PROXY",
                    format!("{other:?} must be true or false"),
                ));
            }
        };

        let session_idle = parse_bounded(
            "TRIBUTARY_SESSION_IDLE_MINUTES",
            s.session_idle_minutes.as_deref(),
            120,
            1..=10_080,
        )?;
        let session_max = parse_bounded(
            "TRIBUTARY_SESSION_MAX_HOURS",
            s.session_max_hours.as_deref(),
            12,
            1..=720,
        )?;

        let secret_key = match &s.secret_key {
            Some(text) => decode_secret(text).ok_or_else(|| {
                bad(
                    "TRIBUTARY_SECRET_KEY",
                    "must be base64 of at least 64 random bytes (e.g. `openssl rand -base64 64`)",
                )
            })?,
            // Generated lazily by `ensure_data_dir` so that `--help` or a bad
            // setting never writes to disk.
            None => Vec::new(),
        };

        let mail = parse_mail(s.smtp_url.as_deref(), s.mail_from.as_deref())?;

        Ok(Self {
            bind,
            database_url,
            public_url,
            public_url_set: s.public_url.is_some(),
            data_dir,
            secret_key,
            trust_proxy,
            session_idle: Duration::from_secs(session_idle * 60),
            session_max: Duration::from_secs(session_max * 3600),
            discard_clicks: false,
            mail,
        })
    }

    /// Creates the data directory when the database lives there, and loads
    /// or generates the secret key kept in it.
    pub fn ensure_data_dir(&mut self) -> Result<(), ConfigError> {
        let needs_dir = self.database_url.starts_with("sqlite:") || self.secret_key.is_empty();
        if needs_dir {
            std::fs::create_dir_all(&self.data_dir).map_err(|e| {
                bad(
                    "TRIBUTARY_DATA_DIR",
                    format!("cannot create {}: {e}", self.data_dir.display()),
                )
            })?;
        }
        if self.secret_key.is_empty() {
            self.secret_key = load_or_create_secret(&self.data_dir.join("secret_key"))?;
        }
        Ok(())
    }

    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The public URL without a trailing slash, for building absolute links.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_owned()
    }

    /// A configuration for tests: the given database, port 0, fresh secrets.
    pub fn for_tests(database_url: String, data_dir: &Path) -> Self {
        let mut secret = vec![0u8; 64];
        getrandom::fill(&mut secret).expect("the OS random source works");
        Self {
            bind: "127.0.0.1:0".parse().expect("valid address"),
            database_url,
            public_url: Url::parse("http://127.0.0.1").expect("valid url"),
            public_url_set: false,
            data_dir: data_dir.to_path_buf(),
            secret_key: secret,
            trust_proxy: false,
            session_idle: Duration::from_secs(7200),
            session_max: Duration::from_secs(12 * 3600),
            discard_clicks: false,
            mail: None,
        }
    }
}

fn parse_bounded(
    setting: &'static str,
    text: Option<&str>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(text) = text else { return Ok(default) };
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| bad(setting, format!("{text:?} is not a whole number")))?;
    if !range.contains(&value) {
        return Err(bad(
            setting,
            format!("must be between {} and {}", range.start(), range.end()),
        ));
    }
    Ok(value)
}
