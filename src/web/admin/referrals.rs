//! Referrals pages: a filtered list and one referral's timeline (visits,
//! lead, sales, commissions), with the GDPR erasure.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::affiliates::picker::{self, Choice};
use crate::domain::CampaignId;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::domain::states::ReferralState;
use crate::domain::{AffiliateId, ReferralId};
use crate::services::affiliates::{self, display_name};
use crate::services::campaigns;
use crate::services::paging::PageRequest;
use crate::services::referrals::{self, Referral, ReferralFilter};
use crate::web::extractors::Staff;
use crate::web::pager::Pager;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    state: String,
    #[serde(default)]
    affiliate_id: String,
    #[serde(default)]
    campaign_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

pub struct FilterView {
    pub state: String,
    pub campaign_id: String,
    pub from: String,
    pub to: String,
}

pub struct Row {
    pub id: Uuid,
    pub email: Option<String>,
    pub affiliate: String,
    pub state: String,
    pub state_label: &'static str,
    pub source: String,
    pub sales: i32,
    pub started: String,
    pub self_referral: bool,
}

#[derive(Template)]
#[template(path = "admin/referrals/index.html")]
struct IndexPage {
    shell: Shell,
    filter: FilterView,
    states: Vec<(&'static str, &'static str)>,
    /// The affiliate the list is filtered by, if any.
    filter_affiliate: Vec<Choice>,
    campaigns: Vec<(String, String)>,
    rows: Vec<Row>,
    pager: Pager,
    /// The hand-made referral form: (affiliate, email, customer id).
    form: (String, String, String),
    form_affiliate: Vec<Choice>,
    errors: crate::domain::ValidationErrors,
}

fn day(text: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| Utc.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single())
}

pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<Params>,
) -> Result<HttpResponse, WebError> {
    index_page(
        &state,
        &staff,
        &params,
        Default::default(),
        Default::default(),
        actix_web::http::StatusCode::OK,
    )
    .await
}

async fn index_page(
    state: &AppState,
    staff: &Staff,
    params: &Params,
    form: (String, String, String),
    errors: crate::domain::ValidationErrors,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    state.clicks.flush().await;
    let filter = ReferralFilter {
        state: ReferralState::parse(&params.state).ok(),
        affiliate_id: (Uuid::parse_str(&params.affiliate_id).ok()).map(AffiliateId),
        campaign_id: (Uuid::parse_str(&params.campaign_id).ok()).map(CampaignId),
        email: None,
        from: day(&params.from),
        to: day(&params.to).map(|d| d + chrono::Duration::days(1)),
    };
    let page_req = PageRequest {
        limit: 50,
        starting_after: Uuid::parse_str(&params.after).ok(),
    };
    let result = referrals::list(&state.db, store_id, &filter, page_req).await?;
    let ids: Vec<AffiliateId> = result
        .items
        .iter()
        .map(|r| AffiliateId(r.affiliate_id))
        .collect();
    let names = affiliates::names(&state.db, store_id, &ids).await?;
    let rows = result
        .items
        .iter()
        .map(|r| Row {
            id: r.id,
            email: r.email.clone(),
            affiliate: names.get(&r.affiliate_id).cloned().unwrap_or_default(),
            state: r.state.to_string(),
            state_label: r.state.label(),
            source: r.source.to_string(),
            sales: r.sale_count,
            started: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
            self_referral: r.self_referral,
        })
        .collect();
    let next_url = if result.has_more {
        result.items.last().map(|r| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in [
                ("state", &params.state),
                ("affiliate_id", &params.affiliate_id),
                ("campaign_id", &params.campaign_id),
                ("from", &params.from),
                ("to", &params.to),
            ] {
                if !v.is_empty() {
                    q.append_pair(k, v);
                }
            }
            q.append_pair("after", &r.id.to_string());
            format!("/admin/referrals?{}", q.finish())
        })
    } else {
        None
    };
    let campaign_options = campaigns::list_all(&state.db, store_id)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    let filter_affiliate = picker::chosen(state, store_id, &params.affiliate_id).await?;
    let form_affiliate = picker::chosen(state, store_id, &form.0).await?;
    crate::web::render(
        status,
        &IndexPage {
            shell: Shell::for_staff(staff, "referrals"),
            form,
            errors,
            filter: FilterView {
                state: params.state.clone(),
                campaign_id: params.campaign_id.clone(),
                from: params.from.clone(),
                to: params.to.clone(),
            },
            states: std::iter::once(("", "Every state"))
                .chain(
                    ReferralState::ALL
                        .iter()
                        .map(|s| (s.as_str(), s.plural_label())),
                )
                .collect(),
            filter_affiliate,
            form_affiliate,
            campaigns: campaign_options,
            rows,
            pager: Pager::newest_first(None, next_url),
        },
    )
}

