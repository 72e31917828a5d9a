//! The Due view's partial index (000013) carries the commission's id too
//! (`ix_commissions_unpaid_due_ids` replaces `ix_commissions_unpaid_due`),
//! so a batch of payouts reads the due commissions it settles (id, amount,
//! due date per affiliate) from the index alone: without the id, every one
//! of them cost a lookup of its table row, scattered over the table (most
//! of a 10,000-affiliate batch's reading time).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = "CREATE INDEX ix_commissions_unpaid_due_ids ON commissions (store_id, affiliate_id, amount_minor, due_at, id) WHERE status = 'due' AND payout_id IS NULL";
const POSTGRES_UP: &str = "CREATE INDEX ix_commissions_unpaid_due_ids ON commissions (store_id, affiliate_id, amount_minor, due_at) INCLUDE (id) WHERE status = 'due' AND payout_id IS NULL";
const DOWN: &str = "CREATE INDEX ix_commissions_unpaid_due ON commissions (store_id, affiliate_id, amount_minor, due_at) WHERE status = 'due' AND payout_id IS NULL";

/// Makes the index `create` names, then drops `old`: the Due view
/// always has one of the two to read.
async fn replace(m: &SchemaManager<'_>, create: &str, old: &str) -> Result<(), DbErr> {
    let db = m.get_connection();
    db.execute_unprepared(create).await?;
    db.execute_unprepared(&format!("DROP INDEX {old}")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let create = match m.get_database_backend() {
            DatabaseBackend::Sqlite => SQLITE_UP,
            _ => POSTGRES_UP,
        };
        replace(m, create, "ix_commissions_unpaid_due").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        replace(m, DOWN, "ix_commissions_unpaid_due_ids").await
    }
}
