//! The effects of an `Idempotency-Key` are the audit entries its request
//! wrote (issue 13.4): `audit_entries.idempotency_key_id` names the key's
//! claim, written in the effect's own transaction. It replaces the single
//! effect mark on the key (`idempotency_keys.effect_type/effect_id/
//! effect_status`, migration 000008), which held one effect only: a batch
//! of payouts makes one per affiliate, an adjustment's answer names its
//! commission, not the affiliate its entry is about.
//!
//! A key whose first request took effect and was never answered (its
//! process died) carries its mark over: the first entry about the marked
//! entity after the key was claimed (ids are time-ordered UUID v7) is named
//! as that key's effect, so its retry is still answered from it.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

const OLD_MARK: [&str; 3] = ["effect_type", "effect_id", "effect_status"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("audit_entries"))
                .add_column(uuid_null(t("idempotency_key_id")))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // Partial: only keyed API requests have one.
        db.execute_unprepared(
            "CREATE INDEX ix_audit_entries_idempotency_key ON audit_entries (idempotency_key_id) \
             WHERE idempotency_key_id IS NOT NULL",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE audit_entries SET idempotency_key_id = ( \
                 SELECT k.id FROM idempotency_keys k \
                 WHERE k.response_status IS NULL AND k.effect_id IS NOT NULL \
                   AND k.store_id = audit_entries.store_id \
                   AND k.effect_type = audit_entries.entity_type \
                   AND k.effect_id = audit_entries.entity_id \
                   AND k.id < audit_entries.id \
                 ORDER BY k.id DESC LIMIT 1) \
             WHERE id IN ( \
                 SELECT (SELECT a.id FROM audit_entries a \
                         WHERE a.store_id = k.store_id AND a.entity_type = k.effect_type \
                           AND a.entity_id = k.effect_id AND a.id > k.id \
                         ORDER BY a.id LIMIT 1) \
                 FROM idempotency_keys k \
                 WHERE k.response_status IS NULL AND k.effect_id IS NOT NULL)",
        )
        .await?;
        // SQLite drops one column per ALTER TABLE.
        for name in OLD_MARK {
            m.alter_table(
                Table::alter()
                    .table(t("idempotency_keys"))
                    .drop_column(t(name))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(t("effect_type"), 32),
            string_len_null(t("effect_id"), 64),
            integer_null(t("effect_status")),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(t("idempotency_keys"))
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared("DROP INDEX ix_audit_entries_idempotency_key")
            .await?;
        m.alter_table(
            Table::alter()
                .table(t("audit_entries"))
                .drop_column(t("idempotency_key_id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
