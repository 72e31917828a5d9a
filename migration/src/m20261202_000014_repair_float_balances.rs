//! Repairs SQLite databases written before money inputs were bounded
//! (issue 13): two huge commissions overflowed `affiliates.balance_minor`
//! and SQLite stored the sum as a REAL from then on. Such a balance is
//! recomputed from the ledger, the source of truth, when the ledger's sum is
//! itself a whole number in range; otherwise the row is left as it is and
//! `tributary check` reports it with the affiliate (`services::check`).
//! PostgreSQL's BIGINT never held a float: nothing to do there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        // TOTAL() sums in floating point and never fails, so it screens out
        // ledgers whose exact SUM() would overflow (SQLite raises an error
        // for that) before SUM() is asked; the margin keeps clear of
        // float rounding near i64::MAX.
        db.execute_unprepared(
            "UPDATE affiliates SET balance_minor = ( \
                 SELECT COALESCE(SUM(l.amount_minor), 0) FROM ledger_entries l \
                 WHERE l.affiliate_id = affiliates.id) \
             WHERE typeof(balance_minor) <> 'integer' \
               AND ( \
                 SELECT ABS(TOTAL(l.amount_minor)) FROM ledger_entries l \
                 WHERE l.affiliate_id = affiliates.id \
               ) < 9.0e18 \
               AND NOT EXISTS ( \
                 SELECT 1 FROM ledger_entries l \
                 WHERE l.affiliate_id = affiliates.id AND typeof(l.amount_minor) <> 'integer')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // A repaired balance is the correct one; there is nothing to undo.
        Ok(())
    }
}
