//! The payout exports, streamed in keyset batches (any size, one batch in
//! memory): the PayPal Payouts bulk file and the Wise batch file of the
//! checked pending external payouts, and the generic CSV of the list's
//! filtered set.

use std::future::Future;

use super::*;
use crate::services::ServiceError;
use crate::services::payouts::{PayoutFilterText, TransferRow};

/// Rows per database batch of an export.
const BATCH: u64 = 1000;

/// A text field, always quoted; text a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets a `'` in front.
pub(super) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// What one batch of an export wrote, and the cursor of the next (None:
/// it was the last).
pub(super) struct Batch {
    text: String,
    next: Option<Uuid>,
}

impl Batch {
    fn of<T>(rows: &[T], id: impl Fn(&T) -> Uuid, line: impl Fn(&T) -> String) -> Self {
        Batch {
            text: rows.iter().map(&line).collect(),
            next: if rows.len() as u64 == BATCH {
                rows.last().map(id)
            } else {
                None
            },
        }
    }
}

/// A CSV download: `header`, then the batches `fetch(cursor)` returns until
/// one is the last. A failed batch aborts the response, so a broken
/// download never looks like a complete, shorter file.
pub(super) fn stream_csv<F, Fut>(filename: &str, header: &'static str, fetch: F) -> HttpResponse
where
    F: Fn(Option<Uuid>) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Batch, ServiceError>> + 'static,
{
    enum At {
        Start,
        After(Uuid),
        Done,
    }
    let stream = futures_util::stream::unfold(At::Start, move |at| {
        let fetch = fetch.clone();
        async move {
            let after = match at {
                At::Done => return None,
                At::Start => None,
                At::After(id) => Some(id),
            };
            match fetch(after).await {
                Ok(batch) => {
                    let mut text = batch.text;
                    if after.is_none() {
                        text.insert_str(0, header);
                    }
                    if text.is_empty() {
                        return None; // an empty chunk would end the body early
                    }
                    let next = batch.next.map_or(At::Done, At::After);
                    Some((Ok::<_, actix_web::Error>(web::Bytes::from(text)), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "CSV export batch failed");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        At::Done,
                    ))
                }
            }
        }
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(stream)
}

/// The checked payouts (`id=…` repeated); none checked: every pending
/// external payout.
fn checked(query: &[(String, String)]) -> Vec<PayoutId> {
    query
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok().map(PayoutId))
        .collect()
}

/// A transfer file of the checked pending external payouts, one line each.
fn transfer_file(
    state: &AppState,
    staff: &Staff,
    query: &[(String, String)],
    filename: &str,
    header: &'static str,
    line: fn(&TransferRow) -> String,
) -> HttpResponse {
    let only = std::sync::Arc::new(checked(query));
    let store_id = staff.access.id();
    let db = state.db.clone();
    stream_csv(filename, header, move |after| {
        let (db, only) = (db.clone(), only.clone());
        async move {
            let filter = (!only.is_empty()).then_some(only.as_slice());
            let rows = payouts::transfer_rows(&db, store_id, filter, after, BATCH).await?;
            Ok(Batch::of(&rows, |r| r.payout_id, line))
        }
    })
}

fn amount_of(r: &TransferRow) -> String {
    format_minor(
        r.amount_minor,
        Currency::parse(&r.currency).unwrap_or(Currency::USD),
    )
}

/// PayPal Payouts bulk file: recipient, amount, currency, the payout id
/// (PayPal's unique id column) and a note naming it; no header row.
pub async fn paypal_csv(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    Ok(transfer_file(
        &state,
        &staff,
        &query,
        "paypal-payouts.csv",
        "",
        |r| {
            format!(
                "{},{},{},{},{}\r\n",
                csv_field(&r.email),
                amount_of(r),
                r.currency,
                csv_field(&r.payout_id.to_string()),
                csv_field(&format!("Tributary payout {}", r.payout_id)),
            )
        },
    ))
}

/// The columns of Wise's batch payment file for recipients paid by email.
pub const WISE_HEADER: &str = "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency\r\n";

/// The reference a Wise transfer carries: the end of the payout id (the
/// part that is random in a time-ordered id), short enough for the
/// currencies whose banks allow few characters.
pub fn wise_reference(payout_id: Uuid) -> String {
    let hex = payout_id.simple().to_string();
    format!("TRB-{}", &hex[20..])
}

/// Wise batch payment file (recipients paid by email): one transfer per
/// checked pending external payout, of the exact amount the affiliate is
/// owed (`amountCurrency` = target: the fees are the store's), in the
/// payout's currency on both sides.
pub async fn wise_csv(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    Ok(transfer_file(
        &state,
        &staff,
        &query,
        "wise-batch.csv",
        WISE_HEADER,
        |r| {
            format!(
                "{},{},{},PERSON,target,{},{},{}\r\n",
                csv_field(&r.name),
                csv_field(&r.email),
                csv_field(&wise_reference(r.payout_id)),
                amount_of(r),
                r.currency,
                r.currency,
            )
        },
    ))
}

const EXPORT_HEADER: &str = "id,created_at,affiliate_id,affiliate_name,affiliate_email,amount,currency,method,status,commission_count,period_start,period_end,reference,comment,paid_at,voided_at,void_reason\r\n";

/// The Payouts list's filtered set (status tab, affiliate, method, date
/// range) as CSV, newest first, streamed in keyset batches. A bad filter is
/// the form's error naming the field, never a file of something else.
pub async fn export_csv(
    state: web::Data<AppState>,
    staff: Staff,
    f: web::Query<PayoutFilterText>,
) -> Result<HttpResponse, WebError> {
    let filter = PayoutFilter::parse(&f).map_err(|errors| WebError::Validation {
        message: "Some filters are not valid.".into(),
        errors,
    })?;
    let store_id = staff.access.id();
    let db = state.db.clone();
    Ok(stream_csv("payouts.csv", EXPORT_HEADER, move |after| {
        let (db, filter) = (db.clone(), filter.clone());
        async move {
            let rows = payouts::export_rows(&db, store_id, &filter, after, BATCH).await?;
            Ok(Batch::of(&rows, |r| r.payout.id, export_line))
        }
    }))
}

fn export_line(r: &payouts::ExportRow) -> String {
    let p = &r.payout;
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let text = |t: &Option<String>| csv_field(t.as_deref().unwrap_or(""));
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
        p.id,
        p.created_at.to_rfc3339(),
        p.affiliate_id,
        csv_field(&r.affiliate_name),
        csv_field(&r.affiliate_email),
        format_minor(
            p.amount_minor,
            Currency::parse(&p.currency).unwrap_or(Currency::USD)
        ),
        p.currency,
        p.method,
        p.status,
        p.commission_count,
        time(p.period_start),
        time(p.period_end),
        text(&p.reference),
        text(&p.comment),
        time(p.paid_at),
        time(p.voided_at),
        text(&p.void_reason),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Ann"), "\"Ann\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
    }

    #[test]
    fn a_wise_reference_is_short_and_ends_the_payout_id() {
        let id = Uuid::parse_str("0193e3c4-5b6a-7c8d-9e0f-a1b2c3d4e5f6").unwrap();
        assert_eq!(wise_reference(id), "TRB-a1b2c3d4e5f6");
    }
}
