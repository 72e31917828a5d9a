//! Attributing a sale by hand, and correcting it: pick an affiliate, see
//! what commission will result (the confirm page), then confirm; undo an
//! attribution, or move it to another affiliate, while its commission is
//! unpaid.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::money;
use crate::domain::{AffiliateId, Currency, SaleId};
use crate::services::sales::{self, AttributeSaleError, ReattributeError, Recorded};
use crate::services::{UseCaseError, affiliates};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

#[derive(Deserialize)]
pub struct AttributeForm {
    #[serde(default)]
    affiliate_id: String,
}

fn affiliate_of(form: &AttributeForm) -> Result<AffiliateId, WebError> {
    Uuid::parse_str(form.affiliate_id.trim())
        .map(AffiliateId)
        .map_err(|_| WebError::validation("affiliate_id", "choose an affiliate of this store"))
}

/// What a (previewed or made) attribution earns, in a sentence.
fn outcome(recorded: &Recorded) -> String {
    match (&recorded.commission, &recorded.note) {
        (Some(c), _) => {
            let currency = Currency::parse(&c.currency).unwrap_or(Currency::USD);
            format!(
                "a commission of {} ({} until {})",
                money(c.amount_minor, currency),
                c.status,
                c.due_at.format("%Y-%m-%d")
            )
        }
        (None, Some(why)) => format!("no commission: {why}"),
        (None, None) => "no commission".into(),
    }
}

#[derive(Template)]
#[template(path = "admin/sales/attribute.html")]
struct ConfirmPage {
    shell: Shell,
    csrf: String,
    sale_id: Uuid,
    external_id: String,
    amount: String,
    affiliate_id: Uuid,
    affiliate: String,
    /// The affiliate it is attributed to now, for a move.
    current: Option<String>,
    /// What the current attribution earns and will be voided.
    voids: Vec<String>,
    result: String,
}

/// `GET /admin/sales/{id}/attribution?affiliate_id=`: what attributing (or
/// moving) the sale to this affiliate will do, before anything is written.
pub async fn confirm(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Query<AttributeForm>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let sale_id = SaleId(*id);
    let to = affiliate_of(&form)?;
    let sale = sales::get(&state.db, store_id, sale_id).await?;
    let currency = Currency::parse(&sale.currency).unwrap_or(Currency::USD);
    let preview = match sale.affiliate_id {
        None => {
            sales::preview_attribution(&state.db, &staff.access.store, &staff.actor(), sale_id, to)
                .await
                .map_err(|e| e.map_refusal(ReattributeError::Attribute))
        }
        Some(_) => {
            sales::preview_move(&state.db, &staff.access.store, &staff.actor(), sale_id, to).await
        }
    };
    let recorded = match preview {
        Ok(r) => r,
        Err(UseCaseError::Refused(why)) => {
            flash(&staff.session, "error", why.to_string());
            return Ok(see_other(&format!("/admin/sales/{}", sale_id.0)));
        }
        Err(UseCaseError::Failed(e)) => return Err(e.into()),
    };
    let mut who = vec![to];
    who.extend(sale.affiliate_id.map(AffiliateId));
    let names = affiliates::names(&state.db, store_id, &who).await?;
    let name = |a: &Uuid| names.get(a).cloned().unwrap_or_else(|| "(deleted)".into());
    let voids = if sale.affiliate_id.is_some() {
        sales::commissions_of(&state.db, store_id, sale_id)
            .await?
            .iter()
            .filter(|c| c.status.is_live())
            .map(|c| {
                format!(
                    "{} ({}) of {}",
                    money(c.amount_minor, currency),
                    c.status,
                    name(&c.affiliate_id)
                )
            })
            .collect()
    } else {
        vec![]
    };
    page(&ConfirmPage {
        shell: Shell::for_staff(&staff, "sales"),
        csrf: staff.csrf.clone(),
        sale_id: sale.id,
        external_id: sale.external_id.clone(),
        amount: money(sale.amount_minor, currency),
        affiliate_id: to.0,
        affiliate: name(&to.0),
        current: sale.affiliate_id.as_ref().map(name),
        voids,
        result: outcome(&recorded),
    })
}

/// `POST /admin/sales/{id}/attribution`: attribute an unattributed sale.
pub async fn attribute(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<AttributeForm>,
) -> Result<HttpResponse, WebError> {
    let to = affiliate_of(&form)?;
    match sales::attribute_manually(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        SaleId(*id),
        to,
    )
    .await
    {
        Ok(recorded) => flash(
            &staff.session,
            "success",
            format!("Sale attributed; {}.", outcome(&recorded)),
        ),
        Err(UseCaseError::Refused(
            why @ (AttributeSaleError::AlreadyAttributed | AttributeSaleError::FullyRefunded),
        )) => flash(&staff.session, "error", why.to_string()),
        Err(UseCaseError::Failed(e)) => return Err(e.into()),
    }
    Ok(see_other("/admin/sales"))
}

/// `POST /admin/sales/{id}/attribution/move`: give it to another affiliate.
pub async fn move_to(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<AttributeForm>,
) -> Result<HttpResponse, WebError> {
    let to = affiliate_of(&form)?;
    match sales::move_attribution(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        SaleId(*id),
        to,
    )
    .await
    {
        Ok(recorded) => flash(
            &staff.session,
            "success",
            format!(
                "Attribution moved; its earlier commission was voided; {}.",
                outcome(&recorded)
            ),
        ),
        Err(UseCaseError::Refused(why)) => flash(&staff.session, "error", why.to_string()),
        Err(UseCaseError::Failed(e)) => return Err(e.into()),
    }
    Ok(see_other(&format!("/admin/sales/{}", *id)))
}

/// `POST /admin/sales/{id}/attribution/undo`: the sale becomes unattributed.
pub async fn undo(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    match sales::undo_attribution(&state.db, &staff.access.store, &staff.actor(), SaleId(*id)).await
    {
        Ok(undone) => flash(
            &staff.session,
            "success",
            match undone.voided.len() {
                0 => "Attribution undone; the sale is unattributed.".to_owned(),
                n => format!("Attribution undone; {n} commission(s) voided."),
            },
        ),
        Err(UseCaseError::Refused(why)) => flash(&staff.session, "error", why.to_string()),
        Err(UseCaseError::Failed(e)) => return Err(e.into()),
    }
    Ok(see_other(&format!("/admin/sales/{}", *id)))
}
