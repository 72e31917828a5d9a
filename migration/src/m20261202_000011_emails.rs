//! Outgoing email: an outbox of rendered messages, the affiliates' two
//! notification preferences, and one-time staff password-reset links.
//!
//! - `emails`: one row per message, written in the transaction of the
//!   change that sends it (a rolled-back change sends nothing), then
//!   delivered by a worker that claims due rows with a conditional UPDATE.
//!   `store_id` is empty only for staff password resets: a user may belong
//!   to several stores, and a reset link on a store's Emails page would let
//!   any other admin of that store take over the account.
//! - `affiliates.notify_new_commission` / `notify_payout_paid`: the portal's
//!   notification settings (default on).
//! - `staff_password_resets`: only the token's SHA-256 is kept.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Emails::Table)
                .col(pk_uuid(Emails::Id))
                .col(uuid_null(Emails::StoreId))
                .col(string_len(Emails::Recipient, 254))
                .col(string_len(Emails::Subject, 300))
                .col(text(Emails::TextBody))
                .col(text(Emails::HtmlBody))
                .col(string_len(Emails::Kind, 32))
                .col(string_len(Emails::Status, 16))
                .col(integer(Emails::Attempts))
                .col(timestamp_with_time_zone(Emails::NextAttemptAt))
                .col(text_null(Emails::LastError))
                .col(timestamp_with_time_zone_null(Emails::SentAt))
                .col(timestamp_with_time_zone(Emails::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Emails::Table, Emails::StoreId)
                        .to(Stores::Table, Stores::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The worker: due queued messages, soonest first.
        m.create_index(
            Index::create()
                .name("ix_emails_status_next_attempt")
                .table(Emails::Table)
                .col(Emails::Status)
                .col(Emails::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        // The Emails page: a store's messages, newest first.
        m.create_index(
            Index::create()
                .name("ix_emails_store_created")
                .table(Emails::Table)
                .col(Emails::StoreId)
                .col(Emails::CreatedAt)
                .to_owned(),
        )
        .await?;

        for column in [
            Affiliates::NotifyNewCommission,
            Affiliates::NotifyPayoutPaid,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Affiliates::Table)
                    .add_column(boolean(column).default(true))
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(StaffPasswordResets::Table)
                .col(pk_uuid(StaffPasswordResets::Id))
                .col(uuid(StaffPasswordResets::UserId))
                .col(string_len_uniq(StaffPasswordResets::TokenHash, 64))
                .col(timestamp_with_time_zone(StaffPasswordResets::CreatedAt))
                .col(timestamp_with_time_zone(StaffPasswordResets::ExpiresAt))
                .col(timestamp_with_time_zone_null(StaffPasswordResets::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(StaffPasswordResets::Table, StaffPasswordResets::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_staff_password_resets_user")
                .table(StaffPasswordResets::Table)
                .col(StaffPasswordResets::UserId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(StaffPasswordResets::Table).to_owned())
            .await?;
        for column in [
            Affiliates::NotifyNewCommission,
            Affiliates::NotifyPayoutPaid,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Affiliates::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(Emails::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Emails {
    Table,
    Id,
    StoreId,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    Kind,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Affiliates {
    Table,
    NotifyNewCommission,
    NotifyPayoutPaid,
}

#[derive(DeriveIden)]
enum StaffPasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
