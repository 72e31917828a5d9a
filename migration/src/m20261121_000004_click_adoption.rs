//! A click's `tb_ref` is adopted by one browser on the store's site: the
//! redirect also names the click (`tb_click`, the visit's id), the first
//! page that takes it claims that visit (`adopted_at`), so even a fresh
//! address copied and published reaches nobody else.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("visits"))
                .add_column(timestamp_with_time_zone_null(Alias::new("adopted_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("visits"))
                .drop_column(Alias::new("adopted_at"))
                .to_owned(),
        )
        .await
    }
}
