//! When the tracking script first reported a visit from one of the store's
//! sites: the setup checklist's "script installed". Set once, by the first
//! `POST /api/track/visit` from a store page (`services::tracking::visit`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("stores"))
                .add_column(timestamp_with_time_zone_null(Alias::new("script_seen_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("stores"))
                .drop_column(Alias::new("script_seen_at"))
                .to_owned(),
        )
        .await
    }
}
