//! Structured logs through `tracing`. `RUST_LOG` overrides the default
//! filter; every request gets a request id (tracing-actix-web) that appears
//! on each log line of that request.

use tracing_subscriber::{EnvFilter, fmt};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,actix_server=warn"));
    // `try_init`: tests call this many times in one process.
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}
