//! Campaign pages, one file per part: the list (`list`), the new/edit form
//! and its two posts (`form`), and archive, restore and delete
//! (`lifecycle`). Here the wording shared with other pages.

mod form;
mod lifecycle;
mod list;

use crate::domain::Currency;
use crate::domain::campaign::{Commission, Recurring};

pub use form::{create, edit, new, update};
pub use lifecycle::{archive, delete, restore};
pub use list::index;

/// A commission rule as a person reads it: "20%", "5.00 USD per sale".
pub fn describe_commission(c: Commission, currency: Currency) -> String {
    match c.kind {
        crate::domain::campaign::CommissionType::Percentage => {
            format!("{}%", c.value_text(currency))
        }
        crate::domain::campaign::CommissionType::Fixed => {
            format!("{} {} per sale", c.value_text(currency), currency)
        }
    }
}

/// How long a referral keeps earning.
pub fn describe_recurring(recurring: Recurring, limit: Option<i32>) -> String {
    match (recurring, limit) {
        (Recurring::FirstPayment, _) => "first payment only".into(),
        (Recurring::Payments, Some(n)) => format!("{n} payments"),
        (Recurring::Months, Some(n)) => format!("{n} months"),
        _ => "lifetime".into(),
    }
}
