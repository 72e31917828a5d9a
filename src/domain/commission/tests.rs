//! Unit and property tests of `domain::commission`.
use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn pct(bp: i64) -> Commission {
    Commission {
        kind: CommissionType::Percentage,
        value: bp,
    }
}
fn fixed(minor: i64) -> Commission {
    Commission {
        kind: CommissionType::Fixed,
        value: minor,
    }
}
fn terms(commission: Commission) -> Terms {
    Terms {
        commission,
        first_payment: None,
        recurring: Recurring::Lifetime,
        recurring_limit: None,
        hold_days: 30,
        override_bp: None,
    }
}
fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap()
}
fn sale(amount: i64, tax: i64) -> Sale {
    Sale {
        amount_minor: amount,
        tax_minor: tax,
        occurred_at: at(1),
        hold_from: at(1),
    }
}
fn pay(d: Decision) -> i64 {
    match d {
        Decision::Pay { amount_minor, .. } => amount_minor,
        other => panic!("expected a commission, got {other:?}"),
    }
}

#[test]
fn a_percentage_of_the_sale_net_of_tax_due_after_the_hold_period() {
    let d = decide(&terms(pct(2000)), sale(12_000, 2_000), History::default()).unwrap();
    assert_eq!(
        d,
        Decision::Pay {
            amount_minor: 2_000,
            basis_minor: 10_000,
            due_at: at(31)
        }
    );
}

#[test]
fn rounding_is_half_away_from_zero_at_the_minor_unit() {
    // 12.5 % of 0.25 = 0.03125 → 0.03; 50 % of 0.05 = 0.025 → 0.03 (banker's would give 0.02).
    assert_eq!(percent_of(25, 1250).unwrap(), 3);
    assert_eq!(percent_of(5, 5000).unwrap(), 3);
    assert_eq!(percent_of(15, 5000).unwrap(), 8);
    assert_eq!(percent_of(1, 5000).unwrap(), 1);
    assert_eq!(percent_of(1, 4999).unwrap(), 0);
}

#[test]
fn a_fixed_commission_ignores_the_amount() {
    assert_eq!(
        pay(decide(&terms(fixed(1_000)), sale(99, 0), History::default()).unwrap()),
        1_000
    );
}

#[test]
fn the_affiliates_override_replaces_the_campaign_rule() {
    let t = Terms {
        override_bp: Some(3_000),
        ..terms(fixed(1_000))
    };
    assert_eq!(
        pay(decide(&t, sale(10_000, 0), History::default()).unwrap()),
        3_000
    );
}

#[test]
fn the_first_payment_override_applies_to_the_first_sale_only() {
    let t = Terms {
        first_payment: Some(fixed(5_000)),
        override_bp: Some(1_000),
        ..terms(pct(2_000))
    };
    assert_eq!(
        pay(decide(&t, sale(10_000, 0), History::default()).unwrap()),
        5_000
    );
    let later = History {
        prior_sales: 1,
        first_sale_at: Some(at(1)),
    };
    assert_eq!(
        pay(decide(&t, sale(10_000, 0), later).unwrap()),
        1_000,
        "then the override"
    );
}

#[test]
fn recurring_limits_stop_commissions() {
    let first_only = Terms {
        recurring: Recurring::FirstPayment,
        ..terms(pct(1_000))
    };
    assert!(matches!(
        decide(
            &first_only,
            sale(100, 0),
            History {
                prior_sales: 1,
                first_sale_at: Some(at(1))
            }
        )
        .unwrap(),
        Decision::NotEligible(_)
    ));

    let three = Terms {
        recurring: Recurring::Payments,
        recurring_limit: Some(3),
        ..terms(pct(1_000))
    };
    assert!(matches!(
        decide(
            &three,
            sale(100, 0),
            History {
                prior_sales: 2,
                first_sale_at: Some(at(1))
            }
        )
        .unwrap(),
        Decision::Pay { .. }
    ));
    assert!(matches!(
        decide(
            &three,
            sale(100, 0),
            History {
                prior_sales: 3,
                first_sale_at: Some(at(1))
            }
        )
        .unwrap(),
        Decision::NotEligible(_)
    ));

    let two_months = Terms {
        recurring: Recurring::Months,
        recurring_limit: Some(2),
        ..terms(pct(1_000))
    };
    let h = History {
        prior_sales: 5,
        first_sale_at: Some(at(1)),
    };
    let inside = Sale {
        occurred_at: Utc.with_ymd_and_hms(2026, 2, 28, 0, 0, 0).unwrap(),
        ..sale(100, 0)
    };
    let outside = Sale {
        occurred_at: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        ..sale(100, 0)
    };
    assert!(matches!(
        decide(&two_months, inside, h).unwrap(),
        Decision::Pay { .. }
    ));
    assert!(matches!(
        decide(&two_months, outside, h).unwrap(),
        Decision::NotEligible(_)
    ));

    let lifetime = terms(pct(1_000));
    assert!(matches!(
        decide(
            &lifetime,
            sale(100, 0),
            History {
                prior_sales: 500,
                first_sale_at: Some(at(1))
            }
        )
        .unwrap(),
        Decision::Pay { .. }
    ));
}

#[test]
fn zero_negative_and_inconsistent_inputs_are_refused() {
    let t = terms(pct(1_000));
    assert_eq!(
        decide(&t, sale(0, 0), History::default()),
        Err(CommissionError::NonPositiveAmount)
    );
    assert_eq!(
        decide(&t, sale(-5, 0), History::default()),
        Err(CommissionError::NonPositiveAmount)
    );
    assert_eq!(
        decide(&t, sale(100, -1), History::default()),
        Err(CommissionError::BadTax)
    );
    assert_eq!(
        decide(&t, sale(100, 101), History::default()),
        Err(CommissionError::BadTax)
    );
}