#[derive(Template)]
#[template(path = "admin/referrals/show.html")]
struct ShowPage {
    shell: Shell,
    r: Referral,
    affiliate: String,
    /// (when, what, detail), oldest first.
    timeline: Vec<(String, String, String)>,
    /// (amount, status, due, kind)
    commissions: Vec<(String, String, String, String)>,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    state.clicks.flush().await;
    let r = referrals::get(&state.db, store_id, ReferralId(*id)).await?;
    let owner = affiliates::get(&state.db, store_id, AffiliateId(r.affiliate_id)).await?;
    let t = referrals::timeline(&state.db, store_id, ReferralId(r.id)).await?;
    let currency = campaigns::currency_of(&staff.access.store);
    let fmt = |d: chrono::DateTime<Utc>| d.format("%Y-%m-%d %H:%M").to_string();
    let mut timeline: Vec<(chrono::DateTime<Utc>, String, String)> = vec![(
        r.created_at,
        "Referred".into(),
        format!("by {} ({})", display_name(&owner), r.source),
    )];
    for v in &t.visits {
        timeline.push((
            v.created_at,
            "Visit".into(),
            v.referrer
                .clone()
                .map(|x| format!("from {x}"))
                .unwrap_or_default(),
        ));
    }
    if let Some(at) = r.lead_at {
        timeline.push((at, "Signed up".into(), r.email.clone().unwrap_or_default()));
    }
    for s in &t.sales {
        let c = Currency::parse(&s.currency).unwrap_or(currency);
        timeline.push((
            s.occurred_at,
            "Sale".into(),
            format!(
                "{} {} (payment {})",
                format_minor(s.amount_minor, c),
                c,
                s.external_id
            ),
        ));
        if s.refunded_minor > 0 {
            timeline.push((
                s.created_at,
                "Refund".into(),
                format!("{} {} refunded", format_minor(s.refunded_minor, c), c),
            ));
        }
    }
    for c in &t.commissions {
        timeline.push((
            c.created_at,
            "Commission".into(),
            format!(
                "{} {} {}",
                format_minor(c.amount_minor, currency),
                currency,
                c.status
            ),
        ));
    }
    timeline.sort_by_key(|e| e.0);
    page(&ShowPage {
        shell: Shell::for_staff(&staff, "referrals"),
        affiliate: display_name(&owner),
        timeline: timeline
            .into_iter()
            .map(|(at, what, detail)| (fmt(at), what, detail))
            .collect(),
        commissions: t
            .commissions
            .iter()
            .map(|c| {
                (
                    format!("{} {}", format_minor(c.amount_minor, currency), currency),
                    c.status.to_string(),
                    fmt(c.due_at),
                    c.kind.to_string(),
                )
            })
            .collect(),
        r,
    })
}

pub async fn erase(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    referrals::erase(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        ReferralId(*id),
    )
    .await?;
    flash(
        &staff.session,
        "success",
        "The person's data was erased; their sales and commissions stay, anonymous.",
    );
    Ok(see_other(&format!("/admin/referrals/{id}")))
}

#[derive(Deserialize)]
pub struct NewReferralForm {
    #[serde(default)]
    affiliate_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    external_customer_id: String,
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<NewReferralForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let input = referrals::ManualReferral {
        affiliate_id: AffiliateId(Uuid::parse_str(form.affiliate_id.trim()).unwrap_or(Uuid::nil())),
        email: form.email.clone(),
        external_customer_id: Some(form.external_customer_id.clone()),
    };
    match referrals::create_manual(&state.db, staff.access.id(), &staff.actor(), input).await {
        Ok(r) => {
            flash(&staff.session, "success", "Referral recorded.");
            Ok(see_other(&format!("/admin/referrals/{}", r.id)))
        }
        Err(crate::services::ServiceError::Validation(errors)) => {
            let params = Params::default();
            index_page(
                &state,
                &staff,
                &params,
                (form.affiliate_id, form.email, form.external_customer_id),
                errors,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EditReferralForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    external_customer_id: String,
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<EditReferralForm>,
) -> Result<HttpResponse, WebError> {
    let changes = referrals::ReferralForUpdate {
        email: Some(form.email.clone()).filter(|e| !e.trim().is_empty()),
        external_customer_id: Some(form.external_customer_id.clone()),
    };
    match referrals::update(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        ReferralId(*id),
        changes,
    )
    .await
    {
        Ok(_) => flash(&staff.session, "success", "Referral saved."),
        Err(crate::services::ServiceError::Validation(errors)) => {
            flash(&staff.session, "error", format!("Not saved: {errors}."));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&format!("/admin/referrals/{id}")))
}
