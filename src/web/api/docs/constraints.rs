//! What the server checks, said in the document: the words a status or kind
//! field takes (from the domain's own lists), money and percent grammars
//! (`domain::money::parse_signed`, `domain::percent::parse_percent`), text
//! bounds (`domain::text::required_text`) and number ranges. utoipa's derive
//! cannot take constants, so they are set here, in one table per shape, and
//! `a_documented_constraint_names_a_real_field` keeps the table honest.

use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{OpenApi, RefOr};

use crate::domain::affiliate::AffiliateStatus;
use crate::domain::commission_void::VoidReason;
use crate::domain::money::MAX_MAJOR;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::states::{CommissionKind, CommissionStatus, ReferralSource, ReferralState};

/// A free-text field after trimming: at least one visible character, no
/// control characters.
const TEXT: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// `parse_signed` for a two-decimal currency: digits, at most two decimals
/// that are not zeros, at most 10^12.
const AMOUNT: &str = r"^[ \t\n\r]*0*([0-9]{1,12}(\.[0-9]{1,2}0*)?|1000000000000(\.0+)?)[ \t\n\r]*$";
/// `parse_percent`: 0 to 100 with at most two decimals, an optional `%`.
/// [`AMOUNT`] above zero.
const POSITIVE_AMOUNT: &str = r"^[ \t\n\r]*0*([1-9][0-9]{0,11}(\.[0-9]{1,2}0*)?|0\.(0[1-9]|[1-9][0-9]?)0*|1000000000000(\.0+)?)[ \t\n\r]*$";
/// [`SIGNED_AMOUNT`] but zero.
const NONZERO_AMOUNT: &str = r"^[ \t\n\r]*[-+]?0*([1-9][0-9]{0,11}(\.[0-9]{1,2}0*)?|0\.(0[1-9]|[1-9][0-9]?)0*|1000000000000(\.0+)?)[ \t\n\r]*$";
const PERCENT: &str =
    r"^[ \t\n\r]*0*([0-9]{1,2}(\.[0-9]{1,2}0*)?|100(\.0+)?)[ \t\n\r]*%?[ \t\n\r]*$";
/// Filter dates run from 2000 to 2099 (`services::commissions` filters).
const YEARS: &str = r"^20[0-9]{2}-";
const TOKEN: &str = r"^[ \t\n\r]*[A-Za-z0-9_-]{2,64}[ \t\n\r]*$";
const WEB_URL: &str = r"^https?://[a-z0-9]+(\.[a-z0-9]+)*(/[A-Za-z0-9._~/-]*)?$";

#[derive(Clone, Copy)]
enum Shape {
    Text(usize),
    Email,
    Words(fn() -> Vec<&'static str>),
    Amount,
    PositiveAmount,
    NonZeroAmount,
    /// A date (`2026-01-31`) or a time (RFC 3339).
    DateOrTime,
    /// An array of ids with at least one.
    Ids,
    Percent,
    Token,
    WebUrl,
    Int(i64, i64),
    Uuid,
}

fn words<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

fn affiliate_statuses() -> Vec<&'static str> {
    words(&AffiliateStatus::ALL, AffiliateStatus::as_str)
}
fn new_affiliate_statuses() -> Vec<&'static str> {
    vec![
        AffiliateStatus::Pending.as_str(),
        AffiliateStatus::Approved.as_str(),
    ]
}
fn commission_statuses() -> Vec<&'static str> {
    words(CommissionStatus::ALL, CommissionStatus::as_str)
}
fn commission_kinds() -> Vec<&'static str> {
    words(CommissionKind::ALL, CommissionKind::as_str)
}
fn payout_statuses() -> Vec<&'static str> {
    words(PayoutStatus::ALL, PayoutStatus::as_str)
}
fn payout_methods() -> Vec<&'static str> {
    words(PayoutMethod::ALL, PayoutMethod::as_str)
}
fn payout_date_fields() -> Vec<&'static str> {
    use crate::services::payouts::PayoutDate;
    words(PayoutDate::ALL, PayoutDate::as_str)
}
fn referral_states() -> Vec<&'static str> {
    words(ReferralState::ALL, ReferralState::as_str)
}
fn referral_sources() -> Vec<&'static str> {
    words(ReferralSource::ALL, ReferralSource::as_str)
}
fn void_reasons() -> Vec<&'static str> {
    words(VoidReason::ALL, VoidReason::as_str)
}
fn visibilities() -> Vec<&'static str> {
    vec!["public", "invite_only"]
}
fn commission_types() -> Vec<&'static str> {
    use crate::domain::campaign::CommissionType as T;
    words(&[T::Percentage, T::Fixed], T::as_str)
}
fn recurrings() -> Vec<&'static str> {
    use crate::domain::campaign::Recurring as R;
    words(
        &[R::FirstPayment, R::Payments, R::Months, R::Lifetime],
        R::as_str,
    )
}
fn attributions() -> Vec<&'static str> {
    use crate::domain::campaign::Attribution as A;
    words(&[A::FirstClick, A::LastClick], A::as_str)
}

