//! A commission cut in two by a recorded payout (`payout::settle_amount`):
//! the part the payout settles and a due remainder, one *family* with the
//! same sale. Refunds treat a family as the one commission it was: what it
//! keeps is computed from the family's original, exactly as for a single
//! commission, and what a refund takes is shared out over the parts, so the
//! parts always add up to what the whole would be (no cent lost to
//! rounding each part on its own). Pure, in integers.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{CommissionError, after_refund};

/// The originals (amounts before refunds) of the two parts when a
/// commission of `amount_minor` (`original_minor` before refunds) is cut
/// at `settled_minor`: shared in proportion of the amounts, half away from
/// zero, the remainder's the rest, so the family's original is unchanged.
/// Not refunded yet (`original = amount`): exactly the two amounts.
pub fn split_original(
    original_minor: i64,
    amount_minor: i64,
    settled_minor: i64,
) -> Result<(i64, i64), CommissionError> {
    if amount_minor <= 0 || settled_minor <= 0 || settled_minor >= amount_minor {
        return Err(CommissionError::NonPositiveAmount);
    }
    let settled = Decimal::from(original_minor)
        .checked_mul(Decimal::from(settled_minor))
        .and_then(|v| v.checked_div(Decimal::from(amount_minor)))
        .ok_or(CommissionError::Overflow)?;
    let settled =
        i64::try_from(settled.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
            .map_err(|_| CommissionError::Overflow)?;
    let rest = original_minor
        .checked_sub(settled)
        .ok_or(CommissionError::Overflow)?;
    Ok((settled, rest))
}

/// One part of a family as a refund sees it: its original, and what it
/// counts for now (its amount; for a paid part, net of its clawbacks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub original_minor: i64,
    pub effective_minor: i64,
}

/// What a refund bringing the sale's refunded total to `refunded_minor`
/// takes from each part (same order): the family keeps
/// `after_refund(Σ originals)`, and the difference from what the parts count
/// for now is shared out in proportion of what each counts for. One part
/// alone gets it all: `effective − after_refund(original)`, the rule for a
/// single commission.
pub fn refund_takes(
    parts: &[Part],
    sale_amount_minor: i64,
    refunded_minor: i64,
) -> Result<Vec<i64>, CommissionError> {
    let sum = |f: fn(&Part) -> i64| {
        parts
            .iter()
            .try_fold(0i64, |acc, p| acc.checked_add(f(p)))
            .ok_or(CommissionError::Overflow)
    };
    let original = sum(|p| p.original_minor)?;
    let effective = sum(|p| p.effective_minor)?;
    let kept = after_refund(original, sale_amount_minor, refunded_minor)?;
    let take = effective
        .checked_sub(kept)
        .ok_or(CommissionError::Overflow)?;
    let weights: Vec<i64> = parts.iter().map(|p| p.effective_minor).collect();
    Ok(share_out(take, &weights))
}

