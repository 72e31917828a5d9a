//! `/api/v1/store_credits`: credit granted by store-credit payouts, for the store's backend to apply.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct StoreCreditBody {
    /// The payout that granted it.
    pub id: Uuid,
    pub customer: Option<String>,
    pub affiliate_id: Uuid,
    pub amount: String,
    pub currency: String,
    /// `pending` or `paid`: granted; `voided`: take it back.
    pub status: String,
    pub comment: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub voided_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct StoreCreditList {
    pub data: Vec<StoreCreditBody>,
    pub has_more: bool,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoreCreditFilters {
    /// The store's customer id (the affiliate's `external_customer_id`).
    pub customer: Option<String>,
}

/// Store credit granted by payouts, for the store's backend to apply.
#[utoipa::path(tag = "payouts", params(PageParams, StoreCreditFilters), responses((status = 200, body = StoreCreditList), (status = 401, body = ErrorBody)))]
#[get("/store_credits")]
pub async fn store_credits(
    state: web::Data<AppState>,
    caller: ApiCaller,
    page: web::Query<PageParams>,
    f: web::Query<StoreCreditFilters>,
) -> Result<HttpResponse, WebError> {
    let customer = f
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let page =
        payouts::store_credits(&state.db, caller.store_id(), customer, page.request()?).await?;
    let data = page
        .items
        .iter()
        .map(|p| {
            let currency =
                crate::domain::Currency::parse(&p.currency).unwrap_or(crate::domain::Currency::USD);
            StoreCreditBody {
                id: p.id,
                customer: p.external_customer_id.clone(),
                affiliate_id: p.affiliate_id,
                amount: format_minor(p.amount_minor, currency),
                currency: p.currency.clone(),
                status: p.status.to_string(),
                comment: p.comment.clone(),
                created_at: p.created_at,
                voided_at: p.voided_at,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(StoreCreditList {
        next_cursor: if page.has_more {
            page.items.last().map(|p| p.id)
        } else {
            None
        },
        data,
        has_more: page.has_more,
    }))
}
