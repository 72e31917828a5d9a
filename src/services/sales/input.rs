//! A sale as the API or a webhook gives it, parsed into domain values.

use super::*;

#[derive(Debug, Default, Clone)]
pub struct SaleInput {
    pub external_id: String,
    pub amount: String,
    pub tax: Option<String>,
    pub currency: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub referral_id: Option<String>,
    pub coupon_code: Option<String>,
    pub external_customer_id: Option<String>,
    pub customer_email: Option<String>,
    /// An import of history: the hold period runs from `occurred_at`. A sale
    /// reported live (the default) holds from when it is recorded, so a
    /// backdated `occurred_at` cannot skip the store's refund window.
    pub import: bool,
}

/// The earliest `occurred_at` a sale may have.
pub fn earliest_sale_time() -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
            .expect("a date")
            .and_hms_opt(0, 0, 0)
            .expect("a time"),
        Utc,
    )
}

pub struct Recorded {
    pub sale: sale::Model,
    pub commission: Option<commission_entity::Model>,
    /// False when the payment id was already known (the original is returned).
    pub created: bool,
    /// Why no commission was made, when none was.
    pub note: Option<String>,
    /// The sale was stored, but something it named was not found:
    /// `(field, message)`.
    pub warnings: Vec<(&'static str, &'static str)>,
}

pub(super) struct Parsed {
    pub(super) external_id: String,
    pub(super) amount: i64,
    pub(super) tax: i64,
    pub(super) occurred_at: DateTime<Utc>,
    pub(super) referral_id: Option<Uuid>,
    pub(super) coupon_key: Option<String>,
    pub(super) external_customer_id: Option<String>,
    pub(super) customer_email: Option<Email>,
    pub(super) import: bool,
}

impl Parsed {
    /// When the hold period of this sale's commission starts: the sale's
    /// own time for an import of history, else when it is recorded (`now`),
    /// or its time if that is later.
    pub(super) fn hold_from(&self, recorded_at: DateTime<Utc>) -> DateTime<Utc> {
        if self.import {
            self.occurred_at
        } else {
            recorded_at.max(self.occurred_at)
        }
    }
}

/// An optional text field: `None` when absent or blank, else trimmed.
pub(super) fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn parse(
    input: &SaleInput,
    currency: Currency,
    now: DateTime<Utc>,
) -> Result<Parsed, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let external_id = e.check("external_id", required_text(&input.external_id, 255));
    let amount = e.check(
        "amount",
        parse_amount(&input.amount, currency)
            .map_err(String::from)
            .and_then(|a| {
                if a > 0 {
                    Ok(a)
                } else {
                    Err("must be greater than 0".into())
                }
            }),
    );
    let tax = e.check(
        "tax",
        parse_amount(input.tax.as_deref().unwrap_or("0"), currency).map_err(String::from),
    );
    if let (Some(a), Some(t)) = (amount, tax)
        && t > a
    {
        e.add("tax", "must not be more than the amount");
    }
    if let Some(c) = input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        && !c.eq_ignore_ascii_case(currency.code())
    {
        e.add(
            "currency",
            format!("must be {currency}, the store's currency"),
        );
    }
    let occurred_at = input.occurred_at.map(db::stored_time).unwrap_or(now);
    if occurred_at > now + Duration::days(1) {
        e.add("occurred_at", "must not be more than a day in the future");
    } else if occurred_at < earliest_sale_time() {
        e.add("occurred_at", "must be on or after 2000-01-01T00:00:00Z");
    }
    let referral_id = match given(&input.referral_id) {
        Some(s) => e.check(
            "referral_id",
            Uuid::parse_str(s).map_err(|_| "is not a referral id".to_string()),
        ),
        None => None,
    };
    let customer_email = match given(&input.customer_email) {
        Some(s) => e.check("customer_email", Email::parse(s)),
        None => None,
    };
    let external_customer_id = match given(&input.external_customer_id) {
        Some(s) => e.check("external_customer_id", required_text(s, 255)),
        None => None,
    };
    let coupon_key = match given(&input.coupon_code) {
        Some(c) => e
            .check("coupon_code", required_text(c, 64))
            .map(|c| c.to_ascii_uppercase()),
        None => None,
    };
    e.clone().into_result()?;
    Ok(Parsed {
        external_id: external_id.expect("checked"),
        amount: amount.expect("checked"),
        tax: tax.expect("checked"),
        occurred_at,
        referral_id,
        coupon_key,
        external_customer_id,
        customer_email,
        import: input.import,
    })
}
