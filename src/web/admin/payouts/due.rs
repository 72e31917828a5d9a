//! The Due view: who can be paid now, and creating their payouts.

use super::*;

pub struct DueView {
    pub affiliate_id: Uuid,
    pub name: String,
    pub payout_email: String,
    pub amount: String,
    pub count: i64,
    pub period: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "admin/payouts/due.html")]
pub(super) struct DuePage {
    shell: Shell,
    rows: Vec<DueView>,
    held_back: Vec<DueView>,
    total: String,
}

pub(super) fn due_view(r: payouts::DueRow, c: Currency) -> DueView {
    DueView {
        affiliate_id: r.affiliate_id,
        name: if r.name.is_empty() {
            r.email.clone()
        } else {
            r.name
        },
        payout_email: r.payout_email.unwrap_or_default(),
        amount: format_minor(r.amount_minor, c),
        count: r.count,
        period: format!(
            "{} – {}",
            r.period_start.format("%Y-%m-%d"),
            r.period_end.format("%Y-%m-%d")
        ),
        reason: r.held_back.unwrap_or_default(),
    }
}

pub async fn due(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let c = currency(&staff);
    let view = payouts::due(
        &state.db,
        staff.access.id(),
        &staff.access.store.currency,
        PayoutMethod::External,
    )
    .await?;
    page(&DuePage {
        shell: Shell::for_staff(&staff, "payouts"),
        total: format_minor(view.total_minor, c),
        rows: view.rows.into_iter().map(|r| due_view(r, c)).collect(),
        held_back: view.held_back.into_iter().map(|r| due_view(r, c)).collect(),
    })
}

/// `affiliate_id=…` repeated (the checked rows), or `all=1`.
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let all = form.iter().any(|(k, v)| k == "all" && v == "1");
    let mut ids = Vec::new();
    for (k, v) in form.iter() {
        if k == "affiliate_id" {
            let id = Uuid::parse_str(v.trim())
                .map_err(|_| WebError::validation("affiliate_id", "is not an affiliate id"))?;
            ids.push(AffiliateId(id));
        }
    }
    if !all && ids.is_empty() {
        flash(
            &staff.session,
            "error",
            "Select at least one affiliate to pay.",
        );
        return Ok(see_other("/admin/payouts/due"));
    }
    let created = payouts::create(
        &state.db,
        &staff.access.store,
        &staff.actor(),
        CreateInput {
            affiliate_ids: if all { None } else { Some(ids) },
            method: PayoutMethod::External,
            comment: None,
        },
    )
    .await?;
    let c = currency(&staff);
    let total: i64 = created.payouts.iter().map(|p| p.amount_minor).sum();
    let mut message = format!(
        "{} payout{} created, {} in all.",
        created.payouts.len(),
        if created.payouts.len() == 1 { "" } else { "s" },
        format_minor(total, c)
    );
    if !created.skipped.is_empty() && !all {
        message.push_str(&format!(
            " {} skipped: {}",
            created.skipped.len(),
            created.skipped[0].reason
        ));
    }
    flash(
        &staff.session,
        if created.payouts.is_empty() {
            "error"
        } else {
            "success"
        },
        message,
    );
    Ok(see_other("/admin/payouts?status=pending"))
}
