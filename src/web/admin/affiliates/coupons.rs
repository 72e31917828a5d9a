//! An affiliate's coupons, a sub-resource of the affiliate:
//! `POST /admin/affiliates/{id}/coupons` adds one, `POST /admin/coupons/{id}/delete`
//! removes one. A refused form is shown again on the affiliate's page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use super::show::{AddForms, show_page};
use crate::domain::{AffiliateId, CouponId};
use crate::services::coupons::{self, CouponInput};
use crate::services::{ServiceError, affiliates};
use crate::web::extractors::Staff;
use crate::web::shell::flash;
use crate::web::{AppState, WebError, see_other};

#[derive(Deserialize)]
pub struct CouponForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    external_id: String,
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    form: web::Form<CouponForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    // Another store's affiliate is a 404 before any field check.
    affiliates::get(&state.db, staff.access.id(), AffiliateId(*id)).await?;
    let input = CouponInput {
        code: Some(form.code.clone()),
        external_id: Some(form.external_id.clone()),
    };
    match coupons::create(
        &state.db,
        staff.access.id(),
        &staff.actor(),
        AffiliateId(*id),
        input,
    )
    .await
    {
        Ok(c) => {
            flash(
                &staff.session,
                "success",
                format!("Coupon {} added.", c.code),
            );
            Ok(see_other(&format!("/admin/affiliates/{id}#coupons")))
        }
        Err(ServiceError::Validation(errors)) => {
            show_page(
                &state,
                &staff,
                *id,
                StatusCode::UNPROCESSABLE_ENTITY,
                AddForms {
                    coupon: (form.code, form.external_id),
                    coupon_errors: errors,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, WebError> {
    let c = coupons::get(&state.db, staff.access.id(), CouponId(*id)).await?;
    coupons::delete(&state.db, staff.access.id(), &staff.actor(), CouponId(*id)).await?;
    flash(
        &staff.session,
        "success",
        format!("Coupon {} deleted.", c.code),
    );
    Ok(see_other(&format!(
        "/admin/affiliates/{}#coupons",
        c.affiliate_id
    )))
}
