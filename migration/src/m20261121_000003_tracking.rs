//! Tracking and money: visits, referrals, sales and refunds, commissions,
//! the ledger behind balances, the outbox of events, idempotency keys and
//! received Stripe events. Money is minor units (BIGINT) throughout.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id_uuid(name: &str) -> ColumnDef {
    uuid(Alias::new(name))
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// Runs one statement per backend-neutral SQL line (indexes, partial indexes).
async fn sql(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for s in statements {
        m.get_connection().execute_unprepared(s).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("stores"))
                .add_column(text_null(t("stripe_secret_sealed")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("referrals"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(id_uuid("affiliate_id"))
                .col(id_uuid("campaign_id"))
                .col(uuid_null(t("link_id")))
                .col(uuid_null(t("coupon_id")))
                .col(uuid_null(t("visitor_id")))
                .col(string_len(t("state"), 16))
                .col(string_len_null(t("email"), 254))
                .col(string_len_null(t("external_customer_id"), 255))
                .col(boolean(t("self_referral")).default(false))
                .col(string_len_null(t("ip_hash"), 64))
                .col(string_len_null(t("user_agent"), 512))
                .col(string_len(t("source"), 16))
                .col(integer(t("sale_count")).default(0))
                .col(timestamp_with_time_zone_null(t("first_sale_at")))
                .col(timestamp_with_time_zone(t("expires_at")))
                .col(timestamp_with_time_zone_null(t("lead_at")))
                .col(timestamp_with_time_zone_null(t("converted_at")))
                .col(timestamp_with_time_zone_null(t("erased_at")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone(t("updated_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("visits"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(id_uuid("link_id"))
                .col(id_uuid("referral_id"))
                .col(text_null(t("landing_url")))
                .col(text_null(t("referrer")))
                .col(string_len_null(t("user_agent"), 512))
                .col(string_len_null(t("ip_hash"), 64))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("sales"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(string_len(t("external_id"), 255))
                .col(uuid_null(t("referral_id")))
                .col(uuid_null(t("affiliate_id")))
                .col(big_integer(t("amount_minor")))
                .col(big_integer(t("tax_minor")))
                .col(string_len(t("currency"), 3))
                .col(big_integer(t("refunded_minor")).default(0))
                .col(string_len(t("attribution"), 16))
                .col(string_len_null(t("coupon_code"), 64))
                .col(string_len_null(t("customer_email"), 254))
                .col(string_len_null(t("external_customer_id"), 255))
                .col(timestamp_with_time_zone(t("occurred_at")))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("refunds"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(id_uuid("sale_id"))
                .col(big_integer(t("amount_minor")))
                .col(text_null(t("reason")))
                .col(string_len_null(t("external_id"), 255))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("commissions"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(id_uuid("affiliate_id"))
                .col(uuid_null(t("campaign_id")))
                .col(uuid_null(t("referral_id")))
                .col(uuid_null(t("sale_id")))
                .col(string_len(t("kind"), 16))
                .col(big_integer(t("sale_amount_minor")))
                .col(big_integer(t("amount_minor")))
                // What the sale earned before any refund: refunds are
                // computed from it, so partial refunds add up exactly.
                .col(big_integer(t("original_amount_minor")))
                .col(string_len(t("currency"), 3))
                .col(string_len(t("status"), 16))
                .col(timestamp_with_time_zone(t("due_at")))
                .col(timestamp_with_time_zone_null(t("paid_at")))
                .col(uuid_null(t("payout_id")))
                .col(uuid_null(t("clawback_of")))
                .col(text_null(t("remarks")))
                .col(string_len(t("created_by"), 254))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone(t("updated_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("ledger_entries"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(id_uuid("affiliate_id"))
                .col(uuid_null(t("commission_id")))
                .col(uuid_null(t("payout_id")))
                .col(string_len(t("kind"), 24))
                .col(big_integer(t("amount_minor")))
                .col(string_len(t("currency"), 3))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("events"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(string_len(t("event_type"), 64))
                .col(text(t("payload")))
                .col(timestamp_with_time_zone(t("created_at")))
                .col(timestamp_with_time_zone_null(t("delivered_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("idempotency_keys"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(string_len(t("key"), 255))
                .col(string_len(t("request_hash"), 64))
                .col(integer_null(t("response_status")))
                .col(text_null(t("response_body")))
                .col(timestamp_with_time_zone(t("created_at")))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(t("stripe_events"))
                .col(pk_uuid(t("id")))
                .col(id_uuid("store_id"))
                .col(string_len(t("event_id"), 255))
                .col(string_len(t("event_type"), 64))
                .col(timestamp_with_time_zone(t("received_at")))
                .to_owned(),
        )
        .await?;

        sql(m, &[
            "CREATE INDEX ix_referrals_store_id ON referrals (store_id, id)",
            "CREATE INDEX ix_referrals_store_affiliate ON referrals (store_id, affiliate_id, id)",
            // Partial: most referrals are anonymous visitors, and the click
            // path should not pay for index entries of NULLs.
            "CREATE INDEX ix_referrals_store_email ON referrals (store_id, email) WHERE email IS NOT NULL",
            "CREATE INDEX ix_referrals_store_customer ON referrals (store_id, external_customer_id) WHERE external_customer_id IS NOT NULL",
            "CREATE INDEX ix_referrals_store_visitor ON referrals (store_id, visitor_id)",
            "CREATE INDEX ix_visits_store_id ON visits (store_id, id)",
            "CREATE INDEX ix_visits_referral ON visits (referral_id, id)",
            "CREATE UNIQUE INDEX ux_sales_store_external ON sales (store_id, external_id)",
            "CREATE INDEX ix_sales_store_id ON sales (store_id, id)",
            "CREATE INDEX ix_sales_store_affiliate ON sales (store_id, affiliate_id, id)",
            "CREATE INDEX ix_sales_referral ON sales (referral_id, id)",
            "CREATE INDEX ix_refunds_sale ON refunds (sale_id, id)",
            "CREATE UNIQUE INDEX ux_refunds_store_external ON refunds (store_id, external_id) WHERE external_id IS NOT NULL",
            // Invariant 4: one sale, at most one commission per affiliate, even
            // under concurrent duplicate deliveries.
            "CREATE UNIQUE INDEX ux_commissions_sale_affiliate ON commissions (sale_id, affiliate_id) WHERE kind = 'sale'",
            "CREATE INDEX ix_commissions_store_id ON commissions (store_id, id)",
            "CREATE INDEX ix_commissions_due ON commissions (status, due_at)",
            "CREATE INDEX ix_commissions_store_affiliate ON commissions (store_id, affiliate_id, id)",
            "CREATE INDEX ix_commissions_sale ON commissions (sale_id)",
            "CREATE INDEX ix_ledger_affiliate ON ledger_entries (affiliate_id, id)",
            "CREATE INDEX ix_events_store_id ON events (store_id, id)",
            "CREATE UNIQUE INDEX ux_idempotency_store_key ON idempotency_keys (store_id, key)",
            "CREATE INDEX ix_idempotency_created ON idempotency_keys (created_at)",
            "CREATE UNIQUE INDEX ux_stripe_events ON stripe_events (store_id, event_id)",
        ])
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "stripe_events",
            "idempotency_keys",
            "events",
            "ledger_entries",
            "commissions",
            "refunds",
            "sales",
            "visits",
            "referrals",
        ] {
            m.drop_table(Table::drop().table(t(table)).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(t("stores"))
                .drop_column(t("stripe_secret_sealed"))
                .to_owned(),
        )
        .await
    }
}
