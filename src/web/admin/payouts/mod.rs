//! The Payouts pages: the Due view (select some or all → payouts), the
//! list (status tabs, affiliate, method, created or paid date range, totals
//! by status, keyset pages), a payout's page with Mark paid and Void in
//! place (htmx), the affiliate's money box (balance split, payouts, Record
//! payout and Adjust balance), and the exports, streamed: PayPal Payouts
//! and Wise batch files of selected pending payouts, the list's CSV.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::money::format_minor;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::{AffiliateId, Currency, PayoutId};
use crate::services::commissions::Commission;
use crate::services::paging::PageRequest;
use crate::services::payouts::Payout;
use crate::services::payouts::{
    self, AdjustInput, CreateInput, MarkPaidInput, PayoutFilter, RecordInput,
};
use crate::web::extractors::Staff;
use crate::web::shell::{Shell, flash};
use crate::web::{AppState, WebError, page, see_other};

mod due;
pub use due::*;
mod list;
pub use list::*;
mod show;
pub use show::*;
mod csv;
pub use csv::*;
mod money;
pub use money::*;

fn currency(staff: &Staff) -> Currency {
    Currency::parse(&staff.access.store.currency).unwrap_or(Currency::USD)
}

fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

fn fragment(html: String, message: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "HX-Trigger",
            serde_json::json!({"flash": message}).to_string(),
        ))
        .body(html)
}

// --- Due view ----------------------------------------------------------------

// --- List ----------------------------------------------------------------------

// --- One payout ----------------------------------------------------------------

// --- Exports (PayPal, Wise, the list's CSV) ----------------------------------------

// --- The affiliate's money box ---------------------------------------------------
