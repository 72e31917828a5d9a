//! Listing commissions with the page's filters, and their totals by status.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct CommissionList {
    pub data: Vec<CommissionBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommissionFilters {
    /// `pending`, `due`, `paid`, `voided` or `refunded`.
    pub status: Option<String>,
    pub affiliate_id: Option<String>,
    /// The affiliate's name or email contains this.
    pub affiliate: Option<String>,
    pub campaign_id: Option<String>,
    /// `sale`, `clawback` or `manual`.
    pub kind: Option<String>,
    pub sale_id: Option<String>,
    /// Created from this date (or time) on.
    pub from: Option<String>,
    /// Created until this date (included) or before this time.
    pub until: Option<String>,
}

impl CommissionFilters {
    fn parse(&self) -> Result<CommissionFilter, WebError> {
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        CommissionFilter::parse(&FilterText {
            status: t(&self.status),
            affiliate_id: t(&self.affiliate_id),
            affiliate: t(&self.affiliate),
            campaign_id: t(&self.campaign_id),
            kind: t(&self.kind),
            sale_id: t(&self.sale_id),
            from: t(&self.from),
            until: t(&self.until),
        })
        .map_err(|errors| WebError::Validation {
            message: "Some query parameters are not valid.".into(),
            errors,
        })
    }
}

#[utoipa::path(tag = "commissions", params(PageParams, CommissionFilters), responses((status = 200, body = CommissionList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/commissions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<CommissionFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = f.parse()?;
    let page = commissions::list(&state.db, caller.store_id(), &filter, page.request()?).await?;
    Ok(HttpResponse::Ok().json(CommissionList {
        next_cursor: if page.has_more {
            page.items.last().map(|c| c.id)
        } else {
            None
        },
        data: page.items.iter().map(CommissionBody::new).collect(),
        has_more: page.has_more,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct StatusTotalBody {
    pub status: String,
    pub count: i64,
    /// Σ of the stored amounts of this status (a voided commission counts what it was).
    pub amount: String,
}

#[derive(Serialize, ToSchema)]
pub struct CommissionTotals {
    pub currency: String,
    pub by_status: Vec<StatusTotalBody>,
    /// A status's sum is beyond the range amounts are kept in: it is left out.
    pub too_large: bool,
}

/// Count and amount by status of the filtered set (the list's filters).
#[utoipa::path(tag = "commissions", params(CommissionFilters), responses((status = 200, body = CommissionTotals), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/commissions/totals")]
pub async fn totals(
    state: web::Data<AppState>,
    caller: ApiCaller,
    f: web::Query<CommissionFilters>,
) -> Result<HttpResponse, WebError> {
    let filter = f.parse()?;
    let t = commissions::totals(&state.db, caller.store_id(), &filter).await?;
    let currency = Currency::parse(&caller.store.currency).unwrap_or(Currency::USD);
    Ok(HttpResponse::Ok().json(CommissionTotals {
        currency: currency.code().to_owned(),
        by_status: t
            .by_status
            .iter()
            .map(|s| StatusTotalBody {
                status: s.status.to_string(),
                count: s.count,
                amount: format_minor(s.amount_minor, currency),
            })
            .collect(),
        too_large: t.too_large,
    }))
}
