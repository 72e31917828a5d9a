//! A campaign may let its affiliates see their referred customers' emails
//! in the portal (PromoteKit's `hide_emails`, inverted); by default the
//! portal masks them (`j***@example.com`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    ShowCustomerEmails,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Campaigns::Table)
                .add_column(
                    ColumnDef::new(Campaigns::ShowCustomerEmails)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Campaigns::Table)
                .drop_column(Campaigns::ShowCustomerEmails)
                .to_owned(),
        )
        .await
    }
}
