//! A unit of work for sales: what a transaction of sales reads once and
//! writes at the end.
//!
//! The sales writer commits many sales per transaction. Sent one by one,
//! each sale's dozen statements are dozen round trips to the database
//! driver, and those round trips (not SQLite, not fsync) were what limited
//! conversions. Here the rows a batch reads are fetched together and kept
//! (affiliates, campaigns, referrals with their running state), and the rows
//! it writes are staged and sent as a few multi-row statements by `flush`.
//!
//! A sale that fails part-way must leave nothing behind, as a savepoint
//! would: `mark` before it and `rollback` to the mark undoes its staging.
//! Nothing reaches the database before `flush`, so a failed sale never
//! leaves the transaction itself in a failed state.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::db;
use crate::domain::StoreId;
use crate::domain::states::CommissionKind;
use crate::domain::{AffiliateId, CampaignId};
use crate::entities::{
    affiliate, audit_entry, campaign, commission, email, event, link, referral, sale,
};
use crate::services::{Actor, ServiceError, ServiceResult, audit, commissions, events};

mod mail;
mod rows;
use rows::*;

/// A sale found by its payment id, with its own (`kind = sale`) commission.
pub(super) type Booked = (sale::Model, Option<commission::Model>);

/// Rows per INSERT (well under SQLite's and PostgreSQL's bind limits).
const CHUNK: usize = 200;

#[derive(Clone)]
struct Tracked {
    model: referral::Model,
    row: Row,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Row {
    /// As read from the database.
    Clean,
    /// Read, then changed here: updated at `flush`.
    Changed,
    /// Made here: inserted at `flush`.
    New,
}

/// Where to roll back to when one sale of the unit fails.
pub(super) struct Mark {
    undo: usize,
    sales: usize,
    commissions: usize,
    events: usize,
    audits: usize,
    conversions: usize,
    emails: usize,
}

#[derive(Default)]
pub(super) struct Work {
    affiliates: HashMap<Uuid, affiliate::Model>,
    campaigns: HashMap<Uuid, campaign::Model>,
    referrals: HashMap<Uuid, Tracked>,
    /// Each referral's previous entry, newest last, for `rollback`.
    undo: Vec<(Uuid, Option<Tracked>)>,
    /// Payments as the database had them before this unit (`None`: not
    /// booked); this unit's own sales are in `sales`.
    booked: HashMap<(Uuid, String), Option<Booked>>,
    sales: Vec<sale::Model>,
    commissions: Vec<commission::Model>,
    events: Vec<event::ActiveModel>,
    audits: Vec<audit_entry::ActiveModel>,
    /// Links whose referral converted, once per conversion.
    conversions: Vec<Uuid>,
    /// Rendered "you earned" messages (`mail.rs`).
    emails: Vec<email::ActiveModel>,
    /// The recorded public URL for their portal links, once read (`mail.rs`).
    public_base: Option<Option<String>>,
}

impl Work {
    pub fn mark(&self) -> Mark {
        Mark {
            undo: self.undo.len(),
            sales: self.sales.len(),
            commissions: self.commissions.len(),
            events: self.events.len(),
            audits: self.audits.len(),
            conversions: self.conversions.len(),
            emails: self.emails.len(),
        }
    }

    pub fn rollback(&mut self, mark: Mark) {
        while self.undo.len() > mark.undo {
            let (id, previous) = self.undo.pop().expect("longer than the mark");
            match previous {
                Some(t) => self.referrals.insert(id, t),
                None => self.referrals.remove(&id),
            };
        }
        self.sales.truncate(mark.sales);
        self.commissions.truncate(mark.commissions);
        self.events.truncate(mark.events);
        self.audits.truncate(mark.audits);
        self.conversions.truncate(mark.conversions);
        self.emails.truncate(mark.emails);
    }

