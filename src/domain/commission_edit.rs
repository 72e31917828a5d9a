//! What staff may change on a commission, and how a commission reads
//! (issue 13 point 7: `amount` is what the affiliate earns now). Pure rules:
//! the service loads the row, asks these, writes what they say.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::states::{CommissionKind, CommissionStatus, TransitionError};

/// Whether a commission's amount, due date and remarks may change.
pub fn editable(status: CommissionStatus) -> Result<(), TransitionError> {
    match status {
        CommissionStatus::Pending | CommissionStatus::Due => Ok(()),
        CommissionStatus::Paid => Err(TransitionError(
            "A paid commission cannot be edited: its money has left with a payout. Claw it back instead (a negative manual commission)."
                .into(),
        )),
        CommissionStatus::Voided => Err(TransitionError(
            "A voided commission cannot be edited.".into(),
        )),
        CommissionStatus::Refunded => Err(TransitionError(
            "This commission was refunded with its sale; it cannot be edited.".into(),
        )),
    }
}

/// A due commission a payout is settling belongs to that payout: changing
/// or voiding it would make the payout's amount disagree with its
/// commissions (DESIGN §3, invariant 2).
pub fn not_in_payout(
    status: CommissionStatus,
    payout_id: Option<uuid::Uuid>,
) -> Result<(), TransitionError> {
    match (status, payout_id) {
        (CommissionStatus::Paid, _) | (_, None) => Ok(()),
        (_, Some(p)) => Err(TransitionError(format!(
            "This commission is in payout {p}; void that payout first."
        ))),
    }
}

/// A new amount keeps the commission's sign (a clawback stays negative) and
/// is never zero (that is a void). Field message for `amount`.
pub fn check_amount(old_minor: i64, new_minor: i64) -> Result<(), String> {
    if new_minor == 0 {
        return Err("must not be 0: void the commission instead".into());
    }
    if old_minor > 0 && new_minor < 0 {
        return Err(
            "must be greater than 0 (to take money back, create a negative manual commission)"
                .into(),
        );
    }
    if old_minor < 0 && new_minor > 0 {
        return Err("must be below 0: this commission takes money back".into());
    }
    Ok(())
}

/// A sale's commission follows its sale's refunds (computed from its
/// original amount); once the sale is partly refunded, a hand-set amount
/// would be undone by the next refund.
pub fn amount_follows_refunds(
    kind: CommissionKind,
    sale_refunded_minor: i64,
) -> Result<(), TransitionError> {
    if kind == CommissionKind::Sale && sale_refunded_minor > 0 {
        return Err(TransitionError(
            "Its sale is partly refunded and the amount follows the refunds: void it and create a manual commission instead."
                .into(),
        ));
    }
    Ok(())
}

/// Earliest and latest dates accepted anywhere a person types a time.
pub fn sane_time(at: DateTime<Utc>) -> Result<(), String> {
    let min = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let max = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    if at < min || at >= max {
        return Err("must be between 2000 and 2099".into());
    }
    Ok(())
}

/// A time typed in a form or a JSON body: RFC 3339, `YYYY-MM-DDTHH:MM`
/// (a `datetime-local` input, read as UTC) or a date. A bare date keeps
/// `keep`'s time of day, and the same date as `keep` is `keep` itself (a
/// form that sends the date back unchanged changes nothing). Blank is
/// refused with Rewardful's words ("can't be blank").
pub fn parse_time(text: &str, keep: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("can't be blank".into());
    }
    let parsed = if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        at.with_timezone(&Utc)
    } else if let Ok(local) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M") {
        Utc.from_utc_datetime(&local)
    } else if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        match keep {
            Some(k) if k.date_naive() == date => k,
            Some(k) => Utc.from_utc_datetime(&date.and_time(k.time())),
            None => Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap()),
        }
    } else {
        return Err(format!(
            "must be a time like 2026-01-31T12:00:00Z or a date like 2026-01-31, not {t:?}"
        ));
    };
    sane_time(parsed)?;
    Ok(parsed)
}

/// A due commission is in the balance already: a due date in the future
/// would need it back in pending, which is not a move commissions make.
pub fn check_due_at(
    status: CommissionStatus,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    if status == CommissionStatus::Due && due_at > now {
        return Err(
            "must not be in the future: this commission is due (in the balance) already".into(),
        );
    }
    Ok(())
}

/// What a requested status does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMove {
    Stay,
    /// Pending → due now (enters the balance).
    Promote,
    Void,
}

pub fn status_move(
    current: CommissionStatus,
    wanted: CommissionStatus,
) -> Result<StatusMove, TransitionError> {
    use CommissionStatus::*;
    if current == wanted {
        return Ok(StatusMove::Stay);
    }
    match wanted {
        Due => current.promote().map(|_| StatusMove::Promote),
        Voided => current.void().map(|_| StatusMove::Void),
        Pending => Err(TransitionError(format!(
            "A {current} commission does not go back to pending."
        ))),
        Paid => Err(TransitionError(
            "A commission becomes paid when its payout is marked paid, not by setting its status."
                .into(),
        )),
        Refunded => Err(TransitionError(
            "A commission becomes refunded when its sale is refunded.".into(),
        )),
    }
}