#[test]
fn huge_amounts_give_a_clear_error_or_an_exact_result_never_a_panic() {
    assert_eq!(
        pay(decide(&terms(pct(10_000)), sale(i64::MAX, 0), History::default()).unwrap()),
        i64::MAX
    );
    assert!(percent_of(i64::MAX, 10_000).is_ok());
    let far = Sale {
        hold_from: DateTime::<Utc>::MAX_UTC,
        ..sale(100, 0)
    };
    assert_eq!(
        decide(&terms(pct(1_000)), far, History::default()),
        Err(CommissionError::Overflow)
    );
}

#[test]
fn refunds_reduce_pro_rata_and_a_full_refund_leaves_nothing() {
    assert_eq!(after_refund(2_000, 10_000, 2_500).unwrap(), 1_500);
    assert_eq!(after_refund(2_000, 10_000, 10_000).unwrap(), 0);
    assert_eq!(
        after_refund(333, 1_000, 500).unwrap(),
        167,
        "166.5 rounds away from zero"
    );
    assert_eq!(
        after_refund(2_000, 10_000, 20_000).unwrap(),
        0,
        "over-refund is capped"
    );
}

/// Replays what the refund service does with `after_refund`: the
/// commission after each refund, and the ledger reversals it posts.
fn replay(original: i64, sale: i64, refunds: &[i64]) -> (Vec<i64>, i64) {
    let (mut refunded, mut current, mut reversed) = (0i64, original, 0i64);
    let mut seen = Vec::new();
    for r in refunds {
        let r = (*r).min(sale - refunded);
        if r <= 0 {
            break;
        }
        refunded += r;
        let next = if refunded >= sale {
            0
        } else {
            after_refund(original, sale, refunded).unwrap()
        };
        reversed += current - next;
        current = next;
        seen.push(current);
    }
    (seen, reversed)
}

#[test]
fn refunds_in_one_dollar_steps_end_at_zero_and_reverse_exactly_the_commission() {
    // The probe's case: 2.00 on a 10.00 sale, ten refunds of 1.00.
    let (seen, reversed) = replay(200, 1_000, &[100; 10]);
    assert_eq!(seen, vec![180, 160, 140, 120, 100, 80, 60, 40, 20, 0]);
    assert_eq!(reversed, 200);
    // 1.00 on a 3.00 sale: thirds round, yet the steps add up.
    let (seen, reversed) = replay(100, 300, &[100; 3]);
    assert_eq!(seen, vec![67, 33, 0]);
    assert_eq!(reversed, 100);
}

proptest! {
    #[test]
    fn any_refund_sequence_in_dollar_steps_sums_exactly(original in 1i64..100_000_000, dollars in 1i64..10_000, steps in proptest::collection::vec(1i64..50, 1..40)) {
        let sale = dollars * 100;
        let refunds: Vec<i64> = steps.iter().map(|s| s * 100).collect();
        let (seen, reversed) = replay(original, sale, &refunds);
        let refunded: i64 = refunds.iter().sum::<i64>().min(sale);
        let last = *seen.last().unwrap();
        // What is left is the pro-rata share of what remains, exactly.
        prop_assert_eq!(last, if refunded >= sale { 0 } else { after_refund(original, sale, refunded).unwrap() });
        // Reversals never lose or invent a cent: kept + reversed = original.
        prop_assert_eq!(last + reversed, original);
        prop_assert!(seen.windows(2).all(|w| w[1] <= w[0]), "never rises: {:?}", seen);
        // Read through the API's view: a full refund earns 0 now.
        let status = if refunded >= sale { crate::domain::states::CommissionStatus::Refunded } else { crate::domain::states::CommissionStatus::Due };
        let view = crate::domain::commission_edit::earning(status, crate::domain::states::CommissionKind::Sale, last, original);
        prop_assert_eq!(view.amount_minor + view.refunded_minor, original);
    }

    #[test]
    fn a_percentage_commission_never_exceeds_its_basis(amount in 1i64..1_000_000_000_000, tax_part in 0u32..=100, bp in 0i64..=10_000) {
        let tax = amount / 100 * tax_part as i64;
        let d = decide(&terms(pct(bp)), sale(amount, tax), History::default()).unwrap();
        let Decision::Pay { amount_minor, basis_minor, .. } = d else { panic!("lifetime pays") };
        prop_assert!(amount_minor >= 0 && amount_minor <= basis_minor);
        prop_assert_eq!(basis_minor, amount - tax);
    }

    #[test]
    fn partial_refunds_add_up_exactly(original in 0i64..10_000_000, amount in 1i64..10_000_000, cuts in proptest::collection::vec(1u32..1000, 1..8)) {
        // Split the sale amount into refunds proportional to `cuts`, the last taking the rest.
        let total: u64 = cuts.iter().map(|c| *c as u64).sum();
        let mut refunded = 0i64;
        let mut current = original;
        let mut reductions = 0i64;
        for (i, c) in cuts.iter().enumerate() {
            let part = if i + 1 == cuts.len() { amount - refunded } else { ((amount as u128 * *c as u128) / total as u128) as i64 };
            refunded += part;
            let next = after_refund(original, amount, refunded).unwrap();
            prop_assert!(next <= current, "a refund never raises the commission");
            reductions += current - next;
            current = next;
        }
        prop_assert_eq!(refunded, amount);
        prop_assert_eq!(current, 0);
        prop_assert_eq!(reductions, original);
    }
}
