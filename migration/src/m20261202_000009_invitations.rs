//! Team membership by invitation, the remembered store, and a login
//! throttle that slows guessing down instead of locking accounts.
//!
//! - `invitations`: a one-time link an owner hands over (only the link
//!   token's SHA-256 is stored), for one email and role, until it expires,
//!   is used or is revoked.
//! - `users.last_store_id`: the store a user was last in, used after sign-in
//!   (no foreign key: SQLite cannot add one to an existing table; a stale id
//!   is ignored because the user must still be a member).
//! - `login_throttles` is rebuilt: per key a failure count, when the last
//!   failure was, and until when the next attempt must wait. Its rows are
//!   short-lived counters, so dropping the old ones loses nothing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(pk_uuid(Invitations::Id))
                .col(uuid(Invitations::StoreId))
                .col(string_len(Invitations::Email, 254))
                .col(string_len(Invitations::Role, 16))
                .col(string_len_uniq(Invitations::TokenHash, 64))
                .col(uuid_null(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                .col(uuid_null(Invitations::AcceptedBy))
                .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Invitations::Table, Invitations::StoreId)
                        .to(Stores::Table, Stores::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_invitations_store_created")
                .table(Invitations::Table)
                .col(Invitations::StoreId)
                .col(Invitations::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(uuid_null(Users::LastStoreId))
                .to_owned(),
        )
        .await?;

        m.drop_table(Table::drop().table(LoginThrottles::Table).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(LoginThrottles::Table)
                .col(string_len(LoginThrottles::Key, 300).primary_key())
                .col(integer(LoginThrottles::Failures))
                .col(timestamp_with_time_zone(LoginThrottles::LastFailureAt))
                .col(timestamp_with_time_zone_null(LoginThrottles::BlockedUntil))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginThrottles::Table).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(LoginThrottles::Table)
                .col(string_len(LoginThrottles::Key, 300).primary_key())
                .col(integer(LoginThrottles::Failures))
                .col(timestamp_with_time_zone(LoginThrottles::WindowStartedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::LastStoreId)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Invitations::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    StoreId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    AcceptedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    LastStoreId,
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    Failures,
    LastFailureAt,
    BlockedUntil,
    WindowStartedAt,
}
