//! A batch of clicks through sea-orm: used on PostgreSQL, where statements
//! are cheap to send and several instances may write at once.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{ClickRecord, new_visitors_per_link, referral_created_payload, rollup};
use crate::db;
use crate::domain::states::ReferralState;
use crate::entities::{event, link, referral, visit};

/// Rows per INSERT: a few fixed statement shapes, so the driver reuses its
/// prepared statements instead of parsing a new giant one every batch.
const CHUNK: usize = 256;

pub(super) async fn write(
    db: &DatabaseConnection,
    batch: &[ClickRecord],
) -> Result<(), sea_orm::DbErr> {
    let txn = db::begin_write(db).await?;
    let referrals: Vec<referral::ActiveModel> = batch
        .iter()
        .filter_map(|c| {
            let r = c.new_referral.as_ref()?;
            Some(referral::ActiveModel {
                id: Set(r.id.0),
                store_id: Set(c.store_id.0),
                affiliate_id: Set(r.affiliate_id.0),
                campaign_id: Set(r.campaign_id.0),
                link_id: Set(Some(c.link_id.0)),
                coupon_id: Set(None),
                visitor_id: Set(Some(r.visitor_id)),
                state: Set(ReferralState::Visitor),
                email: Set(None),
                external_customer_id: Set(None),
                self_referral: Set(false),
                ip_hash: Set(c.ip_hash.clone()),
                user_agent: Set(c.user_agent.clone()),
                source: Set(r.source),
                sale_count: Set(0),
                first_sale_at: Set(None),
                expires_at: Set(r.expires_at),
                lead_at: Set(None),
                converted_at: Set(None),
                erased_at: Set(None),
                created_at: Set(c.at),
                updated_at: Set(c.at),
            })
        })
        .collect();
    let events: Vec<event::ActiveModel> = batch
        .iter()
        .filter_map(|c| {
            let r = c.new_referral.as_ref()?;
            Some(event::ActiveModel {
                id: Set(Uuid::now_v7()),
                store_id: Set(c.store_id.0),
                event_type: Set("referral.created".into()),
                payload: Set(referral_created_payload(c, r)),
                created_at: Set(c.at),
                delivered_at: Set(None),
            })
        })
        .collect();
    let visits: Vec<visit::ActiveModel> = batch
        .iter()
        .map(|c| visit::ActiveModel {
            id: Set(c.visit_id.0),
            store_id: Set(c.store_id.0),
            link_id: Set(c.link_id.0),
            referral_id: Set(c.referral_id.0),
            landing_url: Set(c.landing_url.clone()),
            referrer: Set(c.referrer.clone()),
            user_agent: Set(c.user_agent.clone()),
            ip_hash: Set(c.ip_hash.clone()),
            created_at: Set(c.at),
            adopted_at: Set(None),
        })
        .collect();
    for chunk in referrals.chunks(CHUNK) {
        referral::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in events.chunks(CHUNK) {
        event::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in visits.chunks(CHUNK) {
        visit::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    rollup::write(&txn, batch).await?;
    for (link_id, n) in new_visitors_per_link(batch) {
        link::Entity::update_many()
            .col_expr(
                link::Column::Visitors,
                Expr::col(link::Column::Visitors).add(n),
            )
            .filter(link::Column::Id.eq(link_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}
