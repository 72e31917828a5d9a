//! The server under test and its database.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, FromQueryResult, JsonValue};
use tempfile::TempDir;
use tributary::{Application, Config};

use super::client::Browser;

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: DatabaseConnection,
    /// The database this app serves, for a second instance on it.
    pub database_url: String,
    /// The SQLite file, when the test runs on SQLite.
    pub sqlite_file: Option<std::path::PathBuf>,
    pub browser: Browser,
    _dir: TempDir,
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

pub async fn fresh_database(dir: &TempDir) -> (String, Option<std::path::PathBuf>) {
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
    start(database_url, sqlite_file, dir, adjust).await
}

async fn start(
    database_url: String,
    sqlite_file: Option<std::path::PathBuf>,
    dir: TempDir,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = Config::for_tests(database_url.clone(), dir.path());
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
        database_url,
        sqlite_file,
        _dir: dir,
    }
}

impl TestApp {
    /// Another instance of the app on this one's database, as a second
    /// server behind a load balancer would be: its own port, connection
    /// pool, caches and background tasks.
    pub async fn another_instance(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        start(
            self.database_url.clone(),
            self.sqlite_file.clone(),
            dir,
            |_| {},
        )
        .await
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

    pub async fn sql(&self, sql: &str) {
        use sea_orm::Statement;
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

    pub async fn store_id(&self, slug: &str) -> tributary::domain::StoreId {
        let store = tributary::services::stores::find_by_slug(&self.db, slug)
            .await
            .unwrap()
            .expect("store exists");
        tributary::domain::StoreId(store.id)
    }

    /// Every row of every table, each table's rows sorted: two equal
    /// snapshots mean nothing was written in between. `sessions` is left
    /// out: any request extends its session's expiry and takes its flash.
    pub async fn snapshot(&self) -> BTreeMap<String, Vec<String>> {
        use sea_orm::Statement;
        let backend = self.db.get_database_backend();
        let tables_sql = if is_postgres() {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        };
        let tables = JsonValue::find_by_statement(Statement::from_string(backend, tables_sql))
            .all(&self.db)
            .await
            .unwrap();
        let mut snapshot = BTreeMap::new();
        for table in tables {
            let name = table["name"].as_str().unwrap().to_owned();
            if name == "sessions" {
                continue;
            }
            let rows = JsonValue::find_by_statement(Statement::from_string(
                backend,
                format!("SELECT * FROM {name}"),
            ))
            .all(&self.db)
            .await
            .unwrap();
            let mut rows: Vec<String> = rows.iter().map(JsonValue::to_string).collect();
            rows.sort();
            snapshot.insert(name, rows);
        }
        snapshot
    }

    /// DESIGN §3's invariants hold: balances equal their ledgers, no sale is
    /// credited twice (the `tributary check` command's rules).
    pub async fn assert_books_balance(&self) {
        let violations = tributary::services::check::run(&self.db).await.unwrap();
        assert!(violations.is_empty(), "{violations:?}");
    }
}
