//! Unit tests of `domain::campaign`.
use super::*;

fn valid() -> CampaignFields {
    CampaignFields {
        name: "Partners".into(),
        website_url: "https://shop.example.com".into(),
        ..CampaignFields::defaults()
    }
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

#[test]
fn the_defaults_with_a_name_and_site_make_a_valid_campaign() {
    let rules = CampaignRules::parse(&valid(), usd()).unwrap();
    assert_eq!(
        rules.commission,
        Commission {
            kind: CommissionType::Percentage,
            value: 2000
        }
    );
    assert_eq!(rules.cookie_days, 60);
    assert_eq!(rules.hold_days, 30);
    assert_eq!(rules.attribution, Attribution::FirstClick);
    assert_eq!(rules.recurring_limit, None);
}

#[test]
fn every_bad_field_is_reported_by_name() {
    let f = CampaignFields {
        name: "".into(),
        website_url: "nope".into(),
        visibility: "secret".into(),
        commission_type: "percentage".into(),
        commission_value: "101".into(),
        recurring: "payments".into(),
        recurring_limit: "0".into(),
        first_payment_type: "fixed".into(),
        first_payment_value: "1.234".into(),
        cookie_days: "366".into(),
        attribution: "middle_click".into(),
        discount_percent: "-1".into(),
        hold_days: "400".into(),
        minimum_payout: "-5".into(),
        ..Default::default()
    };
    let errors = CampaignRules::parse(&f, usd()).unwrap_err();
    for field in [
        "name",
        "website_url",
        "visibility",
        "commission_value",
        "recurring_limit",
        "first_payment_value",
        "cookie_days",
        "attribution",
        "discount_percent",
        "hold_days",
        "minimum_payout",
    ] {
        assert!(
            errors.get(field).is_some(),
            "{field} should be reported: {errors}"
        );
    }
}

#[test]
fn fixed_commissions_are_money_in_the_store_currency() {
    let f = CampaignFields {
        commission_type: "fixed".into(),
        commission_value: "10.5".into(),
        ..valid()
    };
    assert_eq!(
        CampaignRules::parse(&f, usd()).unwrap().commission.value,
        1050
    );
    let jpy = Currency::parse("JPY").unwrap();
    assert!(
        CampaignRules::parse(&f, jpy)
            .unwrap_err()
            .get("commission_value")
            .unwrap()
            .contains("whole number")
    );
}

#[test]
fn a_recurring_limit_is_needed_for_payments_and_months_only() {
    let f = CampaignFields {
        recurring: "months".into(),
        recurring_limit: "".into(),
        ..valid()
    };
    assert!(
        CampaignRules::parse(&f, usd())
            .unwrap_err()
            .get("recurring_limit")
            .is_some()
    );
    let f = CampaignFields {
        recurring: "months".into(),
        recurring_limit: "12".into(),
        ..valid()
    };
    assert_eq!(
        CampaignRules::parse(&f, usd()).unwrap().recurring_limit,
        Some(12)
    );
    let f = CampaignFields {
        recurring: "lifetime".into(),
        recurring_limit: "3".into(),
        ..valid()
    };
    assert!(CampaignRules::parse(&f, usd()).is_err());
}

#[test]
fn percentages_allow_two_decimals_only() {
    let f = CampaignFields {
        commission_value: "12.55".into(),
        ..valid()
    };
    assert_eq!(
        CampaignRules::parse(&f, usd()).unwrap().commission.value,
        1255
    );
    let f = CampaignFields {
        commission_value: "12.555".into(),
        ..valid()
    };
    assert!(CampaignRules::parse(&f, usd()).is_err());
}
