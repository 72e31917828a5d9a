//! An example for every property of the document's schemas, so the docs
//! page shows requests and answers as the API really has them (a uuid, an
//! amount as "49.00", an email, an RFC 3339 time) rather than Swagger UI's
//! placeholders ("string", 0). One store's story runs through them: Acme
//! Shop's "Partners" campaign, its affiliate Jane Doe, her link `jane` and
//! coupon `JANE10`, a customer's 245.00 sale and Jane's 49.00 commission.
//! A request body whose fields exclude each other (`referral_id` or
//! `customer_email`) also gets a whole example the server accepts.
//!
//! Set after `constraints` (which rebuilds the properties it constrains);
//! an example that is not one of its property's words panics, and a
//! property with no example fails `every_schema_property_has_a_real_example`
//! (tests/api/openapi.rs), so the table cannot fall behind the schemas.

use serde_json::{Value, json};
use utoipa::openapi::schema::{AllOfBuilder, Schema};
use utoipa::openapi::{OpenApi, RefOr};

use crate::domain::affiliate::AffiliateStatus;
use crate::domain::commission_void::VoidReason;
use crate::domain::payout::{PayoutMethod, PayoutStatus};
use crate::domain::states::{CommissionStatus, ReferralSource, ReferralState};

const AFFILIATE: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a01";
const CAMPAIGN: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a02";
const LINK: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a03";
const COUPON: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a04";
const REFERRAL: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a05";
const SALE: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a06";
const COMMISSION: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a07";
const PAYOUT: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a08";
const USER: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a09";
const STORE: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a0a";
const VISITOR: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a0b";
/// The due rest of a commission a recorded payout covered in part.
const REMAINDER: &str = "0193b5f2-8c41-7d2e-9a63-2f1e4c8b5a0c";

const CREATED: &str = "2026-03-14T09:30:00Z";
const UPDATED: &str = "2026-03-20T16:05:00Z";
const DUE: &str = "2026-04-13T09:30:00Z";
const PAID: &str = "2026-04-15T10:00:00Z";

/// The row a schema describes, for its `id` and a list's `next_cursor`.
fn row_id(schema: &str) -> Option<&'static str> {
    let table: &[(&str, &str)] = &[
        ("Affiliate", AFFILIATE),
        ("Deleted", AFFILIATE),
        ("Campaign", CAMPAIGN),
        ("DeletedBody", CAMPAIGN),
        ("Link", LINK),
        ("Coupon", COUPON),
        ("Referral", REFERRAL),
        ("Sale", SALE),
        ("Commission", COMMISSION),
        ("Payout", PAYOUT),
        ("StoreCredit", PAYOUT),
        ("Store", STORE),
    ];
    // The longest prefix wins: `DeletedBody` before `Deleted`.
    table
        .iter()
        .filter(|(prefix, _)| schema.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, id)| *id)
}

