//! Payouts from the Due view: one per affiliate, settling everything due.
//! Each affiliate is its own transaction (a slow or refused one never holds
//! back the others); ids that are not this store's affiliates are refused
//! before anything is written.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::settle::{self, Settlement};
use super::{ServiceError, ServiceResult, currency_of, due, lock_affiliate, unclaimed_due};
use crate::db;
use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, Rules, settle_all};
use crate::domain::{AffiliateId, StoreId, ValidationErrors};
use crate::entities::{affiliate, campaign, payout, store};
use crate::services::Actor;

pub struct CreateInput {
    /// None: every affiliate the Due view shows as payable.
    pub affiliate_ids: Option<Vec<AffiliateId>>,
    pub method: PayoutMethod,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub affiliate_id: Uuid,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Created {
    pub payouts: Vec<payout::Model>,
    pub skipped: Vec<Skipped>,
}

pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    input: CreateInput,
) -> ServiceResult<Created> {
    let store_id = StoreId(store.id);
    let comment = super::optional_text(input.comment.as_deref(), 256)
        .map_err(|m| ValidationErrors::single("comment", m))?;
    let mut out = Created::default();
    let ids = match input.affiliate_ids {
        Some(ids) => {
            if ids.is_empty() {
                return Err(ValidationErrors::single(
                    "affiliate_ids",
                    "must name at least one affiliate (or be left out to pay everyone due)",
                )
                .into());
            }
            known(db, store_id, &ids).await?;
            let mut seen = std::collections::HashSet::new();
            ids.into_iter().filter(|id| seen.insert(*id)).collect()
        }
        None => {
            let view = due(db, store_id, &store.currency, input.method).await?;
            out.skipped
                .extend(view.held_back.into_iter().map(|r| Skipped {
                    affiliate_id: r.affiliate_id,
                    reason: r.held_back.unwrap_or_default(),
                }));
            view.rows
                .into_iter()
                .map(|r| AffiliateId(r.affiliate_id))
                .collect::<Vec<_>>()
        }
    };
    let cur = currency_of(&store.currency);
    for id in ids {
        let txn = db::begin_write(db).await?;
        let a = lock_affiliate(&txn, store_id, id).await?;
        if input.method == PayoutMethod::StoreCredit && a.external_customer_id.is_none() {
            out.skipped.push(Skipped {
                affiliate_id: a.id,
                reason:
                    "has no external_customer_id: store credit is granted to the store's customer"
                        .into(),
            });
            continue;
        }
        let minimum_minor = campaign::Entity::find_by_id(a.campaign_id)
            .select_only()
            .column(campaign::Column::MinimumPayoutMinor)
            .into_tuple::<i64>()
            .one(&txn)
            .await?
            .unwrap_or(0);
        let items = unclaimed_due(&txn, store_id, id).await?;
        let rules = Rules {
            minimum_minor,
            method: input.method,
            has_payout_email: a.payout_email.as_deref().is_some_and(|e| !e.is_empty()),
        };
        let selection = match settle_all(&items, rules) {
            Ok(s) => s,
            Err(why) => {
                out.skipped.push(Skipped {
                    affiliate_id: a.id,
                    reason: why.message(|m| format_minor(m, cur)),
                });
                continue; // the transaction rolls back on drop
            }
        };
        let written = settle::write(
            &txn,
            store_id,
            actor,
            Settlement {
                affiliate: &a,
                selection,
                method: input.method,
                comment: comment.clone(),
                currency: &store.currency,
            },
        )
        .await;
        match written {
            Ok(p) => {
                txn.commit().await?;
                out.payouts.push(p);
            }
            Err(ServiceError::Conflict(reason)) => out.skipped.push(Skipped {
                affiliate_id: a.id,
                reason,
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Every id must be an affiliate of this store: the first that is not is
/// named by its position (another store's id looks the same as none).
async fn known(
    db: &DatabaseConnection,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<()> {
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Uuid> = affiliate::Entity::find()
            .select_only()
            .column(affiliate::Column::Id)
            .filter(affiliate::Column::StoreId.eq(store_id.0))
            .filter(affiliate::Column::Id.is_in(chunk.iter().map(|i| i.0).collect::<Vec<_>>()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    let mut errors = ValidationErrors::new();
    for (n, id) in ids.iter().enumerate() {
        if !found.contains(&id.0) {
            errors.add(
                &format!("affiliate_ids[{n}]"),
                format!("{id} is not an affiliate of this store"),
            );
        }
    }
    errors.into_result().map_err(Into::into)
}
