//! Unit and property tests of `domain::payout`.
use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn item(n: u128, amount: i64, day: u32) -> DueItem {
    DueItem {
        id: Uuid::from_u128(n),
        amount_minor: amount,
        due_at: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap(),
    }
}

fn rules(minimum: i64) -> Rules {
    Rules {
        minimum_minor: minimum,
        method: PayoutMethod::External,
        has_payout_email: true,
    }
}

#[test]
fn a_pending_payout_is_paid_once_and_either_can_be_voided_once() {
    use PayoutStatus::*;
    assert_eq!(Pending.mark_paid(), Ok(Paid));
    assert!(Paid.mark_paid().is_err());
    assert!(Voided.mark_paid().is_err());
    assert_eq!(Pending.void(), Ok(Voided));
    assert_eq!(Paid.void(), Ok(Voided));
    assert!(Voided.void().unwrap_err().0.contains("already voided"));
    assert!(!Voided.holds_commissions());
    assert_eq!(released(CommissionStatus::Paid), CommissionStatus::Due);
    assert_eq!(
        released(CommissionStatus::Refunded),
        CommissionStatus::Refunded
    );
}

#[test]
fn states_and_methods_round_trip_through_their_stored_strings() {
    for s in PayoutStatus::ALL {
        assert_eq!(PayoutStatus::parse(s.as_str()), Ok(*s));
        assert_eq!(s.to_value(), s.as_str().to_owned());
    }
    for m in PayoutMethod::ALL {
        assert_eq!(PayoutMethod::parse(m.as_str()), Ok(*m));
        assert_eq!(m.to_value(), m.as_str().to_owned());
    }
    assert!(PayoutMethod::parse("cash").is_err());
}

#[test]
fn a_payout_of_everything_due_sums_it_and_spans_its_dates() {
    let items = [item(1, 2000, 5), item(2, -500, 9), item(3, 1000, 2)];
    let s = settle_all(&items, rules(1000)).unwrap();
    assert_eq!(s.amount_minor, 2500);
    assert_eq!(s.count, 3);
    assert_eq!(s.period_start, items[2].due_at);
    assert_eq!(s.period_end, items[1].due_at);
    assert_eq!(s.commission_ids[0], items[1].id, "clawbacks first");
}

#[test]
fn nothing_is_paid_below_the_minimum_without_an_email_or_when_clawbacks_outweigh() {
    assert_eq!(settle_all(&[], rules(0)), Err(Ineligible::NothingDue));
    assert_eq!(
        settle_all(&[item(1, 900, 1)], rules(1000)),
        Err(Ineligible::BelowMinimum {
            due_minor: 900,
            minimum_minor: 1000
        })
    );
    assert_eq!(
        settle_all(&[item(1, 900, 1), item(2, -900, 2)], rules(0)),
        Err(Ineligible::NotPositive { due_minor: 0 })
    );
    let no_email = Rules {
        has_payout_email: false,
        ..rules(0)
    };
    assert_eq!(
        settle_all(&[item(1, 900, 1)], no_email),
        Err(Ineligible::NoPayoutEmail)
    );
    let credit = Rules {
        method: PayoutMethod::StoreCredit,
        ..no_email
    };
    assert!(settle_all(&[item(1, 900, 1)], credit).is_ok());
}

#[test]
fn a_recorded_amount_settles_the_oldest_whole_commissions_and_splits_the_next() {
    let items = [item(1, 1000, 1), item(2, 2000, 2), item(3, 500, 3)];
    let s = settle_amount(&items, 3000).unwrap();
    assert_eq!(s.commission_ids, vec![items[0].id, items[1].id]);
    assert_eq!(s.split, None, "an amount on a boundary splits nothing");
    assert_eq!(settle_amount(&items, 3500).unwrap().count, 3);

    let s = settle_amount(&items, 2500).unwrap();
    assert_eq!(s.commission_ids, vec![items[0].id, items[1].id]);
    assert_eq!(s.amount_minor, 2500);
    assert_eq!(
        s.split,
        Some(Split {
            commission_id: items[1].id,
            settled_minor: 1500,
            remainder_minor: 500
        })
    );
    assert_eq!(
        s.period_end, items[1].due_at,
        "the split one is in the period"
    );

    let s = settle_amount(&items, 1).unwrap();
    assert_eq!(s.commission_ids, vec![items[0].id]);
    assert_eq!(
        s.split,
        Some(Split {
            commission_id: items[0].id,
            settled_minor: 1,
            remainder_minor: 999
        })
    );
    assert_eq!(
        settle_amount(&items, 3501),
        Err(RecordRefusal::ExceedsDue { due_minor: 3500 })
    );
}

