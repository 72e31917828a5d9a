//! What the server checks, said in the document: the words a status or kind
//! field takes (from the domain's own lists), money and percent grammars
//! (`domain::money::parse_signed`, `domain::percent::parse_percent`), text
//! bounds (`domain::text::required_text`) and number ranges. utoipa's derive
//! cannot take constants, so they are set here, in one table per shape (the
//! shapes themselves in `shapes`); `declare` panics on a schema, property
//! or parameter the document does not have, so a stale entry fails every
//! test that loads the document.

mod shapes;

use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

use shapes::Shape::{self, *};
use shapes::*;

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
