//! Database schema, one file per migration, applied in order at start-up.
//!
//! Rules every migration follows (DESIGN §3, STACK traps):
//! - primary keys are UUID v7 (16-byte blob on SQLite, `uuid` on PostgreSQL);
//! - money is integer minor units (`BIGINT`), never `DECIMAL`/`REAL`;
//! - times are `timestamp with time zone` (RFC 3339 text on SQLite);
//! - every tenant-owned table has `store_id` with a foreign key and an index
//!   that starts with it, because every query is scoped by store.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_foundation;
mod m20261121_000002_programs;
mod m20261121_000003_tracking;
mod m20261121_000004_click_adoption;
mod m20261121_000005_cache_versions;
mod m20261202_000006_payouts;
mod m20261202_000007_commission_fields;
mod m20261202_000008_idempotent_effects;
mod m20261202_000009_invitations;
mod m20261202_000010_store_setup;
mod m20261202_000011_emails;
mod m20261202_000012_portal;
mod m20261202_000013_stats_indexes;
mod m20261202_000014_repair_float_balances;
mod m20261202_000016_reattribution;
mod m20261202_000017_show_customer_emails;
mod m20261202_000018_portal_settings;
mod m20261202_000020_stats_rollups;
mod m20261202_000021_commission_splits;
mod m20261202_000022_audit_idempotency_key;
mod m20261202_000023_instance_settings;
mod m20261202_000025_commission_totals;
mod m20261203_000024_unpaid_due_ids;

pub use m20261202_000020_stats_rollups::rebuild_stats_rollups;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_foundation::Migration),
            Box::new(m20261121_000002_programs::Migration),
            Box::new(m20261121_000003_tracking::Migration),
            Box::new(m20261121_000004_click_adoption::Migration),
            Box::new(m20261121_000005_cache_versions::Migration),
            Box::new(m20261202_000006_payouts::Migration),
            Box::new(m20261202_000007_commission_fields::Migration),
            Box::new(m20261202_000008_idempotent_effects::Migration),
            Box::new(m20261202_000009_invitations::Migration),
            Box::new(m20261202_000010_store_setup::Migration),
            Box::new(m20261202_000011_emails::Migration),
            Box::new(m20261202_000012_portal::Migration),
            Box::new(m20261202_000013_stats_indexes::Migration),
            Box::new(m20261202_000014_repair_float_balances::Migration),
            Box::new(m20261202_000016_reattribution::Migration),
            Box::new(m20261202_000017_show_customer_emails::Migration),
            Box::new(m20261202_000018_portal_settings::Migration),
            Box::new(m20261202_000020_stats_rollups::Migration),
            Box::new(m20261202_000021_commission_splits::Migration),
            Box::new(m20261202_000022_audit_idempotency_key::Migration),
            Box::new(m20261202_000023_instance_settings::Migration),
            Box::new(m20261203_000024_unpaid_due_ids::Migration),
            Box::new(m20261202_000025_commission_totals::Migration),
        ]
    }
}