/// How a commission reads (API and pages): `amount` is what the affiliate
/// earns from it now, so summing `amount` over any list never overcounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earning {
    /// Now: 0 once voided or refunded.
    pub amount_minor: i64,
    /// Before any refund (after the last edit).
    pub original_minor: i64,
    /// What its sale's refunds took from it.
    pub refunded_minor: i64,
}

pub fn earning(
    status: CommissionStatus,
    kind: CommissionKind,
    amount_minor: i64,
    original_minor: i64,
) -> Earning {
    let now = if status.is_live() { amount_minor } else { 0 };
    let refunded = match (status, kind) {
        (CommissionStatus::Refunded, _) => original_minor,
        (_, CommissionKind::Sale) => original_minor - amount_minor,
        _ => 0,
    };
    Earning {
        amount_minor: now,
        original_minor,
        refunded_minor: refunded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn only_pending_and_due_commissions_are_edited_and_a_paid_one_points_to_a_clawback() {
        use CommissionStatus::*;
        assert!(editable(Pending).is_ok() && editable(Due).is_ok());
        assert!(editable(Paid).unwrap_err().0.contains("Claw it back"));
        assert!(editable(Voided).is_err() && editable(Refunded).is_err());
    }

    #[test]
    fn an_amount_keeps_its_sign_and_is_never_zero() {
        assert!(check_amount(100, 50).is_ok());
        assert!(check_amount(-100, -50).is_ok());
        assert!(check_amount(100, 0).unwrap_err().contains("void"));
        assert!(check_amount(100, -1).is_err());
        assert!(check_amount(-100, 1).is_err());
    }

    #[test]
    fn a_date_alone_keeps_the_time_of_day_and_blank_is_refused() {
        let keep = at("2026-02-09T12:30:00Z");
        assert_eq!(parse_time("2026-02-09", Some(keep)), Ok(keep));
        assert_eq!(
            parse_time("2026-02-10", Some(keep)),
            Ok(at("2026-02-10T12:30:00Z"))
        );
        assert_eq!(
            parse_time("2026-02-10T08:15", None),
            Ok(at("2026-02-10T08:15:00Z"))
        );
        assert_eq!(
            parse_time("2026-02-10T08:15:00+01:00", None),
            Ok(at("2026-02-10T07:15:00Z"))
        );
        assert_eq!(parse_time(" ", Some(keep)), Err("can't be blank".into()));
        assert!(parse_time("0000-01-01T00:00:00Z", None).is_err());
        assert!(parse_time("tomorrow", None).is_err());
    }

    #[test]
    fn a_due_commission_cannot_be_made_due_in_the_future() {
        let now = at("2026-03-01T00:00:00Z");
        assert!(check_due_at(CommissionStatus::Due, at("2026-03-02T00:00:00Z"), now).is_err());
        assert!(check_due_at(CommissionStatus::Due, at("2026-02-01T00:00:00Z"), now).is_ok());
        assert!(check_due_at(CommissionStatus::Pending, at("2027-01-01T00:00:00Z"), now).is_ok());
    }

    #[test]
    fn status_moves_follow_the_typed_transitions() {
        use CommissionStatus::*;
        assert_eq!(status_move(Pending, Due), Ok(StatusMove::Promote));
        assert_eq!(status_move(Due, Voided), Ok(StatusMove::Void));
        assert_eq!(status_move(Due, Due), Ok(StatusMove::Stay));
        assert!(status_move(Due, Pending).is_err());
        assert!(status_move(Pending, Paid).unwrap_err().0.contains("payout"));
        assert!(status_move(Paid, Voided).unwrap_err().0.contains("claw"));
        assert!(status_move(Pending, Refunded).is_err());
    }

    #[test]
    fn a_refunded_or_voided_commission_earns_nothing_now() {
        use CommissionKind::*;
        use CommissionStatus::*;
        assert_eq!(
            earning(Refunded, Sale, 200, 200),
            Earning {
                amount_minor: 0,
                original_minor: 200,
                refunded_minor: 200
            }
        );
        assert_eq!(
            earning(Due, Sale, 150, 200),
            Earning {
                amount_minor: 150,
                original_minor: 200,
                refunded_minor: 50
            }
        );
        assert_eq!(earning(Voided, Manual, 500, 500).amount_minor, 0);
        assert_eq!(
            earning(Due, Clawback, -50, -50),
            Earning {
                amount_minor: -50,
                original_minor: -50,
                refunded_minor: 0
            }
        );
    }
}
