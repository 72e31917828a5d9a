//! The payouts list: status tabs, filters, totals, keyset pages.

use super::*;

pub struct PayoutRow {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub affiliate: String,
    pub amount: String,
    pub method: String,
    pub status: String,
    pub count: i32,
    pub created: String,
    pub pending: bool,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    affiliate_id: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    after: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/index.html")]
pub(super) struct ListPage {
    shell: Shell,
    status: String,
    method: String,
    affiliate_id: String,
    rows: Vec<PayoutRow>,
    pending_total: String,
    paid_total: String,
    voided_total: String,
    next_url: Option<String>,
}

pub(super) fn rows(
    list: &[Payout],
    names: &std::collections::HashMap<Uuid, String>,
    c: Currency,
) -> Vec<PayoutRow> {
    list.iter()
        .map(|p| PayoutRow {
            id: p.id,
            affiliate_id: p.affiliate_id,
            affiliate: names.get(&p.affiliate_id).cloned().unwrap_or_default(),
            amount: format_minor(p.amount_minor, c),
            method: p.method.to_string(),
            status: p.status.to_string(),
            count: p.commission_count,
            created: p.created_at.format("%Y-%m-%d %H:%M").to_string(),
            pending: p.status == PayoutStatus::Pending,
        })
        .collect()
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let c = currency(&staff);
    let filter = PayoutFilter {
        status: PayoutStatus::parse(&params.status).ok(),
        method: PayoutMethod::parse(&params.method).ok(),
        affiliate_id: Uuid::parse_str(params.affiliate_id.trim())
            .ok()
            .map(AffiliateId),
        customer: None,
    };
    let result = payouts::list(
        &state.db,
        store_id,
        &filter,
        PageRequest {
            limit: 50,
            starting_after: Uuid::parse_str(&params.after).ok(),
        },
    )
    .await?;
    let totals = payouts::totals(&state.db, store_id, &filter).await?;
    let ids: Vec<Uuid> = result.items.iter().map(|p| p.affiliate_id).collect();
    let names = payouts::names_of(&state.db, store_id, &ids).await?;
    let status = filter.status.map(|s| s.to_string()).unwrap_or_default();
    let method = filter.method.map(|m| m.to_string()).unwrap_or_default();
    let affiliate_id = filter
        .affiliate_id
        .map(|a| a.to_string())
        .unwrap_or_default();
    let next_url = if result.has_more {
        result.items.last().map(|p| {
            format!("/admin/payouts?status={status}&method={method}&affiliate_id={affiliate_id}&after={}", p.id)
        })
    } else {
        None
    };
    page(&ListPage {
        shell: Shell::for_staff(&staff, "payouts"),
        rows: rows(&result.items, &names, c),
        pending_total: format_minor(totals.pending_minor, c),
        paid_total: format_minor(totals.paid_minor, c),
        voided_total: format_minor(totals.voided_minor, c),
        status,
        method,
        affiliate_id,
        next_url,
    })
}
