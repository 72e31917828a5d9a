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
use crate::services::paging::PageRequest;
use crate::services::sales::{self, AttributeSaleError, SaleFilter};
use crate::services::{UseCaseError, affiliates};
use crate::web::extractors::Staff;
use crate::web::pager::Pager;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    unattributed: bool,
    #[serde(default)]
    after: String,
}

pub struct Row {
    pub id: Uuid,
    pub external_id: String,
    pub referral_id: Option<Uuid>,
    pub amount: String,
    pub refunded: String,
    pub affiliate: Option<String>,
    pub attribution: String,
    pub commission: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "admin/sales/index.html")]
struct IndexPage {
    shell: Shell,
    csrf: String,
    unattributed: bool,
    rows: Vec<Row>,
    pager: Pager,
    /// No affiliate is picked yet in a row's attribution form.
    none_chosen: Vec<super::affiliates::picker::Choice>,
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<Params>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let filter = SaleFilter {
        affiliate_id: None,
        unattributed: params.unattributed,
    };
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
    let sale_ids: Vec<SaleId> = result.items.iter().map(|s| SaleId(s.id)).collect();
    let affiliate_ids: Vec<AffiliateId> = result
        .items
        .iter()
        .filter_map(|s| s.affiliate_id.map(AffiliateId))
        .collect();
    let names = affiliates::names(&state.db, store_id, &affiliate_ids).await?;
    let earned = sales::earned(&state.db, store_id, &sale_ids).await?;
    let mut rows = Vec::new();
    for s in &result.items {
        let c = Currency::parse(&s.currency).unwrap_or(Currency::USD);
        let earned = earned.get(&s.id).copied().unwrap_or(0);
        rows.push(Row {
            id: s.id,
            external_id: s.external_id.clone(),
            referral_id: s.referral_id,
            amount: format!("{} {c}", format_minor(s.amount_minor, c)),
            refunded: if s.refunded_minor > 0 {
                format_minor(s.refunded_minor, c)
            } else {
                String::new()
            },
            affiliate: s
                .affiliate_id
                .map(|a| names.get(&a).cloned().unwrap_or_else(|| "(deleted)".into())),
            attribution: s.attribution.clone(),
            commission: if s.affiliate_id.is_some() {
                format_minor(earned, c)
            } else {
                String::new()
            },
            when: s.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
        });
    }
    let next_url = if result.has_more {
        result.items.last().map(|s| {
            format!(
                "/admin/sales?{}after={}",
                if params.unattributed {
                    "unattributed=true&"
                } else {
                    ""
                },
                s.id
            )
        })
    } else {
        None
    };
    page(&IndexPage {
        shell: Shell::for_staff(&staff, "sales"),
        csrf: staff.csrf.clone(),
        unattributed: params.unattributed,
        rows,
        pager: Pager::newest_first(None, next_url),
        none_chosen: vec![],
    })
}

#[derive(Deserialize)]
pub struct AttributeForm {
    #[serde(default)]
    affiliate_id: String,
}

pub async fn attribute(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<AttributeForm>,
) -> Result<HttpResponse, WebError> {
    let affiliate_id = Uuid::parse_str(form.affiliate_id.trim())
        .map_err(|_| WebError::validation("affiliate_id", "is not an affiliate of this store"))?;
    match sales::attribute_manually(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        SaleId(*id),
        AffiliateId(affiliate_id),
    )
    .await
    {
        Ok(recorded) => {
            let message = match (&recorded.commission, &recorded.note) {
                (Some(c), _) => format!(
                    "Sale attributed; a commission of {} was made.",
                    format_minor(
                        c.amount_minor,
                        Currency::parse(&c.currency).unwrap_or(Currency::USD)
                    )
                ),
                (None, Some(why)) => format!("Sale attributed; no commission: {why}."),
                (None, None) => "Sale attributed.".into(),
            };
            flash(&staff.session, "success", message);
        }
        Err(UseCaseError::Refused(
            why @ (AttributeSaleError::AlreadyAttributed | AttributeSaleError::FullyRefunded),
        )) => flash(&staff.session, "error", why.to_string()),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/admin/sales"))
}
