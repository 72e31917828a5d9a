//! Payouts: what an affiliate was paid, how, by whom, and which commissions
//! each settles.
//!
//! `payout_items` keeps every (payout, commission) pair, also after a void,
//! so a voided payout still shows what it held. The rule "a commission is
//! settled by at most one non-voided payout" (DESIGN §3, invariant 3) is a
//! unique index over the items not yet released by a void; the services
//! also claim each commission with `UPDATE … WHERE payout_id IS NULL AND
//! status = 'due'`, so a race loses cleanly before it reaches the index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(t("payouts"))
                .col(pk_uuid(t("id")))
                .col(uuid(t("store_id")))
                .col(uuid(t("affiliate_id")))
                .col(big_integer(t("amount_minor")))
                .col(string_len(t("currency"), 3))
                .col(string_len(t("method"), 16))
                .col(string_len(t("status"), 16))
                .col(string_len_null(t("reference"), 255))
                .col(string_len_null(t("comment"), 256))
                .col(string_len(t("initiated_by"), 254))
                .col(uuid_null(t("initiated_by_user_id")))
                .col(string_len_null(t("initiated_ip"), 64))
                .col(timestamp_with_time_zone_null(t("paid_at")))
                .col(timestamp_with_time_zone_null(t("voided_at")))
                .col(string_len_null(t("voided_by"), 254))
                .col(uuid_null(t("voided_by_user_id")))
                .col(string_len_null(t("void_reason"), 500))
                .col(string_len_null(t("external_customer_id"), 255))
                .col(timestamp_with_time_zone_null(t("period_start")))
                .col(timestamp_with_time_zone_null(t("period_end")))
                .col(integer(t("commission_count")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone(t("updated_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("payouts"), t("store_id"))
                        .to(t("stores"), t("id")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("payouts"), t("affiliate_id"))
                        .to(t("affiliates"), t("id")),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("payout_items"))
                .col(pk_uuid(t("id")))
                .col(uuid(t("store_id")))
                .col(uuid(t("payout_id")))
                .col(uuid(t("commission_id")))
                .col(big_integer(t("amount_minor")))
                .col(timestamp_with_time_zone_null(t("released_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(t("payout_items"), t("payout_id"))
                        .to(t("payouts"), t("id")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(t("payout_items"), t("commission_id"))
                        .to(t("commissions"), t("id")),
                )
                .to_owned(),
        )
        .await?;

        for s in [
            "CREATE INDEX ix_payouts_store_id ON payouts (store_id, id)",
            "CREATE INDEX ix_payouts_store_status ON payouts (store_id, status, id)",
            "CREATE INDEX ix_payouts_store_affiliate ON payouts (store_id, affiliate_id, id)",
            "CREATE INDEX ix_payouts_store_customer ON payouts (store_id, external_customer_id) WHERE external_customer_id IS NOT NULL",
            "CREATE INDEX ix_payout_items_payout ON payout_items (payout_id)",
            // Invariant 3: one live (unreleased) settlement per commission.
            "CREATE UNIQUE INDEX ux_payout_items_live_commission ON payout_items (commission_id) WHERE released_at IS NULL",
            "CREATE INDEX ix_commissions_payout ON commissions (payout_id) WHERE payout_id IS NOT NULL",
        ] {
            m.get_connection().execute_unprepared(s).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ix_commissions_payout")
            .await?;
        for table in ["payout_items", "payouts"] {
            m.drop_table(Table::drop().table(t(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
