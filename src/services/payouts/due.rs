//! The Due view: every affiliate with due commissions no payout holds, the
//! amount, count and period, and whether they can be paid now.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{ServiceResult, currency_of};
use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, Rules, check_eligible};
use crate::domain::states::CommissionStatus;
use crate::domain::{AffiliateId, StoreId};
use crate::entities::{affiliate, campaign, commission};

#[derive(Debug, Clone)]
pub struct DueRow {
    pub affiliate_id: Uuid,
    pub email: String,
    pub name: String,
    pub payout_email: Option<String>,
    pub amount_minor: i64,
    pub count: i64,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub minimum_minor: i64,
    /// Why they cannot be paid now (None: they can).
    pub held_back: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DueView {
    /// Payable now, largest first.
    pub rows: Vec<DueRow>,
    pub total_minor: i64,
    /// Due money that cannot be paid yet, with the reason.
    pub held_back: Vec<DueRow>,
}

/// The columns of an affiliate the Due view reads.
#[derive(Debug, FromQueryResult)]
struct Payee {
    id: Uuid,
    campaign_id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
    payout_email: Option<String>,
}

/// (affiliate, Σ due, count, oldest due, newest due).
type DueGroup = (Uuid, i64, i64, DateTime<Utc>, DateTime<Utc>);

/// Who is payable by `method` now. One grouped query over the due
/// commissions, then the affiliates and campaigns it names.
pub async fn due(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    currency: &str,
    method: PayoutMethod,
) -> ServiceResult<DueView> {
    due_view(conn, store_id, None, currency, method).await
}

/// One affiliate's line of the Due view (what their next payout would be,
/// or why there is none yet): the dashboards' "next payout" estimate, by
/// the same rules. None when nothing due is waiting.
pub async fn due_of_affiliate(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    affiliate_id: AffiliateId,
    currency: &str,
    method: PayoutMethod,
) -> ServiceResult<Option<DueRow>> {
    let view = due_view(conn, store_id, Some(affiliate_id), currency, method).await?;
    Ok(view.rows.into_iter().chain(view.held_back).next())
}

async fn due_view(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    only: Option<AffiliateId>,
    currency: &str,
    method: PayoutMethod,
) -> ServiceResult<DueView> {
    let mut query = commission::Entity::find()
        .select_only()
        .column(commission::Column::AffiliateId)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(commission::Column::DueAt.min(), "first_due")
        .column_as(commission::Column::DueAt.max(), "last_due")
        .filter(commission::Column::StoreId.eq(store_id.0))
        // Spelled out, not bound: only then can the planner match the
        // partial index that holds exactly these rows (000013, 000024).
        .filter(Expr::cust(format!(
            "status = '{}'",
            CommissionStatus::Due.as_str()
        )))
        .filter(commission::Column::PayoutId.is_null());
    if let Some(id) = only {
        query = query.filter(commission::Column::AffiliateId.eq(id.0));
    }
    let groups: Vec<DueGroup> = query
        .group_by(commission::Column::AffiliateId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut affiliates = HashMap::new();
    let ids: Vec<Uuid> = groups.iter().map(|g| g.0).collect();
    for chunk in ids.chunks(500) {
        // Only what a row shows and the rule reads: a whole affiliate row
        // costs more to read than the due money itself (the dashboard's
        // queue reads every payable affiliate).
        for a in affiliate::Entity::find()
            .select_only()
            .columns([
                affiliate::Column::Id,
                affiliate::Column::CampaignId,
                affiliate::Column::Email,
                affiliate::Column::FirstName,
                affiliate::Column::LastName,
                affiliate::Column::PayoutEmail,
            ])
            .filter(affiliate::Column::StoreId.eq(store_id.0))
            .filter(affiliate::Column::Id.is_in(chunk.to_vec()))
            .into_model::<Payee>()
            .all(conn)
            .await?
        {
            affiliates.insert(a.id, a);
        }
    }
    let minimums: HashMap<Uuid, i64> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .column(campaign::Column::MinimumPayoutMinor)
        .filter(campaign::Column::StoreId.eq(store_id.0))
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let cur = currency_of(currency);
    let mut view = DueView::default();
    for (affiliate_id, amount_minor, count, first, last) in groups {
        let Some(a) = affiliates.get(&affiliate_id) else {
            continue;
        };
        let minimum_minor = minimums.get(&a.campaign_id).copied().unwrap_or(0);
        let rules = Rules {
            minimum_minor,
            method,
            has_payout_email: a.payout_email.as_deref().is_some_and(|e| !e.is_empty()),
        };
        let held_back = check_eligible(amount_minor, count as usize, rules)
            .err()
            .map(|why| why.message(|m| format_minor(m, cur)));
        let row = DueRow {
            affiliate_id,
            email: a.email.clone(),
            name: format!("{} {}", a.first_name, a.last_name)
                .trim()
                .to_owned(),
            payout_email: a.payout_email.clone(),
            amount_minor,
            count,
            period_start: first,
            period_end: last,
            minimum_minor,
            held_back,
        };
        if row.held_back.is_none() {
            view.total_minor = view.total_minor.saturating_add(amount_minor);
            view.rows.push(row);
        } else {
            view.held_back.push(row);
        }
    }
    view.rows.sort_by(|a, b| {
        b.amount_minor
            .cmp(&a.amount_minor)
            .then(a.affiliate_id.cmp(&b.affiliate_id))
    });
    view.held_back.sort_by_key(|r| r.affiliate_id);
    Ok(view)
}
