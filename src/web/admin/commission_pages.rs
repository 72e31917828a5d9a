//! A commission's own page (its sale, referral, ledger entries, payout and
//! audit trail, with the edit and void forms or, once paid, the clawback
//! offer), and the manual commission form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::commissions::{EditForm, Row};
use crate::domain::commission_void::VoidReason;
use crate::domain::money::format_minor;
use crate::domain::states::CommissionStatus;
use crate::domain::{CommissionId, Currency, ReferralId, SaleId, ValidationErrors};
use crate::services::audit::AuditEntry;
use crate::services::commissions::Commission;
use crate::services::commissions::{self, CommissionForCreate};
use crate::services::ledger::LedgerEntry;
use crate::services::referrals::Referral;
use crate::services::sales::Sale;
use crate::services::{ServiceError, affiliates, campaigns, referrals, sales};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, render, see_other};

pub struct LedgerLine {
    pub kind: String,
    pub amount: String,
    pub when: String,
}

/// A part split off this commission by a recorded payout.
pub struct PartLine {
    pub id: Uuid,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "admin/commissions/show.html")]
struct ShowPage {
    shell: Shell,
    row: Row,
    c: Commission,
    sale: Option<Sale>,
    sale_amount: String,
    referral: Option<Referral>,
    ledger: Vec<LedgerLine>,
    parts: Vec<PartLine>,
    audit: Vec<AuditEntry>,
    form: EditForm,
    errors: ValidationErrors,
    reasons: Vec<(String, String)>,
    void_reason: String,
    clawback_url: String,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = commissions::get(&state.db, staff.access.id(), CommissionId(*id)).await?;
    let currency = Currency::parse(&c.currency).unwrap_or(Currency::USD);
    let form = EditForm {
        amount: format_minor(c.amount_minor, currency),
        due_date: c.due_at.format("%Y-%m-%d").to_string(),
        remarks: c.remarks.clone().unwrap_or_default(),
    };
    show_with(&state, &staff, *id, form, ValidationErrors::new()).await
}

/// The page with the edit form as sent and its messages (422 when any).
pub async fn show_with(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    form: EditForm,
    errors: ValidationErrors,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let c = commissions::get(&state.db, store_id, CommissionId(id)).await?;
    let currency = Currency::parse(&c.currency).unwrap_or(Currency::USD);
    let names =
        commissions::affiliates_of(&state.db, store_id, std::iter::once(c.affiliate_id)).await?;
    let sale = match c.sale_id {
        Some(s) => sales::get(&state.db, store_id, SaleId(s)).await.ok(),
        None => None,
    };
    let referral = match c.referral_id {
        Some(r) => referrals::get(&state.db, store_id, ReferralId(r))
            .await
            .ok(),
        None => None,
    };
    let ledger = commissions::ledger_entries(&state.db, store_id, CommissionId(id))
        .await?
        .iter()
        .map(|e: &LedgerEntry| LedgerLine {
            kind: e.kind.to_string(),
            amount: format_minor(e.amount_minor, currency),
            when: e.created_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    let parts = commissions::parts_of(&state.db, store_id, CommissionId(id))
        .await?
        .iter()
        .map(|p| PartLine {
            id: p.id,
            amount: format_minor(p.amount_minor, currency),
            status: p.status.to_string(),
        })
        .collect();
    let audit = commissions::audit_trail(&state.db, store_id, CommissionId(id)).await?;
    let clawback_url = {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("affiliate_id", &c.affiliate_id.to_string());
        if let Some(k) = c.campaign_id {
            q.append_pair("campaign_id", &k.to_string());
        }
        if let Some(r) = c.referral_id {
            q.append_pair("referral_id", &r.to_string());
        }
        q.append_pair("sale_amount", &format_minor(c.sale_amount_minor, currency));
        q.append_pair("amount", &format_minor(-c.amount_minor, currency));
        q.append_pair("status", CommissionStatus::Due.as_str());
        q.append_pair("remarks", &format!("Clawback of commission {}", c.id));
        format!("/admin/commissions/new?{}", q.finish())
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ShowPage {
            shell: Shell::for_staff(staff, "commissions"),
            row: Row::new(&c, names.get(&c.affiliate_id)),
            sale_amount: format_minor(c.sale_amount_minor, currency),
            c,
            sale,
            referral,
            ledger,
            parts,
            audit,
            form,
            errors,
            reasons: VoidReason::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
                .collect(),
            void_reason: String::new(),
            clawback_url,
        },
    )
}

#[derive(Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    void_reason: String,
    #[serde(default)]
    void_note: String,
}

pub async fn void(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<VoidForm>,
) -> Result<HttpResponse, WebError> {
    match commissions::void(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        CommissionId(*id),
        Some(&form.void_reason),
        Some(&form.void_note),
    )
    .await
    {
        Ok(_) => flash(&staff.session, "success", "Commission voided."),
        Err(ServiceError::Conflict(m)) => flash(&staff.session, "error", m),
        Err(ServiceError::Validation(e)) => {
            flash(&staff.session, "error", format!("Not voided: {e}."))
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&format!("/admin/commissions/{id}")))
}

#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    pub affiliate_id: String,
    #[serde(default)]
    pub campaign_id: String,
    #[serde(default)]
    pub referral_id: String,
    #[serde(default)]
    pub customer_email: String,
    #[serde(default)]
    pub sale_amount: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub admin_earned_amount: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub remarks: String,
    #[serde(default)]
    pub external_payment_id: String,
}

