//! Programs: campaigns, affiliates (with their status history), links and
//! coupons. Percentages are basis points (12.5 % = 1250); money is minor
//! units of the store's currency.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261121_000001_foundation::Stores;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn store_fk(table: impl IntoIden + Clone, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Stores::Table, Stores::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Stores::Table)
                .add_column(text(Alias::new("link_hosts")).default(""))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Campaigns::Table)
                .col(pk_uuid(Campaigns::Id))
                .col(uuid(Campaigns::StoreId))
                .col(string_len(Campaigns::Name, 100))
                .col(string_len(Campaigns::WebsiteUrl, 2048))
                .col(boolean(Campaigns::IsDefault))
                .col(string_len(Campaigns::Visibility, 16))
                .col(boolean(Campaigns::ApprovalRequired))
                .col(string_len(Campaigns::CommissionType, 16))
                .col(big_integer(Campaigns::CommissionValue))
                .col(string_len(Campaigns::Recurring, 16))
                .col(integer_null(Campaigns::RecurringLimit))
                .col(string_len_null(Campaigns::FirstPaymentType, 16))
                .col(big_integer_null(Campaigns::FirstPaymentValue))
                .col(integer(Campaigns::CookieDays))
                .col(string_len(Campaigns::Attribution, 16))
                .col(big_integer(Campaigns::DiscountBp))
                .col(integer(Campaigns::HoldDays))
                .col(big_integer(Campaigns::MinimumPayoutMinor))
                .col(timestamp_with_time_zone_null(Campaigns::ArchivedAt))
                .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                .foreign_key(&mut store_fk(Campaigns::Table, Campaigns::StoreId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_campaigns_store_id")
                .table(Campaigns::Table)
                .col(Campaigns::StoreId)
                .col(Campaigns::Id)
                .to_owned(),
        )
        .await?;
        // At most one default campaign per store, whatever the races.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_campaigns_one_default ON campaigns (store_id) WHERE is_default")
            .await?;

        m.create_table(
            Table::create()
                .table(Affiliates::Table)
                .col(pk_uuid(Affiliates::Id))
                .col(uuid(Affiliates::StoreId))
                .col(uuid(Affiliates::CampaignId))
                .col(string_len(Affiliates::Email, 254))
                .col(string_len(Affiliates::FirstName, 100))
                .col(string_len(Affiliates::LastName, 100))
                .col(string_len_null(Affiliates::PayoutEmail, 254))
                .col(string_len(Affiliates::Status, 16))
                .col(boolean(Affiliates::IsEnabled))
                .col(string_len_null(Affiliates::ExternalCustomerId, 255))
                .col(big_integer_null(Affiliates::CommissionBp))
                .col(big_integer_null(Affiliates::DiscountBp))
                .col(text_null(Affiliates::RejectionReason))
                .col(big_integer(Affiliates::BalanceMinor).default(0))
                .col(string_len(Affiliates::SortName, 210))
                .col(text(Affiliates::SearchText))
                .col(timestamp_with_time_zone(Affiliates::StatusChangedAt))
                .col(timestamp_with_time_zone_null(Affiliates::AnonymizedAt))
                .col(timestamp_with_time_zone(Affiliates::CreatedAt))
                .col(timestamp_with_time_zone(Affiliates::UpdatedAt))
                .foreign_key(&mut store_fk(Affiliates::Table, Affiliates::StoreId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Affiliates::Table, Affiliates::CampaignId)
                        .to(Campaigns::Table, Campaigns::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // Keyset paging for every list order, with and without a status tab.
        for (name, cols) in [
            (
                "ux_affiliates_store_email",
                vec![Affiliates::StoreId, Affiliates::Email],
            ),
            (
                "ix_affiliates_store_id",
                vec![Affiliates::StoreId, Affiliates::Id],
            ),
            (
                "ix_affiliates_store_status_id",
                vec![Affiliates::StoreId, Affiliates::Status, Affiliates::Id],
            ),
            (
                "ix_affiliates_store_name",
                vec![Affiliates::StoreId, Affiliates::SortName, Affiliates::Id],
            ),
            (
                "ix_affiliates_store_campaign",
                vec![Affiliates::StoreId, Affiliates::CampaignId, Affiliates::Id],
            ),
            (
                "ix_affiliates_store_external",
                vec![Affiliates::StoreId, Affiliates::ExternalCustomerId],
            ),
        ] {
            let mut index = Index::create()
                .name(name)
                .table(Affiliates::Table)
                .to_owned();
            for col in cols {
                index.col(col);
            }
            if name.starts_with("ux_") {
                index.unique();
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table(AffiliateStatusChanges::Table)
                .col(pk_uuid(AffiliateStatusChanges::Id))
                .col(uuid(AffiliateStatusChanges::StoreId))
                .col(uuid(AffiliateStatusChanges::AffiliateId))
                .col(string_len_null(AffiliateStatusChanges::FromStatus, 16))
                .col(string_len(AffiliateStatusChanges::ToStatus, 16))
                .col(text_null(AffiliateStatusChanges::Reason))
                .col(string_len(AffiliateStatusChanges::ActorLabel, 254))
                .col(timestamp_with_time_zone(AffiliateStatusChanges::CreatedAt))
                .foreign_key(&mut store_fk(
                    AffiliateStatusChanges::Table,
                    AffiliateStatusChanges::StoreId,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            AffiliateStatusChanges::Table,
                            AffiliateStatusChanges::AffiliateId,
                        )
                        .to(Affiliates::Table, Affiliates::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_status_changes_affiliate")
                .table(AffiliateStatusChanges::Table)
                .col(AffiliateStatusChanges::AffiliateId)
                .col(AffiliateStatusChanges::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Links::Table)
                .col(pk_uuid(Links::Id))
                .col(uuid(Links::StoreId))
                .col(uuid(Links::AffiliateId))
                .col(string_len(Links::Token, 64))
                .col(string_len_null(Links::Url, 256))
                .col(big_integer(Links::Visitors).default(0))
                .col(big_integer(Links::Leads).default(0))
                .col(big_integer(Links::Conversions).default(0))
                .col(timestamp_with_time_zone(Links::CreatedAt))
                .foreign_key(&mut store_fk(Links::Table, Links::StoreId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Links::Table, Links::AffiliateId)
                        .to(Affiliates::Table, Affiliates::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_links_store_token")
                .table(Links::Table)
                .col(Links::StoreId)
                .col(Links::Token)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_links_affiliate")
                .table(Links::Table)
                .col(Links::AffiliateId)
                .col(Links::Id)
                .to_owned(),
        )
        .await?;
        // Per-page lookups ("the links of these 50 affiliates"), scoped by
        // store: without it the planner walks every row of the store.
        m.create_index(
            Index::create()
                .name("ix_links_store_affiliate")
                .table(Links::Table)
                .col(Links::StoreId)
                .col(Links::AffiliateId)
                .col(Links::Id)
                .to_owned(),
        )
        .await?;
        // `/r/{token}` looks a token up across stores (oldest link first).
        m.create_index(
            Index::create()
                .name("ix_links_token")
                .table(Links::Table)
                .col(Links::Token)
                .col(Links::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_links_store_id")
                .table(Links::Table)
                .col(Links::StoreId)
                .col(Links::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Coupons::Table)
                .col(pk_uuid(Coupons::Id))
                .col(uuid(Coupons::StoreId))
                .col(uuid(Coupons::AffiliateId))
                .col(string_len(Coupons::Code, 64))
                .col(string_len(Coupons::CodeKey, 64))
                .col(string_len_null(Coupons::ExternalId, 255))
                .col(timestamp_with_time_zone(Coupons::CreatedAt))
                .foreign_key(&mut store_fk(Coupons::Table, Coupons::StoreId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Coupons::Table, Coupons::AffiliateId)
                        .to(Affiliates::Table, Affiliates::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_coupons_store_code")
                .table(Coupons::Table)
                .col(Coupons::StoreId)
                .col(Coupons::CodeKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_coupons_affiliate")
                .table(Coupons::Table)
                .col(Coupons::AffiliateId)
                .col(Coupons::Id)
                .to_owned(),
        )
        .await?;
        // Per-page lookups ("the coupons of these 50 affiliates"), scoped by
        // store: without it the planner walks every row of the store.
        m.create_index(
            Index::create()
                .name("ix_coupons_store_affiliate")
                .table(Coupons::Table)
                .col(Coupons::StoreId)
                .col(Coupons::AffiliateId)
                .col(Coupons::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_coupons_store_id")
                .table(Coupons::Table)
                .col(Coupons::StoreId)
                .col(Coupons::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Coupons::Table.into_iden(),
            Links::Table.into_iden(),
            AffiliateStatusChanges::Table.into_iden(),
            Affiliates::Table.into_iden(),
            Campaigns::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Stores::Table)
                .drop_column(Alias::new("link_hosts"))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden, Clone)]
pub enum Campaigns {
    Table,
    Id,
    StoreId,
    Name,
    WebsiteUrl,
    IsDefault,
    Visibility,
    ApprovalRequired,
    CommissionType,
    CommissionValue,
    Recurring,
    RecurringLimit,
    FirstPaymentType,
    FirstPaymentValue,
    CookieDays,
    Attribution,
    DiscountBp,
    HoldDays,
    MinimumPayoutMinor,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum Affiliates {
    Table,
    Id,
    StoreId,
    CampaignId,
    Email,
    FirstName,
    LastName,
    PayoutEmail,
    Status,
    IsEnabled,
    ExternalCustomerId,
    CommissionBp,
    DiscountBp,
    RejectionReason,
    BalanceMinor,
    SortName,
    SearchText,
    StatusChangedAt,
    AnonymizedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum AffiliateStatusChanges {
    Table,
    Id,
    StoreId,
    AffiliateId,
    FromStatus,
    ToStatus,
    Reason,
    ActorLabel,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Links {
    Table,
    Id,
    StoreId,
    AffiliateId,
    Token,
    Url,
    Visitors,
    Leads,
    Conversions,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Coupons {
    Table,
    Id,
    StoreId,
    AffiliateId,
    Code,
    CodeKey,
    ExternalId,
    CreatedAt,
}
