//! `Application::build(config)`: the one way the server is assembled, used
//! by `main`, the integration tests and the browser tests alike (port 0 in
//! tests).

use std::net::TcpListener;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db;
use crate::services::clicks::{ClickWriter, WriterHandle};
use crate::services::email::Mailer;
use crate::services::link_cache::LinkCache;
use crate::services::{crypto, sessions};
use crate::web::session_store::DbSessionStore;
use crate::web::{AppState, WebError, csrf, error, headers};

pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
    clicks: WriterHandle,
    link_cache: LinkCache,
    /// The SMTP server outgoing mail goes to, when configured.
    mailer: Option<Mailer>,
}

/// Opens the database and brings its schema up to date.
pub async fn open_database(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let db = db::connect(&config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot open the database: {e}"))?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

impl Application {
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        config.ensure_data_dir()?;
        let db = open_database(&config).await?;
        let listener = TcpListener::bind(config.bind).map_err(|e| {
            anyhow::anyhow!("TRIBUTARY_BIND: cannot listen on {}: {e}", config.bind)
        })?;
        let port = listener.local_addr()?.port();
        if config.bind.port() == 0 && !config.public_url_set {
            // Tests bind port 0: the public URL must name the real port.
            let _ = config.public_url.set_port(Some(port));
        }
        // For mail written outside a request (links back to the portal);
        // a request's own mail uses its origin (`web::origin`).
        crate::services::instance::record_public_base(&db, &config.public_base())
            .await
            .map_err(|e| anyhow::anyhow!("recording the public URL: {e}"))?;

        let mailer = match &config.mail {
            Some(mail) => {
                let hello = config
                    .public_url
                    .host_str()
                    .unwrap_or("localhost")
                    .to_owned();
                Some(
                    Mailer::new(&mail.smtp_url, &mail.from, &hello)
                        .map_err(|e| anyhow::anyhow!("TRIBUTARY_SMTP_URL: {e}"))?,
                )
            }
            None => None,
        };

        let https = config.is_https();
        let cookie_key = {
            let mut bytes = crypto::derive_key(&config.secret_key, "session-cookie-1");
            bytes.extend(crypto::derive_key(&config.secret_key, "session-cookie-2"));
            Key::from(&bytes)
        };
        let session_store = DbSessionStore::new(db.clone(), config.session_max);
        let idle = actix_web::cookie::time::Duration::seconds(config.session_idle.as_secs() as i64);
        let clicks = if config.discard_clicks {
            ClickWriter::start_discarding()
        } else {
            ClickWriter::start(db.clone(), &config.database_url)?
        };
        let state = web::Data::new(AppState::new(db.clone(), config, clicks.writer()));
        let link_cache = state.link_cache.clone();

        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(session_store.clone(), cookie_key.clone())
                .cookie_name(
                    if https {
                        "__Host-tributary_session"
                    } else {
                        "tributary_session"
                    }
                    .into(),
                )
                .cookie_secure(https)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_path("/".into())
                .session_lifecycle(
                    BrowserSession::default()
                        .state_ttl(idle)
                        .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
                )
                .build();
            App::new()
                .app_data(state.clone())
                .app_data(error::json_config())
                .app_data(error::form_config())
                .app_data(error::path_config())
                .app_data(error::query_config())
                .app_data(web::PayloadConfig::new(256 * 1024))
                // The click path is the hot path: it runs outside the
                // middleware below (no session, CSRF, compression or request
                // span) and sets the few headers a redirect needs itself.
                .route("/r/{token}", web::get().to(crate::web::track::click))
                .route(
                    "/r/{store}/{token}",
                    web::get().to(crate::web::track::click_in_store),
                )
                .service(
                    web::scope("")
                        // Innermost first: the request's public URL for
                        // the mail it writes (`web::origin`), refused form
                        // posts back to their page with a flash (CSRF
                        // refusals stay errors),
                        // CSRF (inside sessions: it reads the session and
                        // binds its token before it is saved), sessions,
                        // idempotency, then error rendering (which sees
                        // every failure above), headers, compression, logs.
                        .wrap(from_fn(crate::web::origin::serve_under_public_base))
                        .wrap(from_fn(error::refusals_back_to_page))
                        .wrap(from_fn(csrf::protect))
                        .wrap(sessions)
                        .wrap(from_fn(crate::web::api::idempotency::guard))
                        .wrap(from_fn(error::render_errors))
                        .wrap(headers::security_headers(https))
                        .wrap(Compress::default())
                        .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
                        .configure(crate::web::routes)
                        .default_service(web::to(|| async {
                            Err::<actix_web::HttpResponse, _>(WebError::NotFound)
                        })),
                )
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();

        Ok(Self {
            port,
            server,
            db,
            clicks,
            link_cache,
            mailer,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Serves until SIGINT/SIGTERM (actix handles both and drains requests),
    /// then writes every queued click before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.db.clone();
        let promoter_db = self.db.clone();
        let promoter = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Err(e) =
                    crate::services::commissions::promote_due(&promoter_db, chrono::Utc::now())
                        .await
                {
                    tracing::warn!(error = %e, "promoting due commissions failed");
                }
            }
        });
        let janitor = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) = sessions::purge_expired(&db, chrono::Utc::now()).await {
                    tracing::warn!(error = %e, "purging expired sessions failed");
                }
                if let Err(e) = crate::services::throttle::purge_old(&db, chrono::Utc::now()).await
                {
                    tracing::warn!(error = %e, "purging old login throttles failed");
                }
                // Keys are promised for `idempotency::KEEP` only (docs/api.md).
                if let Err(e) = crate::services::idempotency::purge_old(&db).await {
                    tracing::warn!(error = %e, "purging old idempotency keys failed");
                }
            }
        });
        let mail = match self.mailer.clone() {
            Some(mailer) => {
                tracing::info!("sending mail through TRIBUTARY_SMTP_URL");
                Some(crate::services::email::deliver::spawn_worker(
                    self.db.clone(),
                    mailer,
                ))
            }
            None => {
                tracing::info!(
                    "mail is not configured (TRIBUTARY_SMTP_URL, TRIBUTARY_MAIL_FROM): \
                     messages are kept in the outbox and staff read them on the Emails page"
                );
                None
            }
        };
        let link_versions = self.link_cache.spawn_poller(self.db.clone());
        let result = self.server.await;
        if let Some(mail) = mail {
            mail.abort();
        }
        link_versions.abort();
        janitor.abort();
        promoter.abort();
        self.clicks.shutdown().await;
        result
    }
}