/// The example of `property` in `schema`: the schema's own first, then the
/// property's name, which means the same thing in every schema.
fn example(schema: &str, property: &str) -> Option<Value> {
    let own = match (schema, property) {
        ("AffiliateBody" | "AffiliateCreate" | "AffiliateWrite", "email") => {
            json!("jane.doe@example.com")
        }
        ("AffiliateBody" | "AffiliateCreate", "status") => {
            json!(AffiliateStatus::Approved.as_str())
        }
        ("AffiliateBody", "balance") => json!("120.00"),
        ("AffiliateCreate", "balance") => json!("25.00"),
        ("AffiliateBody", "rejection_reason") => json!("The site has no content yet"),
        ("StoreBody", "name") => json!("Acme Shop"),
        ("CampaignBody" | "CampaignWrite", "name") => json!("Partners"),
        ("CommissionRule", "type") => json!("percentage"),
        ("CommissionRule", "value") => json!("30"),
        ("CampaignBody" | "CampaignWrite", "commission_value") => json!("20"),
        ("CampaignBody" | "CampaignWrite", "discount_percent") => json!("10"),
        ("CommissionBody", "status") => json!(CommissionStatus::Due.as_str()),
        ("CommissionCreate", "status") => json!(CommissionStatus::Pending.as_str()),
        ("CommissionWrite", "status") => json!(CommissionStatus::Due.as_str()),
        ("CommissionWrite" | "CommissionBody", "void_reason") => {
            json!(VoidReason::Duplicate.as_str())
        }
        ("CommissionCreate", "date") => json!("2026-03-14"),
        ("CommissionWrite", "due_at") => json!(DUE),
        ("StatusTotalBody", "status") => json!(CommissionStatus::Due.as_str()),
        ("StatusTotalBody", "amount") => json!("1470.00"),
        ("PayoutBody" | "StoreCreditBody", "status") => json!(PayoutStatus::Paid.as_str()),
        ("PayoutBody" | "PayoutCreate", "method") => json!(PayoutMethod::External.as_str()),
        ("PayoutBody", "amount") | ("PayoutRecord", "amount") => json!("147.00"),
        ("StoreCreditBody", "amount") => json!("147.00"),
        ("PayoutBody", "void_reason") | ("VoidPayout", "void_reason") => {
            json!("The bank returned the transfer")
        }
        ("PayoutBody", "external_customer_id") => json!("cus_Q2x8LmN4aB7c"),
        ("PayoutCreate" | "PayoutRecord" | "PayoutBody" | "StoreCreditBody", "comment") => {
            json!("April payout, by bank transfer")
        }
        ("SkippedBody", "reason") => {
            json!("has 12.00 due, below the campaign's minimum payout of 50.00")
        }
        ("AdjustmentCreate" | "AdjustmentBody", "amount") => json!("25.00"),
        ("AdjustmentCreate" | "AdjustmentBody", "reason") => {
            json!("Opening balance from the old system")
        }
        ("StatusChange", "reason") => json!("The site has no content yet"),
        ("ReferralBody", "state") => json!(ReferralState::Converted.as_str()),
        ("ReferralBody", "source") => json!(ReferralSource::Link.as_str()),
        ("SaleBody" | "SaleCreate", "external_id") => json!("pi_3Q2x8LmN4aB7c1D0"),
        ("SaleBody" | "SaleCreate", "amount") => json!("245.00"),
        ("SaleBody" | "SaleCreate", "tax") => json!("0.00"),
        ("SaleBody", "attribution") => json!("referral"),
        ("SaleBody", "note") => json!("The affiliate is suspended: no commission."),
        ("SaleWarning", "field") => json!("coupon_code"),
        ("SaleWarning", "message") => {
            json!("no coupon of this store has the code SPRING5: the sale is stored without it")
        }
        ("RefundCreate", "amount") => json!("45.00"),
        ("RefundCreate", "reason") => json!("One item returned"),
        ("RefundCreate", "external_id") => json!("re_3Q2x8LmN4aB7c1D0"),
        ("CouponBody" | "CouponCreate" | "CouponWrite", "external_id") => {
            json!("promo_1Q2x8LmN4aB7c")
        }
        ("LinkBody" | "LinkCreate" | "LinkWrite", "url") => {
            json!("https://shop.example.com/spring-sale")
        }
        ("SsoBody", "url") => {
            json!("https://affiliates.example.com/a/acme/sso/tbs_7Yq2mX9pLk3vR8sN1wE4uA6cD0fG5hJ")
        }
        ("SsoBody", "expires_at") => json!("2026-03-14T09:35:00Z"),
        ("ErrorDetail", "code") => json!("validation_failed"),
        ("ErrorDetail", "message") => json!("Some fields need attention."),
        ("FieldDetail", "field") => json!("amount"),
        ("FieldDetail", "message") => json!("must be at least 0.01"),
        ("Period", "start") => json!("2026-03-01T00:00:00Z"),
        ("Period", "end") => json!("2026-03-31T23:59:59Z"),
        ("Deleted" | "DeletedBody", "deleted") => json!(true),
        ("SplitBody", "settled") => json!("30.00"),
        ("SplitBody", "remainder") => json!("19.00"),
        _ => Value::Null,
    };
    if !own.is_null() {
        return Some(own);
    }
    Some(match property {
        "id" | "next_cursor" => json!(row_id(schema)?),
        "affiliate_id" => json!(AFFILIATE),
        "campaign_id" => json!(CAMPAIGN),
        "link_id" => json!(LINK),
        "coupon_id" => json!(COUPON),
        "referral_id" => json!(REFERRAL),
        "sale_id" => json!(SALE),
        "commission_id" => json!(COMMISSION),
        "payout_id" => json!(PAYOUT),
        "visitor_id" => json!(VISITOR),
        "split_of" => json!(COMMISSION),
        "remainder_commission_id" => json!(REMAINDER),
        "initiated_by_user_id" | "voided_by_user_id" => json!(USER),
        "affiliate_ids" => json!([AFFILIATE]),
        "commission_ids" => json!([COMMISSION]),
        "email" | "customer_email" => json!("customer@example.org"),
        "payout_email" => json!("payouts@janedoe.example"),
        "first_name" => json!("Jane"),
        "last_name" => json!("Doe"),
        "slug" => json!("acme"),
        "currency" => json!("USD"),
        "website_url" => json!("https://shop.example.com"),
        "share_url" => json!("https://affiliates.example.com/r/jane"),
        "token" | "link_token" => json!("jane"),
        "code" | "coupon_code" => json!("JANE10"),
        "external_customer_id" | "customer" => json!("cus_Q2x8LmN4aB7c"),
        "external_payment_id" => json!("pi_3Q2x8LmN4aB7c1D0"),
        "sale_amount" => json!("245.00"),
        "amount" | "original_amount" => json!("49.00"),
        "admin_earned_amount" => json!("196.00"),
        "refunded_amount" => json!("0.00"),
        "balance" | "available" => json!("120.00"),
        "in_payouts" => json!("0.00"),
        // The balance's figures are named after the states they sum.
        p if p == CommissionStatus::Pending.as_str() => json!("35.00"),
        p if p == CommissionStatus::Paid.as_str() => json!("250.00"),
        "minimum_payout" => json!("50.00"),
        "commission_percent" => json!("25"),
        "discount_percent" => json!("10"),
        "kind" => json!("sale"),
        "remarks" => json!("Bonus for the spring launch"),
        "void_note" => json!("Ordered twice by mistake"),
        "reference" => json!("PAYPAL-7HF12345XY"),
        "initiated_by" | "voided_by" => json!("owner@acme.example"),
        "initiated_by_ip" => json!("203.0.113.7"),
        "created_at" | "occurred_at" => json!(CREATED),
        "updated_at" => json!(UPDATED),
        "due_at" => json!(DUE),
        "paid_at" => json!(PAID),
        "expires_at" => json!("2026-04-13T09:30:00Z"),
        "archived_at" | "voided_at" | "void_date" => json!("2026-05-02T08:00:00Z"),
        "period_start" => json!("2026-03-01T00:00:00Z"),
        "period_end" => json!("2026-03-31T23:59:59Z"),
        "visitors" => json!(1280),
        "leads" => json!(64),
        "conversions" => json!(12),
        "count" | "commission_count" | "payment_count" => json!(3),
        "sale_count" => json!(2),
        "cookie_days" | "hold_days" => json!(30),
        "recurring_limit" => json!(12),
        "recurring" => json!("months"),
        "visibility" => json!("public"),
        "commission_type" => json!("percentage"),
        "attribution" => json!("first_click"),
        "is_enabled" | "is_default" | "approval_required" | "deleted" => json!(true),
        "has_more"
        | "anonymized"
        | "show_customer_emails"
        | "affiliates_can_create_links"
        | "converted_to_store_credit"
        | "import"
        | "too_large"
        | "self_referral"
        | "erased"
        | "is_voided" => json!(false),
        _ => return None,
    })
}

