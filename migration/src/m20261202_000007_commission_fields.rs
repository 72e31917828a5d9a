//! Commission fields for staff work (issue 10): what the store kept on a
//! manual commission (ReferralStack's `adminEarnedAmount`), the payment id a
//! manual one was recorded under (PromoteKit's `stripe_payment_id`, unique
//! per store where given), and why a commission was voided.
//!
//! SQLite adds one column per `ALTER TABLE`, so each is its own statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn commissions() -> Alias {
    Alias::new("commissions")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            big_integer_null(Alias::new("admin_earned_minor")),
            string_len_null(Alias::new("external_payment_id"), 255),
            string_len_null(Alias::new("void_reason"), 32),
            text_null(Alias::new("void_note")),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(commissions())
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        for sql in [
            // A manual commission's payment id names one payment of the store.
            "CREATE UNIQUE INDEX ux_commissions_store_external_payment ON commissions (store_id, external_payment_id) WHERE external_payment_id IS NOT NULL",
            // The Commissions page filters by status and time within a store.
            "CREATE INDEX ix_commissions_store_status ON commissions (store_id, status, id)",
            "CREATE INDEX ix_commissions_store_created ON commissions (store_id, created_at)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "DROP INDEX ux_commissions_store_external_payment",
            "DROP INDEX ix_commissions_store_status",
            "DROP INDEX ix_commissions_store_created",
        ] {
            db.execute_unprepared(sql).await?;
        }
        for name in [
            "void_note",
            "void_reason",
            "external_payment_id",
            "admin_earned_minor",
        ] {
            m.alter_table(
                Table::alter()
                    .table(commissions())
                    .drop_column(Alias::new(name))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
