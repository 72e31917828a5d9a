//! `instance_settings`: what the installation records about itself, by
//! name, for code that runs without a request. The one row so far is
//! `public_base`, the public URL every instance writes as it starts, so
//! mail written anywhere (the sales writer, a status change, a payout) can
//! link affiliates back to their portal.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InstanceSettings::Table)
                .col(string_len(InstanceSettings::Name, 64).primary_key())
                .col(text(InstanceSettings::Value))
                .col(timestamp_with_time_zone(InstanceSettings::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(InstanceSettings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum InstanceSettings {
    Table,
    Name,
    Value,
    UpdatedAt,
}
