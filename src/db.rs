//! Opening the database and taking write transactions the same way on
//! SQLite and PostgreSQL.
//!
//! SQLite is tuned as measured in STACK.md: WAL, `synchronous=FULL`, a busy
//! timeout, foreign keys on, and write transactions that take the write lock
//! up front (`BEGIN IMMEDIATE`), so read-then-write transactions never fail
//! with "database is locked" halfway.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, QuerySelect, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        // sea-orm silently caps an SQLite pool at one connection unless told.
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
    } else {
        options.max_connections(16).min_connections(1);
    }
    Database::connect(options).await
}

/// A transaction that will write: on SQLite it holds the write lock from
/// its first statement.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A time as the database keeps it: microseconds (PostgreSQL's precision).
/// Rows built in memory and answered before anyone reads them back carry
/// it, so a later read returns exactly what the first answer said.
pub fn stored_time(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    at.trunc_subsecs(6)
}

pub fn stored_now() -> chrono::DateTime<chrono::Utc> {
    stored_time(chrono::Utc::now())
}

pub fn is_sqlite(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// A read of the row a write transaction is about to change, locked until
/// it ends: `FOR UPDATE` on PostgreSQL, so a concurrent change waits and then
/// merges onto what this one wrote; on SQLite the write transaction already
/// holds the database's write lock.
pub fn for_update<Q: QuerySelect>(conn: &impl ConnectionTrait, query: Q) -> Q {
    if is_sqlite(conn) {
        query
    } else {
        query.lock_exclusive()
    }
}

/// Whether an error is a unique-constraint violation (to be turned into a
/// field message, never a 500).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

pub type Txn = DatabaseTransaction;