use Shape::*;

/// (component schema, property, shape). Nullability stays what the field's
/// Rust type says.
const PROPERTIES: &[(&str, &str, Shape)] = &[
    ("AffiliateBody", "status", Words(affiliate_statuses)),
    ("AffiliateCreate", "email", Email),
    ("AffiliateCreate", "first_name", Text(100)),
    ("AffiliateCreate", "last_name", Text(100)),
    ("AffiliateCreate", "payout_email", Email),
    ("AffiliateCreate", "external_customer_id", Text(255)),
    ("AffiliateCreate", "commission_percent", Percent),
    ("AffiliateCreate", "discount_percent", Percent),
    ("AffiliateCreate", "status", Words(new_affiliate_statuses)),
    ("AffiliateCreate", "link_token", Token),
    ("AffiliateWrite", "email", Email),
    ("AffiliateWrite", "first_name", Text(100)),
    ("AffiliateWrite", "last_name", Text(100)),
    ("AffiliateWrite", "payout_email", Email),
    ("AffiliateWrite", "external_customer_id", Text(255)),
    ("AffiliateWrite", "commission_percent", Percent),
    ("AffiliateWrite", "discount_percent", Percent),
    ("CampaignBody", "visibility", Words(visibilities)),
    ("CampaignBody", "commission_type", Words(commission_types)),
    ("CampaignBody", "recurring", Words(recurrings)),
    ("CampaignBody", "attribution", Words(attributions)),
    ("CampaignWrite", "name", Text(100)),
    ("CampaignWrite", "website_url", WebUrl),
    ("CampaignWrite", "visibility", Words(visibilities)),
    ("CampaignWrite", "commission_type", Words(commission_types)),
    ("CampaignWrite", "commission_value", Amount),
    ("CampaignWrite", "recurring", Words(recurrings)),
    ("CampaignWrite", "recurring_limit", Int(1, 1200)),
    ("CampaignWrite", "cookie_days", Int(1, 365)),
    ("CampaignWrite", "attribution", Words(attributions)),
    ("CampaignWrite", "discount_percent", Percent),
    ("CampaignWrite", "hold_days", Int(0, 365)),
    ("CampaignWrite", "minimum_payout", Amount),
    ("CommissionRule", "type", Words(commission_types)),
    ("CommissionRule", "value", Amount),
    ("CommissionBody", "status", Words(commission_statuses)),
    ("CommissionBody", "kind", Words(commission_kinds)),
    ("CommissionWrite", "amount", Amount),
    ("CommissionWrite", "void_reason", Words(void_reasons)),
    ("CommissionWrite", "void_note", Text(1000)),
    ("CouponCreate", "code", Token),
    ("CouponCreate", "external_id", Text(255)),
    ("CouponWrite", "code", Token),
    ("CouponWrite", "external_id", Text(255)),
    ("PayoutBody", "status", Words(payout_statuses)),
    ("PayoutBody", "method", Words(payout_methods)),
    ("PayoutCreate", "method", Words(payout_methods)),
    ("PayoutCreate", "affiliate_ids", Ids),
    ("PayoutRecord", "amount", PositiveAmount),
    ("AdjustmentCreate", "amount", NonZeroAmount),
    ("AdjustmentCreate", "reason", Text(500)),
    ("VoidPayout", "void_reason", Text(500)),
    ("ReferralBody", "state", Words(referral_states)),
    ("ReferralBody", "source", Words(referral_sources)),
    ("ReferralCreate", "email", Email),
    ("ReferralCreate", "external_customer_id", Text(255)),
    ("ReferralWrite", "email", Email),
    ("ReferralWrite", "external_customer_id", Text(255)),
    ("LeadCreate", "email", Email),
    ("LeadCreate", "external_customer_id", Text(255)),
    ("SaleCreate", "external_id", Text(255)),
    ("SaleCreate", "amount", PositiveAmount),
    ("SaleCreate", "tax", Amount),
    // Any code is taken (upper-cased; an unknown one is a warning), not
    // only a coupon-shaped one.
    ("SaleCreate", "coupon_code", Text(64)),
    ("SaleCreate", "external_customer_id", Text(255)),
    ("SaleCreate", "customer_email", Email),
    ("RefundCreate", "amount", PositiveAmount),
    ("RefundCreate", "reason", Text(1000)),
    ("RefundCreate", "external_id", Text(255)),
    ("LinkCreate", "token", Token),
    ("LinkCreate", "url", WebUrl),
    ("LinkWrite", "token", Token),
    ("LinkWrite", "url", WebUrl),
];

