//! Versions of what app instances cache in memory: a change bumps its row in
//! its own transaction, and every instance polls the rows (a primary-key
//! read each half second) and drops its cache when one moved. Several
//! instances on one database thus agree within a poll, not a cache TTL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("cache_versions"))
                .col(string_len(Alias::new("name"), 32).primary_key())
                .col(big_integer(Alias::new("version")))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(Alias::new("cache_versions"))
                .columns([Alias::new("name"), Alias::new("version")])
                .values_panic(["links".into(), 0i64.into()])
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("cache_versions")).to_owned())
            .await
    }
}
