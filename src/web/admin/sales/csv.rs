//! The filtered sales as CSV, streamed a chunk at a time (keyset pages of
//! the same list, so memory stays flat however many sales match).

use actix_web::{HttpResponse, web};
use futures_util::stream;
use uuid::Uuid;

use super::{Params, rows};
use crate::services::paging::PageRequest;
use crate::services::sales;
use crate::web::extractors::Staff;
use crate::web::{AppState, WebError};

const CHUNK: u64 = 500;

const HEADER: &str = "payment_id,occurred_at,amount,tax,refunded,commission,currency,affiliate,attribution,coupon_not_found\r\n";

/// A CSV field: quoted when it must be, and a leading formula character
/// defused so a spreadsheet shows it as text.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A decimal amount without its currency (the CSV has a currency column).
fn plain(amount: &str) -> &str {
    amount.split(' ').next().unwrap_or_default()
}

pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    params: web::Query<Params>,
) -> Result<HttpResponse, WebError> {
    let store_id = staff.access.id();
    let filter = params.filter();
    // State of the stream: the cursor, or None once the last chunk is out.
    let start: Option<Option<Uuid>> = Some(None);
    let body = stream::unfold((start, true), move |(cursor, first)| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = cursor?;
            let result = async {
                let page = sales::list(
                    &state.db,
                    store_id,
                    &filter,
                    PageRequest {
                        limit: CHUNK,
                        starting_after: after,
                    },
                )
                .await?;
                let rows = rows(&state, store_id, &page.items).await?;
                let mut out = if first {
                    HEADER.to_owned()
                } else {
                    String::new()
                };
                for (s, r) in page.items.iter().zip(&rows) {
                    let line = [
                        field(&s.external_id),
                        s.occurred_at.to_rfc3339(),
                        plain(&r.amount).to_owned(),
                        plain(&r.tax).to_owned(),
                        plain(&r.refunded).to_owned(),
                        plain(&r.commission).to_owned(),
                        field(&s.currency),
                        field(r.affiliate.as_deref().unwrap_or_default()),
                        field(&s.attribution),
                        field(r.unknown_coupon.as_deref().unwrap_or_default()),
                    ]
                    .join(",");
                    out.push_str(&line);
                    out.push_str("\r\n");
                }
                let next = if page.has_more {
                    page.items.last().map(|s| Some(s.id))
                } else {
                    None
                };
                Ok::<_, WebError>((out, next))
            }
            .await;
            match result {
                Ok((out, next)) => Some((
                    Ok::<_, actix_web::Error>(web::Bytes::from(out)),
                    (next, false),
                )),
                Err(e) => {
                    tracing::error!(error = ?e, "the sales CSV stopped");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        (None, false),
                    ))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"sales.csv\""))
        .streaming(body))
}
