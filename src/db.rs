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

/// The most values one statement may bind: SQLite's default limit
/// (`SQLITE_MAX_VARIABLE_NUMBER`, 32766) or PostgreSQL's protocol limit
/// (65535, a 16-bit count).
pub fn max_binds(conn: &impl ConnectionTrait) -> usize {
    if is_sqlite(conn) { 32_766 } else { 65_535 }
}

/// How many rows of `columns` bound values each fit in one statement,
/// leaving `reserved` binds for the rest of it.
pub fn rows_per_statement(conn: &impl ConnectionTrait, columns: usize, reserved: usize) -> usize {
    ((max_binds(conn) - reserved) / columns.max(1)).max(1)
}

/// Inserts `rows` with multi-row statements, as many rows per statement as
/// the backend's bind limit allows.
pub async fn insert_rows<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    use sea_orm::{EntityTrait, Iterable};
    // Every column is bound in each row (the models are whole).
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per = rows_per_statement(conn, columns, 0);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The values a statement written by hand binds, each pushed where its
/// placeholder goes: `?` on SQLite, `$n` on PostgreSQL.
pub struct Binds {
    backend: DbBackend,
    values: Vec<sea_orm::Value>,
}

impl Binds {
    pub fn new(conn: &impl ConnectionTrait) -> Self {
        Self {
            backend: conn.get_database_backend(),
            values: Vec::new(),
        }
    }

    /// Binds `value`; returns its placeholder.
    pub fn push(&mut self, value: impl Into<sea_orm::Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Sqlite => "?".to_owned(),
            _ => format!("${}", self.values.len()),
        }
    }

    pub fn statement(self, sql: String) -> sea_orm::Statement {
        sea_orm::Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// `column` in a hand-written condition SQLite must not pick an index
/// for: `+column` there (SQLite's documented way to keep a term out of
/// index choice), the column itself on PostgreSQL. Without statistics
/// (nothing runs `ANALYZE`) SQLite's planner may scan every row of a store
/// through an index on the store's id instead of looking each row up by
/// its key, once per row of the statement.
pub fn not_indexed(conn: &impl ConnectionTrait, column: &str) -> String {
    if is_sqlite(conn) {
        format!("+{column}")
    } else {
        column.to_owned()
    }
}

/// ` INDEXED BY {index}` on SQLite (the planner must use that index, for
/// the reason `not_indexed` gives), nothing on PostgreSQL.
pub fn indexed_by(conn: &impl ConnectionTrait, index: &str) -> String {
    if is_sqlite(conn) {
        format!(" INDEXED BY {index}")
    } else {
        String::new()
    }
}

/// Whether an error is PostgreSQL giving up on a transaction that can be
/// run again as it was: a deadlock it broke (40P01) or a serialization
/// failure (40001). Never on SQLite, whose writers queue for one lock.
pub fn is_retryable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    match &**e {
        sea_orm::sqlx::Error::Database(d) => {
            matches!(d.code().as_deref(), Some("40P01") | Some("40001"))
        }
        _ => false,
    }
}
