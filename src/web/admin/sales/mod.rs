//! The Sales page: every payment, the unattributed ones, and attributing
//! one to an affiliate by hand.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::AffiliateId;
use crate::domain::Currency;
use crate::domain::SaleId;
use crate::domain::money::format_minor;
use crate::services::affiliates;
use crate::services::paging::PageRequest;
use crate::services::sales::{self, SaleFilter};
use crate::web::extractors::Staff;
use crate::web::pager::Pager;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

mod attribution;
mod csv;
mod show;
pub use attribution::{attribute, confirm, move_to, undo};
pub use csv::export;
pub use show::show;

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    unattributed: bool,
    #[serde(default)]
    after: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// A payment id, customer id or email.
    #[serde(default)]
    q: String,
}

impl Params {
    fn filter(&self) -> SaleFilter {
        SaleFilter {
            affiliate_id: None,
            unattributed: self.unattributed,
            from: day(&self.from),
            to: day(&self.to).map(|d| d + chrono::Duration::days(1)),
            search: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
        }
    }

    /// The filter as a query string (without the page), for the next
    /// page's link and the CSV's.
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if self.unattributed {
            q.append_pair("unattributed", "true");
        }
        for (k, v) in [("from", &self.from), ("to", &self.to), ("q", &self.q)] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }
}

fn day(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| {
            chrono::Utc
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .single()
        })
}

/// An amount with its currency, as every amount on these pages is shown.
pub(super) fn money(minor: i64, c: Currency) -> String {
    format!("{} {c}", format_minor(minor, c))
}

pub struct Row {
    pub id: Uuid,
    pub external_id: String,
    pub referral_id: Option<Uuid>,
    pub amount: String,
    pub tax: String,
    pub refunded: String,
    pub affiliate: Option<String>,
    pub affiliate_id: Option<Uuid>,
    pub attribution: String,
    pub commission: String,
    pub when: String,
    /// The coupon code it was sent with, when no coupon has that code.
    pub unknown_coupon: Option<String>,
}

pub struct TotalsView {
    pub count: i64,
    pub gross: String,
    pub tax: String,
    pub net: String,
    pub refunded: String,
    pub commission: String,
}

#[derive(Template)]
#[template(path = "admin/sales/index.html")]
struct IndexPage {
    shell: Shell,
    unattributed: bool,
    from: String,
    to: String,
    q: String,
    filtered: bool,
    csv_url: String,
    totals: TotalsView,
    rows: Vec<Row>,
    pager: Pager,
    /// No affiliate is picked yet in a row's attribution form.
    none_chosen: Vec<super::affiliates::picker::Choice>,
}

/// Page rows for these sales: names, commissions and unknown coupons read
/// in one query each.
pub(super) async fn rows(
    state: &AppState,
    store_id: crate::domain::StoreId,
    items: &[sales::Sale],
) -> Result<Vec<Row>, WebError> {
    let sale_ids: Vec<SaleId> = items.iter().map(|s| SaleId(s.id)).collect();
    let affiliate_ids: Vec<AffiliateId> = items
        .iter()
        .filter_map(|s| s.affiliate_id.map(AffiliateId))
        .collect();
    let names = affiliates::names(&state.db, store_id, &affiliate_ids).await?;
    let earned = sales::earned(&state.db, store_id, &sale_ids).await?;
    let refs: Vec<&sales::Sale> = items.iter().collect();
    let unknown = sales::unknown_coupons(&state.db, store_id, &refs).await?;
    Ok(items
        .iter()
        .map(|s| {
            let c = Currency::parse(&s.currency).unwrap_or(Currency::USD);
            let earned = earned.get(&s.id).copied().unwrap_or(0);
            Row {
                id: s.id,
                external_id: s.external_id.clone(),
                referral_id: s.referral_id,
                amount: money(s.amount_minor, c),
                tax: money(s.tax_minor, c),
                refunded: if s.refunded_minor > 0 {
                    money(s.refunded_minor, c)
                } else {
                    String::new()
                },
                affiliate: s
                    .affiliate_id
                    .map(|a| names.get(&a).cloned().unwrap_or_else(|| "(deleted)".into())),
                affiliate_id: s.affiliate_id,
                attribution: s.attribution.clone(),
                commission: if s.affiliate_id.is_some() {
                    money(earned, c)
                } else {
                    String::new()
                },
                when: s.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                unknown_coupon: if unknown.contains(&s.id) {
                    s.coupon_code.clone()
                } else {
                    None
                },
            }
        })
        .collect())
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<Params>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let filter = params.filter();
    let result = sales::list(
        &state.db,
        store_id,
        &filter,
        PageRequest {
            limit: 50,
            starting_after: Uuid::parse_str(&params.after).ok(),
        },
    )
    .await?;
    let totals = sales::totals(&state.db, store_id, &filter).await?;
    let c = crate::services::campaigns::currency_of(&staff.access.store);
    let rows = rows(&state, store_id, &result.items).await?;
    let query = params.query();
    let next_url = if result.has_more {
        result.items.last().map(|s| {
            let sep = if query.is_empty() { "" } else { "&" };
            format!("/admin/sales?{query}{sep}after={}", s.id)
        })
    } else {
        None
    };
    let first_url = (!params.after.is_empty()).then(|| format!("/admin/sales?{query}"));
    page(&IndexPage {
        shell: Shell::for_staff(&staff, "sales"),
        unattributed: params.unattributed,
        from: params.from.clone(),
        to: params.to.clone(),
        q: params.q.clone(),
        filtered: filter.from.is_some() || filter.to.is_some() || filter.search.is_some(),
        csv_url: format!("/admin/sales.csv?{query}"),
        totals: TotalsView {
            count: totals.count,
            gross: money(totals.gross, c),
            tax: money(totals.tax, c),
            net: money(totals.net, c),
            refunded: money(totals.refunded, c),
            commission: money(totals.commission, c),
        },
        rows,
        pager: Pager::newest_first(first_url, next_url),
        none_chosen: vec![],
    })
}
