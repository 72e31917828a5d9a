//! The middle contender of bench/clicks.sh: Tributary itself, configured
//! from the same environment as `tributary serve`, except that its click
//! writer stores nothing. Between the bare actix handler and the real
//! server, it shows what the click handler costs and what the writer does.

use tributary::config::{Config, Settings};

/// The same allocator as `tributary` itself (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tributary::startup::Application;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok();
    let settings = Settings {
        bind: env("TRIBUTARY_BIND"),
        data_dir: env("TRIBUTARY_DATA_DIR"),
        ..Settings::default()
    };
    let mut config = Config::from_settings(&settings)?;
    config.ensure_data_dir()?;
    config.discard_clicks = true;
    Application::build(config)
        .await?
        .run_until_stopped()
        .await?;
    Ok(())
}
