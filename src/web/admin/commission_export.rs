//! The Commissions list's filtered set as CSV, streamed in keyset chunks.

use actix_web::{HttpResponse, web};
use uuid::Uuid;

use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::services::commissions::{self, CommissionFilter, FilterText};
use crate::web::extractors::Staff;
use crate::web::{AppState, WebError};

/// A CSV field: quoted when needed; text that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
pub(crate) fn csv_text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The filtered set as CSV, streamed in keyset chunks: any size, bounded memory.
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    f: web::Query<FilterText>,
) -> Result<HttpResponse, WebError> {
    let filter = CommissionFilter::parse(&f).map_err(|errors| WebError::Validation {
        message: "Some filters are not valid.".into(),
        errors,
    })?;
    let db = state.db.clone();
    let store_id = staff.access.id();
    const HEADER: &str = "id,created_at,affiliate_id,affiliate_email,campaign_id,kind,status,sale_amount,amount,original_amount,currency,due_at,payout_id,remarks\n";
    let stream = futures_util::stream::unfold(Some((None::<Uuid>, true)), move |cursor| {
        let db = db.clone();
        let filter = filter.clone();
        async move {
            let (after, first) = cursor?;
            let read = async {
                let chunk = commissions::export_chunk(&db, store_id, &filter, after, 500).await?;
                let names =
                    commissions::affiliates_of(&db, store_id, chunk.iter().map(|c| c.affiliate_id))
                        .await?;
                Ok::<_, crate::services::ServiceError>((chunk, names))
            };
            // A failed chunk aborts the download: never a shorter file that
            // looks complete, nor rows with their emails left blank.
            let (chunk, names) = match read.await {
                Ok(read) => read,
                Err(e) => {
                    tracing::error!(error = %e, "commission export failed");
                    return Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        None,
                    ));
                }
            };
            let mut out = String::new();
            if first {
                out.push_str(HEADER);
            }
            for c in &chunk {
                let cur = Currency::parse(&c.currency).unwrap_or(Currency::USD);
                let e = crate::domain::commission_edit::earning(
                    c.status,
                    c.kind,
                    c.amount_minor,
                    c.original_amount_minor,
                );
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    c.id,
                    c.created_at.to_rfc3339(),
                    c.affiliate_id,
                    csv_text(
                        names
                            .get(&c.affiliate_id)
                            .map(|a| a.email.as_str())
                            .unwrap_or("")
                    ),
                    c.campaign_id.map(|k| k.to_string()).unwrap_or_default(),
                    c.kind,
                    c.status,
                    format_minor(c.sale_amount_minor, cur),
                    format_minor(e.amount_minor, cur),
                    format_minor(e.original_minor, cur),
                    c.currency,
                    c.due_at.to_rfc3339(),
                    c.payout_id.map(|p| p.to_string()).unwrap_or_default(),
                    csv_text(c.remarks.as_deref().unwrap_or("")),
                ));
            }
            let next = if chunk.len() == 500 {
                chunk.last().map(|c| (Some(c.id), false))
            } else {
                None
            };
            if out.is_empty() {
                return None;
            }
            Some((Ok::<_, actix_web::Error>(web::Bytes::from(out)), next))
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"commissions.csv\"",
        ))
        .streaming(stream))
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
