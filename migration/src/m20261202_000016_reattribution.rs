//! A sale may be moved from one affiliate to another and back (staff
//! correcting an attribution): the voided commission of the first
//! attribution must not block the new one. One live sale commission per
//! sale and affiliate, as before; voided ones no longer count.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A new name: re-creating the dropped one in the same migration
        // failed on SQLite with "already exists" (seen here).
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ux_commissions_sale_affiliate")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_commissions_sale_affiliate_live ON commissions (sale_id, affiliate_id) WHERE kind = 'sale' AND status <> 'voided'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ux_commissions_sale_affiliate_live")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_commissions_sale_affiliate ON commissions (sale_id, affiliate_id) WHERE kind = 'sale'",
        )
        .await?;
        Ok(())
    }
}
