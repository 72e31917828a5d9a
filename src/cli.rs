//! The `tributary` command line: `serve` (default), `migrate`,
//! `create-admin`, `seed`, `check`, `api-key create`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Settings};
use crate::services::{ServiceError, api_keys, setup};
use crate::startup::{Application, open_database};

#[derive(Parser)]
#[command(
    name = "tributary",
    version,
    about = "Self-hosted affiliate and referral program manager"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the admin app, the API and the tracking endpoints (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a store owner; reads the password from standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// The store's name; created when no store has the slug yet.
        #[arg(long)]
        store: String,
        /// The store's slug (default: made from the name).
        #[arg(long)]
        slug: Option<String>,
        #[arg(long, default_value = "USD")]
        currency: String,
    },
    /// Add demo data: a store (created if missing), a default campaign and
    /// N affiliates with a link each.
    Seed {
        /// The store's slug.
        #[arg(long, default_value = "demo")]
        store: String,
        #[arg(long, default_value_t = 100)]
        affiliates: u64,
    },
    /// Verify the money invariants (balances = ledger sums; one commission
    /// per sale and affiliate). Exit code 1 when any is broken.
    Check,
    /// Manage API keys.
    ApiKey {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Create a key and print it once.
    Create {
        /// The store's slug.
        #[arg(long)]
        store: String,
        #[arg(long)]
        name: String,
    },
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::from_settings(&cli.settings) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("tributary: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = config.ensure_data_dir() {
        eprintln!("tributary: configuration error: {e}");
        return ExitCode::from(2);
    }
    match execute(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tributary: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(config.clone()).await?;
            tracing::info!(bind = %config.bind, public_url = %config.public_url, "Tributary is serving");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            open_database(&config).await?;
            println!("migrations applied");
        }
        Command::CreateAdmin {
            email,
            store,
            slug,
            currency,
        } => {
            let password = read_password()?;
            let db = open_database(&config).await?;
            let (_, store_created, user_created) = setup::create_admin_from_cli(
                &db,
                &email,
                &password,
                &store,
                slug.as_deref(),
                &currency,
            )
            .await
            .map_err(describe)?;
            println!(
                "{} {} as owner of {} store {:?}",
                if user_created {
                    "created"
                } else {
                    "added existing user"
                },
                email.trim().to_lowercase(),
                if store_created { "new" } else { "existing" },
                store
            );
        }
        Command::Check => {
            let db = open_database(&config).await?;
            let violations = crate::services::check::run(&db).await.map_err(describe)?;
            if violations.is_empty() {
                println!("ok: every balance equals its ledger; no sale is credited twice");
            } else {
                for v in &violations {
                    println!("{v}");
                }
                anyhow::bail!("{} invariant violation(s)", violations.len());
            }
        }
        Command::Seed { store, affiliates } => {
            let db = open_database(&config).await?;
            let started = std::time::Instant::now();
            let report = crate::services::seed::run(&db, &store, affiliates)
                .await
                .map_err(describe)?;
            println!(
                "seeded {} affiliates into store {store} in {:.1}s",
                report.created,
                started.elapsed().as_secs_f64()
            );
            if let Some(id) = report.deep_cursor {
                println!("deep cursor: {id}");
            }
        }
        Command::ApiKey {
            action: ApiKeyAction::Create { store, name },
        } => {
            let db = open_database(&config).await?;
            let created = api_keys::create_from_cli(&db, &store, &name)
                .await
                .map_err(describe)?;
            // Only the key on stdout, so `KEY=$(tributary api-key create ...)` works.
            eprintln!(
                "API key {:?} created for store {store}; it is shown only this once:",
                created.key.name
            );
            println!("{}", created.secret);
        }
    }
    Ok(())
}

fn describe(err: ServiceError) -> anyhow::Error {
    match err {
        ServiceError::Validation(errors) => anyhow::anyhow!("{errors}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// The password comes from standard input, never from the command line
/// (argv is visible to every user of the machine). On a terminal, with no echo.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password (12-128 characters): ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        anyhow::ensure!(first == second, "password: the two entries differ");
        return Ok(first);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    std::io::stdout().flush().ok();
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