/// Sets `value` as the property's example; a property that is only a
/// reference to a scalar schema (`DecimalText`) is wrapped in an `allOf`
/// of that reference, which can carry one.
fn set(property: &mut RefOr<Schema>, value: Value, scalars: &[String], at: &str) {
    if let Some(words) = enum_of(property) {
        assert!(
            words.contains(&value),
            "{at}: the example {value} is not one of {words:?}"
        );
    }
    match property {
        RefOr::T(Schema::Object(o)) => o.examples = vec![value],
        RefOr::T(Schema::OneOf(o)) => o.examples = vec![value],
        RefOr::T(Schema::AnyOf(o)) => o.examples = vec![value],
        RefOr::T(Schema::AllOf(o)) => o.examples = vec![value],
        RefOr::T(Schema::Array(a)) => a.examples = vec![value],
        RefOr::Ref(r) if scalars.iter().any(|s| r.ref_location.ends_with(s.as_str())) => {
            let mut wrapped = AllOfBuilder::new().item(r.clone()).build();
            wrapped.examples = vec![value];
            *property = RefOr::T(Schema::AllOf(wrapped));
        }
        RefOr::T(_) | RefOr::Ref(_) => {}
    }
}

/// The words a property takes, if it has a list of them (also inside a
/// nullable `oneOf`).
fn enum_of(property: &RefOr<Schema>) -> Option<Vec<Value>> {
    match property {
        RefOr::T(Schema::Object(o)) => o.enum_values.clone(),
        RefOr::T(Schema::OneOf(o)) => o.items.iter().find_map(enum_of),
        _ => None,
    }
}

