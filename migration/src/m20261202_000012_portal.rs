//! The affiliate portal: credentials, sessions, one-time links, signup
//! review and the store's look.
//!
//! - `affiliates.password_hash`: argon2id PHC string; null until the
//!   affiliate sets one (staff and the API create affiliates without it).
//! - `affiliates.signup_ip_hash` / `signup_user_agent` / `signup_answers`:
//!   what a public signup recorded for fraud review. The address is kept as
//!   the same keyed hash visits use (`AppState::ip_mac`), never in clear;
//!   answers are a JSON array of `{question, answer}` (the question's text
//!   as it was asked, so renaming a question later keeps old answers true).
//! - `sessions.affiliate_id`: copied out of the session state like
//!   `user_id`, so every session of an affiliate can be ended at once.
//! - `portal_tokens`: one-time links (magic login, password reset, SSO,
//!   invite). Only the token's SHA-256 is stored.
//! - `stores.signup_questions` (JSON array of texts), `logo_url` (https
//!   only), `accent_color` (`#rrggbb`): the portal's look and join form.
//!
//! SQLite alters one column per statement and cannot add foreign keys to an
//! existing table, so the new columns are plain and one alter each.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add(m: &SchemaManager<'_>, table: impl IntoIden, col: ColumnDef) -> Result<(), DbErr> {
    let mut col = col;
    m.alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
        .await
}

async fn drop(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: impl IntoIden,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(m, Affiliates::Table, text_null(Affiliates::PasswordHash)).await?;
        add(
            m,
            Affiliates::Table,
            string_len_null(Affiliates::SignupIpHash, 32),
        )
        .await?;
        add(
            m,
            Affiliates::Table,
            string_len_null(Affiliates::SignupUserAgent, 512),
        )
        .await?;
        add(m, Affiliates::Table, text_null(Affiliates::SignupAnswers)).await?;
        m.create_index(
            Index::create()
                .name("ix_affiliates_store_signup_ip")
                .table(Affiliates::Table)
                .col(Affiliates::StoreId)
                .col(Affiliates::SignupIpHash)
                .to_owned(),
        )
        .await?;

        add(m, Sessions::Table, uuid_null(Sessions::AffiliateId)).await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_affiliate")
                .table(Sessions::Table)
                .col(Sessions::AffiliateId)
                .to_owned(),
        )
        .await?;

        add(m, Stores::Table, text_null(Stores::SignupQuestions)).await?;
        add(m, Stores::Table, string_len_null(Stores::LogoUrl, 2048)).await?;
        add(m, Stores::Table, string_len_null(Stores::AccentColor, 7)).await?;

        m.create_table(
            Table::create()
                .table(PortalTokens::Table)
                .col(pk_uuid(PortalTokens::Id))
                .col(string_len_uniq(PortalTokens::TokenHash, 64))
                .col(uuid(PortalTokens::StoreId))
                .col(uuid(PortalTokens::AffiliateId))
                .col(string_len(PortalTokens::Purpose, 16))
                .col(timestamp_with_time_zone(PortalTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(PortalTokens::UsedAt))
                .col(timestamp_with_time_zone(PortalTokens::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PortalTokens::Table, PortalTokens::StoreId)
                        .to(Stores::Table, Stores::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PortalTokens::Table, PortalTokens::AffiliateId)
                        .to(Affiliates::Table, Affiliates::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_portal_tokens_store_affiliate")
                .table(PortalTokens::Table)
                .col(PortalTokens::StoreId)
                .col(PortalTokens::AffiliateId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PortalTokens::Table).to_owned())
            .await?;
        drop(m, Stores::Table, Stores::AccentColor).await?;
        drop(m, Stores::Table, Stores::LogoUrl).await?;
        drop(m, Stores::Table, Stores::SignupQuestions).await?;
        m.drop_index(
            Index::drop()
                .name("ix_sessions_affiliate")
                .table(Sessions::Table)
                .to_owned(),
        )
        .await?;
        drop(m, Sessions::Table, Sessions::AffiliateId).await?;
        m.drop_index(
            Index::drop()
                .name("ix_affiliates_store_signup_ip")
                .table(Affiliates::Table)
                .to_owned(),
        )
        .await?;
        drop(m, Affiliates::Table, Affiliates::SignupAnswers).await?;
        drop(m, Affiliates::Table, Affiliates::SignupUserAgent).await?;
        drop(m, Affiliates::Table, Affiliates::SignupIpHash).await?;
        drop(m, Affiliates::Table, Affiliates::PasswordHash).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Affiliates {
    Table,
    Id,
    StoreId,
    PasswordHash,
    SignupIpHash,
    SignupUserAgent,
    SignupAnswers,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    AffiliateId,
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
    SignupQuestions,
    LogoUrl,
    AccentColor,
}

#[derive(DeriveIden)]
enum PortalTokens {
    Table,
    Id,
    TokenHash,
    StoreId,
    AffiliateId,
    Purpose,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}
