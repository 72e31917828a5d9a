//! The portal's Settings page and link builder:
//! - `affiliates.payout_method`: how the affiliate asks to be paid
//!   (`external` to the payout email, or `store_credit`; the values of
//!   `domain::payout::PayoutMethod`), default `external`.
//! - `campaigns.affiliates_can_create_links`: whether the campaign's
//!   affiliates may make their own tracking links in the portal (default no).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Affiliates::Table)
                .add_column(string_len(Affiliates::PayoutMethod, 32).default("external"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Campaigns::Table)
                .add_column(boolean(Campaigns::AffiliatesCanCreateLinks).default(false))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Campaigns::Table)
                .drop_column(Campaigns::AffiliatesCanCreateLinks)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Affiliates::Table)
                .drop_column(Affiliates::PayoutMethod)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Affiliates {
    Table,
    PayoutMethod,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    AffiliatesCanCreateLinks,
}
