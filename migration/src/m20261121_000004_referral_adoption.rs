//! A referral's `tb_ref` is adopted by one browser on the store's site: the
//! first page that takes it claims it (`adopted_at`), so a fresh `tb_ref`
//! copied into a published address reaches nobody else.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("referrals"))
                .add_column(timestamp_with_time_zone_null(Alias::new("adopted_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("referrals"))
                .drop_column(Alias::new("adopted_at"))
                .to_owned(),
        )
        .await
    }
}
