//! Unit tests of `domain::states`.
use super::*;

#[test]
fn every_value_round_trips_through_its_stored_string() {
    for s in ReferralState::ALL {
        assert_eq!(ReferralState::parse(s.as_str()), Ok(*s));
        assert_eq!(s.to_value(), s.as_str().to_owned());
    }
    for s in CommissionStatus::ALL {
        assert_eq!(CommissionStatus::parse(s.as_str()), Ok(*s));
        assert_eq!(s.to_value(), s.as_str().to_owned());
    }
    for s in CommissionKind::ALL {
        assert_eq!(CommissionKind::parse(s.as_str()), Ok(*s));
    }
    for s in LedgerKind::ALL {
        assert_eq!(LedgerKind::parse(s.as_str()), Ok(*s));
        assert_eq!(s.to_value(), s.as_str().to_owned());
    }
    for s in ReferralSource::ALL {
        assert_eq!(ReferralSource::parse(s.as_str()), Ok(*s));
    }
}

#[test]
fn a_bad_value_names_what_is_allowed() {
    assert_eq!(
        CommissionStatus::parse("done"),
        Err("must be pending, due, paid, voided or refunded".into())
    );
    assert!(CommissionStatus::try_from_value(&"done".to_owned()).is_err());
}

#[test]
fn only_pending_and_due_commissions_can_be_voided() {
    use CommissionStatus::*;
    assert_eq!(Pending.void(), Ok(Voided));
    assert_eq!(Due.void(), Ok(Voided));
    for s in [Paid, Voided, Refunded] {
        assert!(s.void().is_err(), "{s} was voided");
    }
    assert!(Paid.void().unwrap_err().0.contains("claw"));
}

#[test]
fn a_refund_reduces_unpaid_commissions_and_claws_back_paid_ones() {
    use CommissionStatus::*;
    assert_eq!(
        Due.refund(false),
        RefundMove::Reduce {
            becomes: Due,
            in_balance: true
        }
    );
    assert_eq!(
        Pending.refund(true),
        RefundMove::Reduce {
            becomes: Refunded,
            in_balance: false
        }
    );
    assert_eq!(Paid.refund(true), RefundMove::ClawBack);
    assert_eq!(Voided.refund(true), RefundMove::Nothing);
    assert_eq!(Refunded.refund(false), RefundMove::Nothing);
}

#[test]
fn only_pending_becomes_due_and_only_due_is_paid() {
    use CommissionStatus::*;
    assert_eq!(Pending.promote(), Ok(Due));
    assert!(Due.promote().is_err());
    assert_eq!(Due.settle(), Ok(Paid));
    for s in [Pending, Paid, Voided, Refunded] {
        assert!(s.settle().is_err());
    }
}

#[test]
fn a_sign_up_never_moves_a_customer_back() {
    assert_eq!(ReferralState::Visitor.sign_up(), ReferralState::Lead);
    assert_eq!(ReferralState::Lead.sign_up(), ReferralState::Lead);
    assert_eq!(ReferralState::Converted.sign_up(), ReferralState::Converted);
}

/// The stored strings are spelled here (and in migrations) only: a
/// literal elsewhere in `src/` is a state compared or written around
/// its enum. Words that are also other things ("sale", "manual",
/// "payout" name audit subjects too) are left out.
#[test]
fn no_state_string_is_spelled_outside_the_domain() {
    let words: Vec<&str> = ReferralState::ALL
        .iter()
        .map(|s| s.as_str())
        .chain(CommissionStatus::ALL.iter().map(|s| s.as_str()))
        .chain([
            "commission_due",
            "clawback",
            "reversal",
            "payout_void",
            "adjustment",
        ])
        .chain(
            crate::domain::affiliate::AffiliateStatus::ALL
                .iter()
                .map(|s| s.as_str()),
        )
        .chain(
            crate::domain::mail::EmailStatus::ALL
                .iter()
                .map(|s| s.as_str()),
        )
        .collect();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if path != src.join("domain") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source is text");
                for (n, line) in text.lines().enumerate() {
                    for w in &words {
                        if line.contains(&format!("\"{w}\"")) {
                            offenders.push(format!("{}:{}: \"{w}\"", path.display(), n + 1));
                        }
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "state strings outside domain/:\n{}",
        offenders.join("\n")
    );
}