/// `total` shared in proportion of `weights` (negative ones count as 0),
/// by largest remainder: each share is the floor or the ceiling of its
/// exact part, and the shares add up to `total` exactly. Leftover units go
/// to the largest fractions, the earlier part on a tie; with no weight at
/// all, the last part takes everything.
pub fn share_out(total: i64, weights: &[i64]) -> Vec<i64> {
    let n = weights.len();
    let mut shares = vec![0i64; n];
    if n == 0 || total == 0 {
        return shares;
    }
    let w: Vec<i128> = weights.iter().map(|&x| i128::from(x.max(0))).collect();
    let whole: i128 = w.iter().sum();
    if whole == 0 {
        shares[n - 1] = total;
        return shares;
    }
    let t = i128::from(total).abs();
    let mut fractions: Vec<(i128, usize)> = Vec::with_capacity(n);
    let mut given: i128 = 0;
    for (i, wi) in w.iter().enumerate() {
        let exact = t * wi;
        let base = exact / whole;
        given += base;
        // A share is at most |total|, which fits in i64.
        shares[i] = base as i64;
        fractions.push((exact % whole, i));
    }
    fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in fractions.into_iter().take((t - given) as usize) {
        shares[i] += 1;
    }
    if total < 0 {
        for s in &mut shares {
            *s = -*s;
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_unrefunded_commission_splits_its_original_as_its_amount() {
        assert_eq!(split_original(1000, 1000, 600).unwrap(), (600, 400));
        // Half refunded: 10.00 earns 5.00; 3.00 of it settled.
        assert_eq!(split_original(1000, 500, 300).unwrap(), (600, 400));
        assert_eq!(split_original(1000, 333, 1).unwrap(), (3, 997));
        assert!(split_original(1000, 1000, 0).is_err());
        assert!(split_original(1000, 1000, 1000).is_err());
    }

    #[test]
    fn shares_add_up_and_follow_the_weights() {
        assert_eq!(share_out(5, &[600, 400]), vec![3, 2]);
        assert_eq!(share_out(-5, &[600, 400]), vec![-3, -2]);
        assert_eq!(share_out(1, &[1, 1]), vec![1, 0], "a tie: the earlier part");
        assert_eq!(share_out(2, &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(share_out(7, &[0, 0]), vec![0, 7]);
        assert_eq!(share_out(3, &[-5, 5]), vec![0, 3]);
        assert_eq!(share_out(4, &[]), Vec::<i64>::new());
    }

    #[test]
    fn a_half_refund_of_a_split_family_takes_half_of_each_part() {
        let parts = [
            Part {
                original_minor: 600,
                effective_minor: 600,
            },
            Part {
                original_minor: 400,
                effective_minor: 400,
            },
        ];
        assert_eq!(refund_takes(&parts, 10_000, 5_000).unwrap(), vec![300, 200]);
        assert_eq!(
            refund_takes(&parts, 10_000, 10_000).unwrap(),
            vec![600, 400]
        );
        // 3.33 of a 10.00 sale refunded: the whole keeps 6.67 of 10.00,
        // rounding once; the parts 4.00 + 2.67, not 4.00 + 2.66.
        let takes = refund_takes(&parts, 1_000, 333).unwrap();
        assert_eq!(takes.iter().sum::<i64>(), 1000 - 667);
    }

    fn family() -> impl Strategy<Value = (i64, Vec<i64>)> {
        // An original and where the recorded payouts cut it, in order.
        (2i64..200_000).prop_flat_map(|o| (Just(o), prop::collection::vec(1i64..o, 0..4)))
    }

    proptest! {
        #[test]
        fn one_part_alone_follows_the_single_commission_rule(
            original in 0i64..1_000_000, effective in -1_000i64..1_000_000,
            sale in 1i64..1_000_000, refunded in 0i64..1_100_000
        ) {
            let parts = [Part { original_minor: original, effective_minor: effective }];
            let kept = after_refund(original, sale, refunded).unwrap();
            prop_assert_eq!(refund_takes(&parts, sale, refunded).unwrap(), vec![effective - kept]);
        }

        #[test]
        fn a_family_after_any_refunds_adds_up_to_the_whole_and_no_part_grows(
            (original, cuts) in family(), sale in 1i64..500_000,
            refunds in prop::collection::vec(1i64..500_000, 1..5)
        ) {
            // Split first (before any refund), as recorded payouts do.
            let mut parts = vec![Part { original_minor: original, effective_minor: original }];
            for cut in cuts {
                let last = parts.len() - 1;
                let p = parts[last];
                if cut >= p.effective_minor { continue; }
                let (a, b) = split_original(p.original_minor, p.effective_minor, cut).unwrap();
                parts[last] = Part { original_minor: a, effective_minor: cut };
                parts.push(Part { original_minor: b, effective_minor: p.effective_minor - cut });
            }
            let mut refunded = 0i64;
            for r in refunds {
                refunded = (refunded + r).min(sale);
                let takes = refund_takes(&parts, sale, refunded).unwrap();
                prop_assert_eq!(takes.len(), parts.len());
                for (p, t) in parts.iter_mut().zip(&takes) {
                    prop_assert!(*t >= 0 && *t <= p.effective_minor, "take {} of {:?}", t, p);
                    p.effective_minor -= t;
                }
                let left: i64 = parts.iter().map(|p| p.effective_minor).sum();
                prop_assert_eq!(left, after_refund(original, sale, refunded).unwrap());
            }
        }

        #[test]
        fn a_commission_split_after_a_refund_keeps_the_family_original(
            (original, amount, at) in (2i64..1_000_000)
                .prop_flat_map(|o| (Just(o), 2i64..=o))
                .prop_flat_map(|(o, a)| (Just(o), Just(a), 1i64..a))
        ) {
            let (a, b) = split_original(original, amount, at).unwrap();
            prop_assert_eq!(a + b, original);
            prop_assert!(a >= 0 && b >= 0);
        }
    }
}
