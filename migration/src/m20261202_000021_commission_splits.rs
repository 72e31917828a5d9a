//! Komerza's record-a-payout may end inside a commission: the commission is
//! split into the part the payout settles and a due remainder, both linked
//! to their sale (issue 10). `commissions.split_of` names, on every part
//! but the first, the family's first commission (always that one, however
//! often the remainder is split again), so a family is `COALESCE(split_of,
//! id)`.
//!
//! One sale still yields one live commission per affiliate (DESIGN §3,
//! invariant 4), counted by family: the unique index now holds the first
//! parts only, so a remainder is not a duplicate, and a second delivery of
//! a sale still cannot make a second family.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("commissions"))
                .add_column(&mut uuid_null(Alias::new("split_of")))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in [
            "DROP INDEX ux_commissions_sale_affiliate_live",
            "CREATE UNIQUE INDEX ux_commissions_sale_affiliate_family ON commissions (sale_id, affiliate_id) WHERE kind = 'sale' AND status <> 'voided' AND split_of IS NULL",
            // A commission's page lists the parts split from it.
            "CREATE INDEX ix_commissions_split_of ON commissions (split_of) WHERE split_of IS NOT NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "DROP INDEX ix_commissions_split_of",
            "DROP INDEX ux_commissions_sale_affiliate_family",
            // Fails while split parts exist, as it must: the old index
            // would count a remainder as a second commission.
            "CREATE UNIQUE INDEX ux_commissions_sale_affiliate_live ON commissions (sale_id, affiliate_id) WHERE kind = 'sale' AND status <> 'voided'",
        ] {
            db.execute_unprepared(sql).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Alias::new("commissions"))
                .drop_column(Alias::new("split_of"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
