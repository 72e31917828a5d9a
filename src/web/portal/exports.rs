//! CSV exports of the affiliate's own commissions and payouts, streamed in
//! keyset chunks like the admin CSVs (any size, bounded memory). The chunks
//! come from `services::portal::lists`, filtered by the session's store and
//! affiliate.

use std::future::Future;

use actix_web::{HttpResponse, web};
use futures_util::stream;
use uuid::Uuid;

use super::principal::CurrentAffiliate;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::services::ServiceResult;
use crate::services::portal::lists::{self, CommissionRow, PayoutRow};
use crate::web::admin::commission_export::csv_text;
use crate::web::{AppState, WebError};

const CHUNK: u64 = 500;

fn amount(minor: i64, currency: &str) -> String {
    format_minor(minor, Currency::parse(currency).unwrap_or(Currency::USD))
}

/// Streams `header`, then `line` of each row of each chunk `fetch` gives
/// after the last row's id, until a short chunk.
fn csv_stream<T, F, Fut>(
    header: &'static str,
    fetch: F,
    id: fn(&T) -> Uuid,
    line: fn(&T) -> String,
    filename: &'static str,
) -> HttpResponse
where
    T: 'static,
    F: Fn(Option<Uuid>) -> Fut + Clone + 'static,
    Fut: Future<Output = ServiceResult<Vec<T>>> + 'static,
{
    let body = stream::unfold(Some((None::<Uuid>, true)), move |cursor| {
        let fetch = fetch.clone();
        async move {
            let (after, first) = cursor?;
            let chunk = match fetch(after).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "portal export failed");
                    return Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        None,
                    ));
                }
            };
            let mut out = String::new();
            if first {
                out.push_str(header);
            }
            for row in &chunk {
                out.push_str(&line(row));
            }
            let next = if chunk.len() as u64 == CHUNK {
                chunk.last().map(|r| (Some(id(r)), false))
            } else {
                None
            };
            if out.is_empty() {
                return None;
            }
            Some((Ok::<_, actix_web::Error>(web::Bytes::from(out)), next))
        }
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body)
}

fn commission_line(c: &CommissionRow) -> String {
    format!(
        "{},{},{},{},{},{},{},{}\n",
        c.id,
        c.created_at.to_rfc3339(),
        c.kind,
        c.status,
        amount(c.amount_minor, &c.currency),
        csv_text(&c.currency),
        c.sale_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        c.due_at.to_rfc3339(),
    )
}

fn payout_line(p: &PayoutRow) -> String {
    format!(
        "{},{},{},{},{},{},{},{}\n",
        p.id,
        p.created_at.to_rfc3339(),
        p.status,
        p.method,
        amount(p.amount_minor, &p.currency),
        csv_text(&p.currency),
        p.paid_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        csv_text(p.reference.as_deref().unwrap_or("")),
    )
}

pub async fn commissions(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
) -> Result<HttpResponse, WebError> {
    let (db, store_id, affiliate_id) =
        (state.db.clone(), current.store_id(), current.affiliate_id());
    Ok(csv_stream(
        "id,created_at,kind,status,amount,currency,sale_at,due_at\n",
        move |after| {
            let db = db.clone();
            async move { lists::commissions(&db, store_id, affiliate_id, None, after, CHUNK).await }
        },
        |c| c.id,
        commission_line,
        "commissions.csv",
    ))
}

pub async fn payouts(
    state: web::Data<AppState>,
    current: CurrentAffiliate,
) -> Result<HttpResponse, WebError> {
    let (db, store_id, affiliate_id) =
        (state.db.clone(), current.store_id(), current.affiliate_id());
    Ok(csv_stream(
        "id,created_at,status,method,amount,currency,paid_at,reference\n",
        move |after| {
            let db = db.clone();
            async move { lists::payouts_after(&db, store_id, affiliate_id, after, CHUNK).await }
        },
        |p| p.id,
        payout_line,
        "payouts.csv",
    ))
}