/// (component schema, property) of optional text that the server takes as
/// absent when blank (`given` in `services::sales`; a link's `url`, which
/// then is the campaign's website): the document allows "" besides the
/// property's own shape.
const BLANK_IS_ABSENT: &[(&str, &str)] = &[
    ("SaleCreate", "coupon_code"),
    ("SaleCreate", "external_customer_id"),
    ("SaleCreate", "customer_email"),
    ("RefundCreate", "amount"),
    ("RefundCreate", "reason"),
    ("RefundCreate", "external_id"),
    ("LinkCreate", "url"),
    ("LinkWrite", "url"),
];

/// (query parameter, shape) for every operation that has it; an empty
/// value means "no filter" wherever the server reads these.
const QUERY: &[(&str, &str, Shape)] = &[
    ("/api/v1/affiliates", "status", Words(affiliate_statuses)),
    ("/api/v1/commissions", "status", Words(commission_statuses)),
    ("/api/v1/commissions", "kind", Words(commission_kinds)),
    ("/api/v1/commissions", "affiliate_id", Uuid),
    ("/api/v1/commissions", "campaign_id", Uuid),
    ("/api/v1/commissions", "sale_id", Uuid),
    (
        "/api/v1/commissions/totals",
        "status",
        Words(commission_statuses),
    ),
    (
        "/api/v1/commissions/totals",
        "kind",
        Words(commission_kinds),
    ),
    ("/api/v1/commissions/totals", "affiliate_id", Uuid),
    ("/api/v1/commissions/totals", "campaign_id", Uuid),
    ("/api/v1/commissions/totals", "sale_id", Uuid),
    ("/api/v1/commissions", "from", DateOrTime),
    ("/api/v1/commissions", "until", DateOrTime),
    ("/api/v1/commissions/totals", "from", DateOrTime),
    ("/api/v1/commissions/totals", "until", DateOrTime),
    ("/api/v1/commissions/{id}", "reason", Words(void_reasons)),
    ("/api/v1/payouts", "status", Words(payout_statuses)),
    ("/api/v1/payouts", "method", Words(payout_methods)),
    ("/api/v1/payouts", "date_field", Words(payout_date_fields)),
    ("/api/v1/payouts", "from", DateOrTime),
    ("/api/v1/payouts", "until", DateOrTime),
    ("/api/v1/referrals", "state", Words(referral_states)),
];

pub fn declare(doc: &mut OpenApi) {
    let schemas = &mut doc
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    for (schema, field, shape) in PROPERTIES {
        let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(*schema) else {
            panic!("no schema {schema} to constrain");
        };
        let Some(property) = object.properties.get_mut(*field) else {
            panic!("{schema} has no property {field}");
        };
        let nullable = accepts_null(property);
        let description = description_of(property);
        let built = build(*shape, nullable, description);
        *property = RefOr::T(if BLANK_IS_ABSENT.contains(&(*schema, *field)) {
            or_empty(built)
        } else {
            built
        });
    }
    for (path, name, shape) in QUERY {
        let item = doc
            .paths
            .paths
            .get_mut(*path)
            .unwrap_or_else(|| panic!("no path {path}"));
        let mut found = false;
        for op in [&mut item.get, &mut item.delete].into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p
                    && p.name == *name
                {
                    p.schema = Some(RefOr::T(or_empty(build(*shape, false, None))));
                    found = true;
                }
            }
        }
        assert!(found, "{path} has no query parameter {name}");
    }
    // Every list's cursor: an id from a previous page, or empty for the first.
    for item in doc.paths.paths.values_mut() {
        for p in item
            .get
            .iter_mut()
            .flat_map(|op| op.parameters.iter_mut().flatten())
        {
            if let RefOr::T(p) = p
                && p.name == "starting_after"
            {
                p.schema = Some(RefOr::T(or_empty(build(Uuid, false, None))));
            }
        }
    }
}

