//! A campaign's rules, parsed from text fields shared by the form and the
//! API, so both surfaces give the same message for the same mistake.

use super::money::{format_minor, parse_amount};
use super::percent::{format_bp, parse_percent};
use super::web_url::parse_web_url;
use super::{Currency, ValidationErrors, text::required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommissionType {
    Percentage,
    Fixed,
}

impl CommissionType {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "percentage" => Ok(Self::Percentage),
            "fixed" => Ok(Self::Fixed),
            _ => Err("must be percentage or fixed".into()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Percentage => "percentage",
            Self::Fixed => "fixed",
        }
    }
}

/// A commission rule: basis points of the sale, or a fixed amount in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commission {
    pub kind: CommissionType,
    /// Basis points when `Percentage`, minor units when `Fixed`.
    pub value: i64,
}

impl Commission {
    pub fn parse(
        kind: &str,
        value: &str,
        currency: Currency,
    ) -> Result<Self, (Option<String>, Option<String>)> {
        let kind = CommissionType::parse(kind).map_err(|e| (Some(e), None))?;
        let value = match kind {
            CommissionType::Percentage => parse_percent(value),
            CommissionType::Fixed => parse_amount(value, currency).map_err(String::from),
        }
        .map_err(|e| (None, Some(e)))?;
        Ok(Self { kind, value })
    }