#[derive(Template)]
#[template(path = "admin/commissions/new.html")]
struct NewPage {
    shell: Shell,
    form: NewForm,
    errors: ValidationErrors,
    affiliates: Vec<(String, String)>,
    campaigns: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
}

async fn new_page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    form: NewForm,
    errors: ValidationErrors,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let mut affiliate_options = vec![(String::new(), "Choose…".to_owned())];
    affiliate_options.extend(
        affiliates::list(
            &state.db,
            store_id,
            &affiliates::ListQuery {
                sort: affiliates::Sort::Name,
                limit: 500,
                ..Default::default()
            },
        )
        .await?
        .items
        .iter()
        .filter(|a| a.anonymized_at.is_none())
        .map(|a| {
            (
                a.id.to_string(),
                format!("{} ({})", affiliates::display_name(a), a.email),
            )
        }),
    );
    let mut campaign_options = vec![(String::new(), "The affiliate's campaign".to_owned())];
    campaign_options.extend(
        campaigns::list_all(&state.db, store_id)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name)),
    );
    render(
        status,
        &NewPage {
            shell: Shell::for_staff(staff, "commissions"),
            form,
            errors,
            affiliates: affiliate_options,
            campaigns: campaign_options,
            statuses: vec![
                (
                    CommissionStatus::Pending.to_string(),
                    "Pending (due after the hold period)".to_owned(),
                ),
                (
                    CommissionStatus::Due.to_string(),
                    "Due (in the balance now)".to_owned(),
                ),
            ],
        },
    )
}

pub async fn new(
    state: web::Data<AppState>,
    staff: Staff,
    prefill: web::Query<NewForm>,
) -> Result<HttpResponse, WebError> {
    new_page(
        &state,
        &staff,
        StatusCode::OK,
        prefill.into_inner(),
        ValidationErrors::new(),
    )
    .await
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<NewForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let f = form.clone();
    let some = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let input = CommissionForCreate {
        affiliate_id: some(f.affiliate_id),
        campaign_id: some(f.campaign_id),
        referral_id: some(f.referral_id),
        customer_email: some(f.customer_email),
        sale_amount: Some(f.sale_amount),
        amount: Some(f.amount),
        admin_earned_amount: some(f.admin_earned_amount),
        date: some(f.date),
        status: some(f.status),
        remarks: some(f.remarks),
        external_payment_id: some(f.external_payment_id),
    };
    match commissions::create(&state.db, &staff.access.store, &staff.actor(), input).await {
        Ok(c) => {
            flash(&staff.session, "success", "Manual commission recorded.");
            Ok(see_other(&format!("/admin/commissions/{}", c.id)))
        }
        Err(ServiceError::Validation(errors)) => {
            new_page(
                &state,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
