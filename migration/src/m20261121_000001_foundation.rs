//! Foundation: stores, staff users and their memberships, server-side
//! sessions, API keys, the audit log and the login throttle.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Stores::Table)
                .col(pk_uuid(Stores::Id))
                .col(string_len(Stores::Name, 100))
                .col(string_len_uniq(Stores::Slug, 48))
                .col(string_len(Stores::Currency, 3))
                .col(timestamp_with_time_zone(Stores::CreatedAt))
                .col(timestamp_with_time_zone(Stores::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(string_len_uniq(Users::Email, 254))
                .col(string(Users::PasswordHash))
                .col(timestamp_with_time_zone(Users::PasswordChangedAt))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(pk_uuid(Memberships::Id))
                .col(uuid(Memberships::StoreId))
                .col(uuid(Memberships::UserId))
                .col(string_len(Memberships::Role, 16))
                .col(timestamp_with_time_zone(Memberships::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::StoreId)
                        .to(Stores::Table, Stores::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_memberships_store_user")
                .table(Memberships::Table)
                .col(Memberships::StoreId)
                .col(Memberships::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_memberships_user")
                .table(Memberships::Table)
                .col(Memberships::UserId)
                .to_owned(),
        )
        .await?;

        // The session cookie carries a random key; only its SHA-256 is stored,
        // so a copy of the database cannot be used to hijack a session.
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(uuid_null(Sessions::UserId))
                .col(text(Sessions::State))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_expires_at")
                .table(Sessions::Table)
                .col(Sessions::ExpiresAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(pk_uuid(ApiKeys::Id))
                .col(uuid(ApiKeys::StoreId))
                .col(string_len(ApiKeys::Name, 100))
                .col(string_len(ApiKeys::Prefix, 16))
                .col(string_len_uniq(ApiKeys::SecretHash, 64))
                .col(string_len(ApiKeys::Scopes, 200))
                .col(uuid_null(ApiKeys::CreatedByUserId))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, ApiKeys::StoreId)
                        .to(Stores::Table, Stores::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_api_keys_store")
                .table(ApiKeys::Table)
                .col(ApiKeys::StoreId)
                .col(ApiKeys::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEntries::Table)
                .col(pk_uuid(AuditEntries::Id))
                .col(uuid(AuditEntries::StoreId))
                .col(string_len(AuditEntries::ActorType, 16))
                .col(uuid_null(AuditEntries::ActorId))
                .col(string_len(AuditEntries::ActorLabel, 254))
                .col(string_len(AuditEntries::Action, 64))
                .col(string_len(AuditEntries::EntityType, 32))
                .col(string_len_null(AuditEntries::EntityId, 64))
                .col(text(AuditEntries::Details))
                .col(string_len_null(AuditEntries::Ip, 64))
                .col(timestamp_with_time_zone(AuditEntries::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuditEntries::Table, AuditEntries::StoreId)
                        .to(Stores::Table, Stores::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Keyset paging: newest first within a store; ids are UUID v7 so the
        // id order is the creation order.
        m.create_index(
            Index::create()
                .name("ix_audit_entries_store_id")
                .table(AuditEntries::Table)
                .col(AuditEntries::StoreId)
                .col(AuditEntries::Id)
                .to_owned(),
        )
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
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginThrottles::Table.into_iden(),
            AuditEntries::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Sessions::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Stores::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Stores {
    Table,
    Id,
    Name,
    Slug,
    Currency,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    PasswordChangedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    StoreId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    State,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    StoreId,
    Name,
    Prefix,
    SecretHash,
    Scopes,
    CreatedByUserId,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    Id,
    StoreId,
    ActorType,
    ActorId,
    ActorLabel,
    Action,
    EntityType,
    EntityId,
    Details,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    Failures,
    WindowStartedAt,
}
