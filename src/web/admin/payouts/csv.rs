//! The PayPal Payouts bulk CSV of pending payouts, streamed.

use super::*;

pub(super) fn csv_field(s: &str) -> String {
    // Quote always; a leading = + - @ would be a formula in a spreadsheet.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// PayPal Payouts bulk file (recipient, amount, currency, note with the
/// payout id) of the checked pending payouts, or of every pending external
/// payout when none is checked; written in batches as it is read.
pub async fn paypal_csv(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let only: Vec<PayoutId> = query
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok().map(PayoutId))
        .collect();
    let store_id = staff.access.id();
    let db = state.db.clone();
    let stream = futures_util::stream::unfold((Some(None::<Uuid>), only), move |(cursor, only)| {
        let db = db.clone();
        async move {
            let after = cursor?;
            let filter = if only.is_empty() {
                None
            } else {
                Some(only.as_slice())
            };
            match payouts::paypal_rows(&db, store_id, filter, after, 1000).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => {
                    let mut out = String::new();
                    for r in &batch {
                        let c = Currency::parse(&r.currency).unwrap_or(Currency::USD);
                        out.push_str(&format!(
                            "{},{},{},{},{}\r\n",
                            csv_field(&r.email),
                            format_minor(r.amount_minor, c),
                            r.currency,
                            csv_field(&r.payout_id.to_string()),
                            csv_field(&format!("Tributary payout {}", r.payout_id)),
                        ));
                    }
                    let next = batch.last().map(|r| r.payout_id);
                    Some((
                        Ok::<_, actix_web::Error>(web::Bytes::from(out)),
                        (Some(next), only),
                    ))
                }
                Err(e) => {
                    tracing::error!(error = %e, "PayPal CSV batch failed");
                    None
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"paypal-payouts.csv\"",
        ))
        .streaming(stream))
}
