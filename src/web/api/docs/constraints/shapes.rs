//! The shapes a constrained field or query parameter takes, as JSON
//! Schema: the server's own grammars (`domain::money`, `domain::percent`,
//! `domain::text`, `domain::link_token`, `domain::web_url`) and the words of
//! the domain's enums.

use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};

use crate::domain::affiliate::AffiliateStatus;
use crate::domain::commission_void::VoidReason;
use crate::domain::money::MAX_MAJOR;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::states::{CommissionKind, CommissionStatus, ReferralSource, ReferralState};

use Shape::*;

/// A free-text field after trimming: at least one visible character, no
/// control characters.
const TEXT: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// `parse_signed` for a two-decimal currency: digits, at most two decimals
/// that are not zeros, at most 10^12.
const AMOUNT: &str = r"^[ \t\n\r]*0*([0-9]{1,12}(\.[0-9]{1,2}0*)?|1000000000000(\.0+)?)[ \t\n\r]*$";
/// [`AMOUNT`] above zero.
const POSITIVE_AMOUNT: &str = r"^[ \t\n\r]*0*([1-9][0-9]{0,11}(\.[0-9]{1,2}0*)?|0\.(0[1-9]|[1-9][0-9]?)0*|1000000000000(\.0+)?)[ \t\n\r]*$";
/// [`POSITIVE_AMOUNT`] with an optional sign: anything but zero.
const NONZERO_AMOUNT: &str = r"^[ \t\n\r]*[-+]?0*([1-9][0-9]{0,11}(\.[0-9]{1,2}0*)?|0\.(0[1-9]|[1-9][0-9]?)0*|1000000000000(\.0+)?)[ \t\n\r]*$";
/// `parse_percent`: 0 to 100 with at most two decimals, an optional `%`.
const PERCENT: &str =
    r"^[ \t\n\r]*0*([0-9]{1,2}(\.[0-9]{1,2}0*)?|100(\.0+)?)[ \t\n\r]*%?[ \t\n\r]*$";
/// Filter dates run from 2000 to 2099 (`services::commissions` filters).
const YEARS: &str = r"^20[0-9]{2}-";
const TOKEN: &str = r"^[ \t\n\r]*[A-Za-z0-9_-]{2,64}[ \t\n\r]*$";
const WEB_URL: &str = r"^https?://[a-z0-9]+(\.[a-z0-9]+)*(/[A-Za-z0-9._~/-]*)?$";

#[derive(Clone, Copy)]
pub(super) enum Shape {
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

pub(super) fn words<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

pub(super) fn affiliate_statuses() -> Vec<&'static str> {
    words(&AffiliateStatus::ALL, AffiliateStatus::as_str)
}
pub(super) fn new_affiliate_statuses() -> Vec<&'static str> {
    vec![
        AffiliateStatus::Pending.as_str(),
        AffiliateStatus::Approved.as_str(),
    ]
}
pub(super) fn commission_statuses() -> Vec<&'static str> {
    words(CommissionStatus::ALL, CommissionStatus::as_str)
}
pub(super) fn commission_kinds() -> Vec<&'static str> {
    words(CommissionKind::ALL, CommissionKind::as_str)
}
pub(super) fn payout_statuses() -> Vec<&'static str> {
    words(PayoutStatus::ALL, PayoutStatus::as_str)
}
pub(super) fn payout_methods() -> Vec<&'static str> {
    words(PayoutMethod::ALL, PayoutMethod::as_str)
}
pub(super) fn payout_date_fields() -> Vec<&'static str> {
    use crate::services::payouts::PayoutDate;
    words(PayoutDate::ALL, PayoutDate::as_str)
}
pub(super) fn referral_states() -> Vec<&'static str> {
    words(ReferralState::ALL, ReferralState::as_str)
}
pub(super) fn referral_sources() -> Vec<&'static str> {
    words(ReferralSource::ALL, ReferralSource::as_str)
}
pub(super) fn void_reasons() -> Vec<&'static str> {
    words(VoidReason::ALL, VoidReason::as_str)
}
pub(super) fn visibilities() -> Vec<&'static str> {
    vec!["public", "invite_only"]
}
pub(super) fn commission_types() -> Vec<&'static str> {
    use crate::domain::campaign::CommissionType as T;
    words(&[T::Percentage, T::Fixed], T::as_str)
}
pub(super) fn recurrings() -> Vec<&'static str> {
    use crate::domain::campaign::Recurring as R;
    words(
        &[R::FirstPayment, R::Payments, R::Months, R::Lifetime],
        R::as_str,
    )
}
pub(super) fn attributions() -> Vec<&'static str> {
    use crate::domain::campaign::Attribution as A;
    words(&[A::FirstClick, A::LastClick], A::as_str)
}

pub(super) fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub(super) fn build(shape: Shape, nullable: bool, description: Option<String>) -> Schema {
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
pub(super) fn positive_decimal(pattern: &str, signed: bool) -> Schema {
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

pub(super) fn with_description(schema: Schema, description: Option<String>) -> Schema {
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
pub(super) fn or_empty(schema: Schema) -> Schema {
    Schema::AnyOf(
        AnyOfBuilder::new()
            .item(schema)
            .item(string().max_length(Some(0)))
            .build(),
    )
}
