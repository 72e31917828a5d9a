//! Indexes for the dashboards' statistics (issue 11): every figure is a
//! count or sum per UTC day over one store (or one affiliate) and a period.
//!
//! SQLite keeps times as RFC 3339 text, so a UTC day is the text's first 10
//! characters: the indexes are on that expression (`substr(col, 1, 10)`,
//! written exactly as `services::stats` queries it, or the planner will not
//! match them) and carry the summed columns, so a period is read from the
//! index alone in day order, without a sort. PostgreSQL keeps `timestamptz`
//! and ranges over the plain column.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

// The raw column closes each SQLite index: the planner only reads an index
// alone (a covering index, no table lookup per row) when every column the
// query names is in it, and the day expression names the column.
const SQLITE: &[&str] = &[
    "CREATE INDEX ix_visits_store_day ON visits (store_id, substr(created_at, 1, 10), created_at)",
    "CREATE INDEX ix_visits_link_day ON visits (link_id, substr(created_at, 1, 10), created_at)",
    "CREATE INDEX ix_referrals_store_lead_day ON referrals (store_id, substr(lead_at, 1, 10), self_referral, affiliate_id, lead_at) WHERE lead_at IS NOT NULL",
    "CREATE INDEX ix_referrals_affiliate_lead_day ON referrals (store_id, affiliate_id, substr(lead_at, 1, 10), self_referral, lead_at) WHERE lead_at IS NOT NULL",
    "CREATE INDEX ix_sales_store_day ON sales (store_id, substr(occurred_at, 1, 10), affiliate_id, amount_minor, tax_minor, occurred_at)",
    "CREATE INDEX ix_sales_affiliate_day ON sales (store_id, affiliate_id, substr(occurred_at, 1, 10), amount_minor, tax_minor, occurred_at)",
    "CREATE INDEX ix_commissions_store_day ON commissions (store_id, substr(created_at, 1, 10), status, amount_minor, affiliate_id, created_at)",
    "CREATE INDEX ix_commissions_affiliate_day ON commissions (store_id, affiliate_id, substr(created_at, 1, 10), status, amount_minor, created_at)",
    DUE,
];

/// The Due view (and so the staff queue and the next-payout estimate) sums
/// the due commissions no payout holds, per affiliate: read from this
/// partial index alone on both backends.
const DUE: &str = "CREATE INDEX ix_commissions_unpaid_due ON commissions (store_id, affiliate_id, amount_minor, due_at) WHERE status = 'due' AND payout_id IS NULL";

const POSTGRES: &[&str] = &[
    "CREATE INDEX ix_visits_store_day ON visits (store_id, created_at)",
    "CREATE INDEX ix_visits_link_day ON visits (link_id, created_at)",
    "CREATE INDEX ix_referrals_store_lead_day ON referrals (store_id, lead_at) INCLUDE (self_referral, affiliate_id) WHERE lead_at IS NOT NULL",
    "CREATE INDEX ix_referrals_affiliate_lead_day ON referrals (store_id, affiliate_id, lead_at) INCLUDE (self_referral) WHERE lead_at IS NOT NULL",
    "CREATE INDEX ix_sales_store_day ON sales (store_id, occurred_at) INCLUDE (affiliate_id, amount_minor, tax_minor)",
    "CREATE INDEX ix_sales_affiliate_day ON sales (store_id, affiliate_id, occurred_at) INCLUDE (amount_minor, tax_minor)",
    "CREATE INDEX ix_commissions_store_day ON commissions (store_id, created_at) INCLUDE (status, amount_minor, affiliate_id)",
    "CREATE INDEX ix_commissions_affiliate_day ON commissions (store_id, affiliate_id, created_at) INCLUDE (status, amount_minor)",
    DUE,
];

const NAMES: &[&str] = &[
    "ix_visits_store_day",
    "ix_visits_link_day",
    "ix_referrals_store_lead_day",
    "ix_referrals_affiliate_lead_day",
    "ix_sales_store_day",
    "ix_sales_affiliate_day",
    "ix_commissions_store_day",
    "ix_commissions_affiliate_day",
    "ix_commissions_unpaid_due",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements = match m.get_database_backend() {
            DatabaseBackend::Sqlite => SQLITE,
            _ => POSTGRES,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for name in NAMES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