/// A whole body, where its fields' examples side by side would be a request
/// the server refuses (fields that exclude each other, or go together):
/// Swagger UI shows this one instead.
fn whole(schema: &str) -> Option<Value> {
    Some(match schema {
        // `referral_id` or `customer_email`, not both.
        "CommissionCreate" => json!({
            "affiliate_id": AFFILIATE,
            "sale_amount": "245.00",
            "amount": "49.00",
            "date": "2026-03-14",
            "status": CommissionStatus::Pending.as_str(),
            "remarks": "Order 1042, placed by phone",
            "external_payment_id": "pi_3Q2x8LmN4aB7c1D0",
        }),
        // A status move, a void and an edit are separate changes.
        "CommissionWrite" => json!({
            "amount": "45.00",
            "due_at": DUE,
            "remarks": "Reduced: one item was a gift card",
        }),
        // `referral_id` or `visitor_id`.
        "LeadCreate" => json!({
            "referral_id": REFERRAL,
            "email": "customer@example.org",
            "external_customer_id": "cus_Q2x8LmN4aB7c",
        }),
        // With a referral, the other ways of attributing it are not needed.
        "SaleCreate" => json!({
            "external_id": "pi_3Q2x8LmN4aB7c1D0",
            "amount": "245.00",
            "tax": "0.00",
            "currency": "USD",
            "occurred_at": CREATED,
            "referral_id": REFERRAL,
        }),
        _ => return None,
    })
}

pub fn declare(doc: &mut OpenApi) {
    let schemas = &mut doc
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    // Component schemas that are one value, not an object: a property that
    // refers to one gets its own example beside the reference.
    let mut scalars = vec![];
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("DecimalText") {
        o.examples = vec![json!("49.00")];
        scalars.push("/DecimalText".to_owned());
    }
    for (name, schema) in schemas.iter_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        for (field, property) in object.properties.iter_mut() {
            if let Some(value) = example(name, field) {
                set(property, value, &scalars, &format!("{name}.{field}"));
            }
        }
        if let Some(body) = whole(name) {
            for field in body.as_object().expect("a body is an object").keys() {
                assert!(
                    object.properties.contains_key(field),
                    "{name} has no property {field}"
                );
            }
            object.examples = vec![body];
        }
    }
}