#[test]
fn a_recorded_amount_always_carries_the_clawbacks() {
    let items = [item(1, 1000, 1), item(2, -300, 5), item(3, 500, 3)];
    let s = settle_amount(&items, 700).unwrap();
    assert_eq!(s.commission_ids, vec![items[1].id, items[0].id]);
    assert_eq!(s.split, None);
    let s = settle_amount(&items, 500).unwrap();
    assert_eq!(s.commission_ids, vec![items[1].id, items[0].id]);
    assert_eq!(
        s.split,
        Some(Split {
            commission_id: items[0].id,
            settled_minor: 800,
            remainder_minor: 200
        }),
        "the clawback is carried, so the first commission covers 500 + 300"
    );
    assert!(settle_amount(&items, 1201).is_err());
}

#[test]
fn zero_commissions_after_the_amount_are_settled_with_it_and_never_split() {
    let items = [item(1, 1000, 1), item(2, 0, 2), item(3, 500, 3)];
    let s = settle_amount(&items, 1000).unwrap();
    assert_eq!(s.commission_ids, vec![items[0].id, items[1].id]);
    let s = settle_amount(&items, 1200).unwrap();
    assert_eq!(s.split.unwrap().commission_id, items[2].id);
    assert_eq!(s.count, 3);
}

fn items_strategy() -> impl Strategy<Value = Vec<DueItem>> {
    prop::collection::vec((-5_000i64..50_000, 1u32..28), 0..12).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(n, (a, d))| item(n as u128 + 1, a, d))
            .collect()
    })
}

proptest! {
    #[test]
    fn a_selection_is_always_the_exact_sum_of_distinct_due_items(
        items in items_strategy(), minimum in 0i64..100_000, amount in 1i64..200_000
    ) {
        let check = |s: &Selection| {
            let mut ids = s.commission_ids.clone();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), s.count);
            let sum: i64 = items.iter().filter(|i| s.commission_ids.contains(&i.id)).map(|i| i.amount_minor).sum();
            prop_assert_eq!(sum, s.amount_minor);
            prop_assert!(s.amount_minor > 0);
            prop_assert!(s.period_start <= s.period_end);
            Ok(())
        };
        match settle_all(&items, rules(minimum)) {
            Ok(s) => {
                check(&s)?;
                prop_assert_eq!(s.count, items.len());
                prop_assert!(s.amount_minor >= minimum);
            }
            Err(Ineligible::BelowMinimum { due_minor, .. }) => prop_assert!(due_minor < minimum),
            Err(_) => {}
        }
        let due: i64 = items.iter().map(|i| i.amount_minor).sum();
        match settle_amount(&items, amount) {
            Ok(s) => {
                // The selection is exact once the split one is cut down.
                let mut ids = s.commission_ids.clone();
                ids.sort();
                ids.dedup();
                prop_assert_eq!(ids.len(), s.count);
                let settled_of = |i: &DueItem| match s.split {
                    Some(p) if p.commission_id == i.id => p.settled_minor,
                    _ => i.amount_minor,
                };
                let sum: i64 = items.iter().filter(|i| s.commission_ids.contains(&i.id)).map(settled_of).sum();
                prop_assert_eq!(sum, amount);
                prop_assert_eq!(s.amount_minor, amount);
                prop_assert!(s.period_start <= s.period_end);
                let clawbacks = items.iter().filter(|i| i.amount_minor < 0).count();
                prop_assert!(s.commission_ids.iter().filter(|id| items.iter().any(|i| i.id == **id && i.amount_minor < 0)).count() == clawbacks);
                if let Some(p) = s.split {
                    let whole = items.iter().find(|i| i.id == p.commission_id).unwrap();
                    prop_assert!(p.settled_minor >= 1 && p.remainder_minor >= 1);
                    prop_assert_eq!(p.settled_minor + p.remainder_minor, whole.amount_minor);
                    // Oldest first: every earning older than the split one
                    // is settled whole, none newer is touched.
                    for i in items.iter().filter(|i| i.amount_minor > 0 && i.id != whole.id) {
                        let older = (i.due_at, i.id) < (whole.due_at, whole.id);
                        prop_assert_eq!(s.commission_ids.contains(&i.id), older);
                    }
                }
            }
            Err(RecordRefusal::ExceedsDue { due_minor }) => {
                prop_assert_eq!(due_minor, due);
                prop_assert!(amount > due);
            }
            Err(RecordRefusal::Overflow) => prop_assert!(false, "no overflow with these sums"),
        }
    }
}
