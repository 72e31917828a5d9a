//! An `Idempotency-Key` remembers the effect it had, written in the same
//! transaction as the effect itself (by the audit entry's writer): a request
//! whose process died after committing but before its response was stored is
//! answered from that effect on retry, never applied twice.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn keys() -> Alias {
    Alias::new("idempotency_keys")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_len_null(Alias::new("effect_type"), 32),
            string_len_null(Alias::new("effect_id"), 64),
            integer_null(Alias::new("effect_status")),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(keys())
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["effect_type", "effect_id", "effect_status"] {
            m.alter_table(
                Table::alter()
                    .table(keys())
                    .drop_column(Alias::new(name))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