    /// The value as typed in forms and returned by the API: "12.5" or "10.00".
    pub fn value_text(&self, currency: Currency) -> String {
        match self.kind {
            CommissionType::Percentage => format_bp(self.value),
            CommissionType::Fixed => format_minor(self.value, currency),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurring {
    FirstPayment,
    Payments,
    Months,
    Lifetime,
}

impl Recurring {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "first_payment" => Ok(Self::FirstPayment),
            "payments" => Ok(Self::Payments),
            "months" => Ok(Self::Months),
            "lifetime" => Ok(Self::Lifetime),
            _ => Err("must be first_payment, payments, months or lifetime".into()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstPayment => "first_payment",
            Self::Payments => "payments",
            Self::Months => "months",
            Self::Lifetime => "lifetime",
        }
    }
    pub fn needs_limit(self) -> bool {
        matches!(self, Self::Payments | Self::Months)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    FirstClick,
    LastClick,
}

impl Attribution {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "first_click" => Ok(Self::FirstClick),
            "last_click" => Ok(Self::LastClick),
            _ => Err("must be first_click or last_click".into()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstClick => "first_click",
            Self::LastClick => "last_click",
        }
    }
}

/// The campaign as text, the way a form or a JSON body gives it.
#[derive(Debug, Clone, Default)]
pub struct CampaignFields {
    pub name: String,
    pub website_url: String,
    pub is_default: bool,
    /// `public` or `invite_only`.
    pub visibility: String,
    pub approval_required: bool,
    /// The portal shows referred customers' emails in full (default: masked).
    pub show_customer_emails: bool,
    /// Affiliates may make their own links in the portal (default: no).
    pub affiliates_can_create_links: bool,
    pub commission_type: String,
    pub commission_value: String,
    pub recurring: String,
    /// Empty unless `recurring` is `payments` or `months`.
    pub recurring_limit: String,
    /// Empty for no first-payment override.
    pub first_payment_type: String,
    pub first_payment_value: String,
    pub cookie_days: String,
    pub attribution: String,
    pub discount_percent: String,
    pub hold_days: String,
    pub minimum_payout: String,
}

impl CampaignFields {
    /// What a new campaign form starts with.
    pub fn defaults() -> Self {
        Self {
            visibility: "public".into(),
            approval_required: true,
            commission_type: "percentage".into(),
            commission_value: "20".into(),
            recurring: "lifetime".into(),
            cookie_days: "60".into(),
            attribution: "first_click".into(),
            discount_percent: "0".into(),
            hold_days: "30".into(),
            minimum_payout: "0".into(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRules {
    pub name: String,
    pub website_url: String,
    pub is_default: bool,
    pub public: bool,
    pub approval_required: bool,
    pub show_customer_emails: bool,
    pub affiliates_can_create_links: bool,
    pub commission: Commission,
    pub recurring: Recurring,
    pub recurring_limit: Option<i32>,
    pub first_payment: Option<Commission>,
    pub cookie_days: i32,
    pub attribution: Attribution,
    pub discount_bp: i64,
    pub hold_days: i32,
    pub minimum_payout_minor: i64,
}

fn parse_days(input: &str, min: i32, max: i32) -> Result<i32, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    let value: i32 = text
        .parse()
        .map_err(|_| format!("must be a whole number from {min} to {max}"))?;
    if !(min..=max).contains(&value) {
        return Err(format!("must be between {min} and {max}"));
    }
    Ok(value)
}

impl CampaignRules {
    pub fn parse(f: &CampaignFields, currency: Currency) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", required_text(&f.name, 100));
        let website_url = e.check(
            "website_url",
            parse_web_url(&f.website_url, 2048).map(|u| u.to_string()),
        );
        let public = e.check(
            "visibility",
            match f.visibility.trim() {
                "public" => Ok(true),
                "invite_only" => Ok(false),
                _ => Err("must be public or invite_only".to_string()),
            },
        );
        let commission = match Commission::parse(&f.commission_type, &f.commission_value, currency)
        {
            Ok(c) => Some(c),
            Err((kind, value)) => {
                if let Some(m) = kind {
                    e.add("commission_type", m);
                }
                if let Some(m) = value {
                    e.add("commission_value", m);
                }
                None
            }
        };
        let recurring = e.check("recurring", Recurring::parse(&f.recurring));
        let recurring_limit = match recurring {
            Some(r) if r.needs_limit() => e
                .check("recurring_limit", parse_days(&f.recurring_limit, 1, 1200))
                .map(Some),
            Some(_) if !f.recurring_limit.trim().is_empty() => {
                e.add(
                    "recurring_limit",
                    "applies only when recurring is payments or months",
                );
                None
            }
            _ => Some(None),
        };
        let first_payment = if f.first_payment_type.trim().is_empty() {
            Some(None)
        } else {
            match Commission::parse(&f.first_payment_type, &f.first_payment_value, currency) {
                Ok(c) => Some(Some(c)),
                Err((kind, value)) => {
                    if let Some(m) = kind {
                        e.add("first_payment_type", m);
                    }
                    if let Some(m) = value {
                        e.add("first_payment_value", m);
                    }
                    None
                }
            }
        };
        let cookie_days = e.check("cookie_days", parse_days(&f.cookie_days, 1, 365));
        let attribution = e.check("attribution", Attribution::parse(&f.attribution));
        let discount_bp = e.check("discount_percent", parse_percent(&f.discount_percent));
        let hold_days = e.check("hold_days", parse_days(&f.hold_days, 0, 365));
        let minimum_payout_minor = e.check(
            "minimum_payout",
            parse_amount(&f.minimum_payout, currency).map_err(String::from),
        );
        e.clone().into_result()?;
        let missing = || ValidationErrors::single("campaign", "is incomplete");
        Ok(Self {
            name: name.ok_or_else(missing)?,
            website_url: website_url.ok_or_else(missing)?,
            is_default: f.is_default,
            public: public.ok_or_else(missing)?,
            approval_required: f.approval_required,
            show_customer_emails: f.show_customer_emails,
            affiliates_can_create_links: f.affiliates_can_create_links,
            commission: commission.ok_or_else(missing)?,
            recurring: recurring.ok_or_else(missing)?,
            recurring_limit: recurring_limit.ok_or_else(missing)?,
            first_payment: first_payment.ok_or_else(missing)?,
            cookie_days: cookie_days.ok_or_else(missing)?,
            attribution: attribution.ok_or_else(missing)?,
            discount_bp: discount_bp.ok_or_else(missing)?,
            hold_days: hold_days.ok_or_else(missing)?,
            minimum_payout_minor: minimum_payout_minor.ok_or_else(missing)?,
        })
    }
}

#[cfg(test)]
mod tests;