    /// Reads, in one query each, what a batch of sales will ask for: the
    /// payments already booked under their (store, id), and the referrals
    /// they name (store, referral) with those referrals' affiliates and
    /// campaigns.
    pub async fn prefetch(
        &mut self,
        conn: &impl ConnectionTrait,
        payments: &[(Uuid, String)],
        referrals: &[(Uuid, Uuid)],
    ) -> ServiceResult<()> {
        if !payments.is_empty() {
            let found = sale::Entity::find()
                .filter(sale::Column::StoreId.is_in(distinct(payments.iter().map(|p| p.0))))
                .filter(sale::Column::ExternalId.is_in(payments.iter().map(|p| p.1.clone())))
                .all(conn)
                .await?;
            let mut own = own_commissions(conn, found.iter().map(|s| s.id).collect()).await?;
            for key in payments {
                self.booked.insert(key.clone(), None);
            }
            for s in found {
                let c = own.remove(&s.id);
                self.booked
                    .insert((s.store_id, s.external_id.clone()), Some((s, c)));
            }
        }
        let wanted: Vec<Uuid> = distinct(
            referrals
                .iter()
                .map(|r| r.1)
                .filter(|id| !self.referrals.contains_key(id)),
        );
        if wanted.is_empty() {
            return Ok(());
        }
        // Only the batch's stores: another store's referral named by
        // mistake is neither used (see `referral`) nor locked.
        let mut q = referral::Entity::find()
            .filter(referral::Column::Id.is_in(wanted))
            .filter(referral::Column::StoreId.is_in(distinct(referrals.iter().map(|r| r.0))))
            .order_by_asc(referral::Column::Id);
        if !db::is_sqlite(conn) {
            // Concurrent sales of one customer (on other instances) count
            // their payments one after the other.
            q = q.lock_exclusive();
        }
        let found = q.all(conn).await?;
        let owners = distinct(found.iter().map(|r| r.affiliate_id));
        for a in affiliate::Entity::find()
            .filter(affiliate::Column::Id.is_in(owners))
            .all(conn)
            .await?
        {
            self.affiliates.insert(a.id, a);
        }
        let campaign_ids = distinct(self.affiliates.values().map(|a| a.campaign_id));
        for c in campaign::Entity::find()
            .filter(campaign::Column::Id.is_in(campaign_ids))
            .all(conn)
            .await?
        {
            self.campaigns.insert(c.id, c);
        }
        for r in found {
            self.referrals.insert(
                r.id,
                Tracked {
                    model: r,
                    row: Row::Clean,
                },
            );
        }
        Ok(())
    }

    /// The sale booked under this payment id, by this unit or before it.
    pub async fn booked(
        &mut self,
        conn: &impl ConnectionTrait,
        store_id: StoreId,
        external_id: &str,
    ) -> ServiceResult<Option<Booked>> {
        if let Some(s) = self
            .sales
            .iter()
            .find(|s| s.store_id == store_id.0 && s.external_id == external_id)
        {
            let c = self
                .commissions
                .iter()
                .find(|c| c.sale_id == Some(s.id) && c.kind == CommissionKind::Sale);
            return Ok(Some((s.clone(), c.cloned())));
        }
        let key = (store_id.0, external_id.to_owned());
        if let Some(known) = self.booked.get(&key) {
            return Ok(known.clone());
        }
        let found = sale::Entity::find()
            .filter(sale::Column::StoreId.eq(store_id.0))
            .filter(sale::Column::ExternalId.eq(external_id))
            .one(conn)
            .await?;
        let known = match found {
            Some(s) => {
                let c = own_commissions(conn, vec![s.id]).await?.remove(&s.id);
                Some((s, c))
            }
            None => None,
        };
        self.booked.insert(key, known.clone());
        Ok(known)
    }

    /// The referral as this unit knows it (its latest state), locked on
    /// PostgreSQL when first read.
    pub async fn referral(
        &mut self,
        conn: &impl ConnectionTrait,
        store_id: StoreId,
        id: Uuid,
    ) -> ServiceResult<Option<referral::Model>> {
        if let Some(t) = self.referrals.get(&id) {
            return Ok((t.model.store_id == store_id.0).then(|| t.model.clone()));
        }
        let mut q =
            referral::Entity::find_by_id(id).filter(referral::Column::StoreId.eq(store_id.0));
        if !db::is_sqlite(conn) {
            q = q.lock_exclusive();
        }
        let Some(r) = q.one(conn).await? else {
            return Ok(None);
        };
        self.referrals.insert(
            id,
            Tracked {
                model: r.clone(),
                row: Row::Clean,
            },
        );
        Ok(Some(r))
    }