fn accepts_null(schema: &RefOr<Schema>) -> bool {
    let text = serde_json::to_string(schema).unwrap_or_default();
    text.contains("\"null\"")
}

fn description_of(schema: &RefOr<Schema>) -> Option<String> {
    match schema {
        RefOr::T(Schema::Object(o)) => o.description.clone(),
        RefOr::T(Schema::OneOf(o)) => o.description.clone(),
        _ => None,
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn build(shape: Shape, nullable: bool, description: Option<String>) -> Schema {
    let decimal = |pattern: &str, min: i64| -> Schema {
        // A number or a decimal string: JSON numbers are read exactly too.
        Schema::OneOf(
            OneOfBuilder::new()
                .item(string().pattern(Some(pattern)))
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::Number)
                        .minimum(Some(min as f64))
                        .maximum(Some(MAX_MAJOR as f64))
                        .multiple_of(Some(0.01)),
                )
                .build(),
        )
    };
    let schema = match shape {
        Text(max) => Schema::Object(string().pattern(Some(TEXT)).max_length(Some(max)).build()),
        Email => Schema::Object(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
                .max_length(Some(254))
                .build(),
        ),
        Words(list) => Schema::Object(string().enum_values(Some(list())).build()),
        Amount => decimal(AMOUNT, 0),
        PositiveAmount => positive_decimal(POSITIVE_AMOUNT, false),
        NonZeroAmount => positive_decimal(NONZERO_AMOUNT, true),
        DateOrTime => Schema::AnyOf(
            AnyOfBuilder::new()
                .item(
                    string()
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                        .pattern(Some(YEARS)),
                )
                .item(
                    string()
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                        .pattern(Some(YEARS)),
                )
                .build(),
        ),
        Ids => Schema::Array(
            utoipa::openapi::schema::ArrayBuilder::new()
                .items(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))))
                .min_items(Some(1))
                .build(),
        ),
        Percent => Schema::OneOf(
            OneOfBuilder::new()
                .item(string().pattern(Some(PERCENT)))
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::Number)
                        .minimum(Some(0.0))
                        .maximum(Some(100.0))
                        .multiple_of(Some(0.01)),
                )
                .build(),
        ),
        Token => Schema::Object(string().pattern(Some(TOKEN)).build()),
        WebUrl => Schema::Object(
            string()
                .pattern(Some(WEB_URL))
                .max_length(Some(2048))
                .build(),
        ),
        Int(min, max) => Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(min as f64))
                .maximum(Some(max as f64))
                .build(),
        ),
        Uuid => Schema::Object(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                .build(),
        ),
    };
    let schema = if nullable {
        Schema::OneOf(
            OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .item(schema)
                .build(),
        )
    } else {
        schema
    };
    with_description(schema, description)
}

/// A decimal string, or a number at least one cent away from zero (on both
/// sides when `signed`).
fn positive_decimal(pattern: &str, signed: bool) -> Schema {
    let above = ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(0.01))
        .maximum(Some(MAX_MAJOR as f64))
        .multiple_of(Some(0.01));
    let mut one_of = OneOfBuilder::new()
        .item(string().pattern(Some(pattern)))
        .item(above);
    if signed {
        one_of = one_of.item(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(-(MAX_MAJOR as f64)))
                .maximum(Some(-0.01))
                .multiple_of(Some(0.01)),
        );
    }
    Schema::OneOf(one_of.build())
}

fn with_description(schema: Schema, description: Option<String>) -> Schema {
    match schema {
        Schema::Object(mut o) => {
            o.description = description;
            Schema::Object(o)
        }
        Schema::OneOf(mut o) => {
            o.description = description;
            Schema::OneOf(o)
        }
        other => other,
    }
}

/// A filter the server reads as absent when empty.
fn or_empty(schema: Schema) -> Schema {
    Schema::AnyOf(
        AnyOfBuilder::new()
            .item(schema)
            .item(string().max_length(Some(0)))
            .build(),
    )
}
