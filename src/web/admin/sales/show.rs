//! One sale: its referral, its commissions with their status, its refunds
//! and its audit trail.

use actix_web::{HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::money;
use crate::domain::audit_text::{self, Entry, Part};
use crate::domain::reattribution::may_reattribute;
use crate::domain::{AffiliateId, Currency, ReferralId, SaleId};
use crate::services::{affiliates, referrals, sales};
use crate::web::extractors::Staff;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

pub struct CommissionRow {
    pub affiliate_id: Uuid,
    pub affiliate: String,
    pub amount: String,
    pub status: String,
    pub kind: String,
    pub due: String,
}

pub struct RefundRow {
    pub amount: String,
    pub reason: String,
    pub external_id: String,
    pub when: String,
}

pub struct TrailRow {
    pub when: String,
    pub sentence: Vec<Part>,
}

#[derive(Template)]
#[template(path = "admin/sales/show.html")]
struct ShowPage {
    shell: Shell,
    s: sales::Sale,
    amount: String,
    tax: String,
    net: String,
    refunded: String,
    when: String,
    affiliate: Option<String>,
    referral_label: Option<String>,
    unknown_coupon: bool,
    commissions: Vec<CommissionRow>,
    refunds: Vec<RefundRow>,
    trail: Vec<TrailRow>,
    csrf: String,
    /// Why the attribution cannot be undone or moved now, if it cannot.
    locked: Option<String>,
    none_chosen: Vec<crate::web::admin::affiliates::picker::Choice>,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let s = sales::get(&state.db, store_id, SaleId(*id)).await?;
    let c = Currency::parse(&s.currency).unwrap_or(Currency::USD);
    let referral = match s.referral_id {
        Some(r) => referrals::get(&state.db, store_id, ReferralId(r))
            .await
            .ok(),
        None => None,
    };
    let commissions = sales::commissions_of(&state.db, store_id, SaleId(s.id)).await?;
    let mut who: Vec<AffiliateId> = commissions
        .iter()
        .map(|c| AffiliateId(c.affiliate_id))
        .collect();
    who.extend(s.affiliate_id.map(AffiliateId));
    let names = affiliates::names(&state.db, store_id, &who).await?;
    let refunds = sales::refunds_of(&state.db, store_id, SaleId(s.id)).await?;
    let trail = sales::audit_of(&state.db, store_id, SaleId(s.id)).await?;
    let unknown_coupon = sales::unknown_coupons(&state.db, store_id, &[&s])
        .await?
        .contains(&s.id);
    let locked = may_reattribute(commissions.iter().map(|c| (c.status, c.payout_id)))
        .err()
        .map(|e| e.0);
    let name = |a: &Uuid| names.get(a).cloned().unwrap_or_else(|| "(deleted)".into());
    let subjects = crate::services::audit::names(&state.db, store_id, &trail).await?;
    page(&ShowPage {
        shell: Shell::for_staff(&staff, "sales"),
        csrf: staff.csrf.clone(),
        locked,
        none_chosen: vec![],
        amount: money(s.amount_minor, c),
        tax: money(s.tax_minor, c),
        net: money(s.amount_minor.saturating_sub(s.tax_minor), c),
        refunded: money(s.refunded_minor, c),
        when: s.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
        affiliate: s.affiliate_id.as_ref().map(name),
        referral_label: referral.map(|r| r.email.unwrap_or_else(|| "anonymous visitor".into())),
        unknown_coupon,
        commissions: commissions
            .iter()
            .map(|x| CommissionRow {
                affiliate_id: x.affiliate_id,
                affiliate: name(&x.affiliate_id),
                amount: money(x.amount_minor, c),
                status: x.status.to_string(),
                kind: x.kind.to_string(),
                due: x.due_at.format("%Y-%m-%d").to_string(),
            })
            .collect(),
        refunds: refunds
            .iter()
            .map(|r| RefundRow {
                amount: money(r.amount_minor, c),
                reason: r.reason.clone().unwrap_or_default(),
                external_id: r.external_id.clone().unwrap_or_default(),
                when: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect(),
        trail: trail
            .iter()
            .map(|e| {
                let details = serde_json::from_str(&e.details).unwrap_or_default();
                TrailRow {
                    when: e.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    sentence: audit_text::sentence(
                        &Entry {
                            actor: &e.actor_label,
                            action: &e.action,
                            entity_type: &e.entity_type,
                            entity_id: e.entity_id.as_deref(),
                            details: &details,
                        },
                        &subjects,
                        c,
                    ),
                }
            })
            .collect(),
        s,
    })
}