    /// The newest referral `query` finds in the database or `matches` finds
    /// among this unit's (whose changes the database has not seen yet).
    pub async fn newest_referral(
        &mut self,
        conn: &impl ConnectionTrait,
        store_id: StoreId,
        query: Select<referral::Entity>,
        matches: impl Fn(&referral::Model) -> bool,
    ) -> ServiceResult<Option<referral::Model>> {
        let stored = query
            .filter(referral::Column::StoreId.eq(store_id.0))
            .order_by_desc(referral::Column::Id)
            .one(conn)
            .await?
            .map(|r| r.id);
        let here = self
            .referrals
            .values()
            .filter(|t| t.model.store_id == store_id.0 && matches(&t.model))
            .map(|t| t.model.id)
            .max();
        match Ord::max(stored, here) {
            Some(id) => self.referral(conn, store_id, id).await,
            None => Ok(None),
        }
    }

    /// Keeps a referral made by this unit (inserted at `flush`).
    pub fn add_referral(&mut self, r: referral::Model) {
        self.undo.push((r.id, None));
        self.referrals.insert(
            r.id,
            Tracked {
                model: r,
                row: Row::New,
            },
        );
    }

    /// Keeps a referral's new state (written at `flush`).
    pub fn put_referral(&mut self, r: referral::Model) {
        let previous = self.referrals.get(&r.id).cloned();
        let row = match previous.as_ref().map(|t| t.row) {
            Some(Row::New) => Row::New,
            _ => Row::Changed,
        };
        self.undo.push((r.id, previous));
        self.referrals.insert(r.id, Tracked { model: r, row });
    }

    pub async fn affiliate(
        &mut self,
        conn: &impl ConnectionTrait,
        store_id: StoreId,
        id: Uuid,
    ) -> ServiceResult<affiliate::Model> {
        if let Some(a) = self.affiliates.get(&id) {
            return if a.store_id == store_id.0 {
                Ok(a.clone())
            } else {
                Err(ServiceError::NotFound)
            };
        }
        let a = super::super::affiliates::get(conn, store_id, AffiliateId(id)).await?;
        self.affiliates.insert(id, a.clone());
        Ok(a)
    }

    pub async fn campaign(
        &mut self,
        conn: &impl ConnectionTrait,
        store_id: StoreId,
        id: Uuid,
    ) -> ServiceResult<campaign::Model> {
        if let Some(c) = self.campaigns.get(&id) {
            return if c.store_id == store_id.0 {
                Ok(c.clone())
            } else {
                Err(ServiceError::NotFound)
            };
        }
        let c = super::super::campaigns::get(conn, store_id, CampaignId(id)).await?;
        self.campaigns.insert(id, c.clone());
        Ok(c)
    }

    /// A new sale, with its `sale.created` event and audit entry.
    pub fn add_sale(&mut self, s: sale::Model, actor: &Actor) {
        let store_id = StoreId(s.store_id);
        self.emit(store_id, "sale.created", super::sale_snapshot(&s));
        self.audits.push(audit::row(
            store_id,
            actor,
            "sale.created",
            "sale",
            Some(s.id.to_string()),
            super::sale_snapshot(&s),
        ));
        self.sales.push(s);
    }

    /// A new commission, with its `commission.created` event.
    pub fn add_commission(&mut self, c: commission::Model) {
        self.emit(
            StoreId(c.store_id),
            "commission.created",
            commissions::snapshot(&c),
        );
        self.commissions.push(c);
    }

    pub fn emit(&mut self, store_id: StoreId, event_type: &str, payload: Value) {
        self.events.push(events::row(store_id, event_type, payload));
    }

    /// One more referral of this link converted.
    pub fn count_conversion(&mut self, link_id: Uuid) {
        self.conversions.push(link_id);
    }
}

#[cfg(test)]
mod tests;
