//! Why staff void a commission: a short list to choose from (so reports can
//! count them), plus free text. "Other" needs the text.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::states::join_or;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    #[sea_orm(string_value = "fraud")]
    Fraud,
    #[sea_orm(string_value = "duplicate")]
    Duplicate,
    #[sea_orm(string_value = "order_cancelled")]
    OrderCancelled,
    #[sea_orm(string_value = "tracking_error")]
    TrackingError,
    #[sea_orm(string_value = "other")]
    Other,
}

impl VoidReason {
    pub const ALL: &'static [VoidReason] = &[
        Self::Fraud,
        Self::Duplicate,
        Self::OrderCancelled,
        Self::TrackingError,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fraud => "fraud",
            Self::Duplicate => "duplicate",
            Self::OrderCancelled => "order_cancelled",
            Self::TrackingError => "tracking_error",
            Self::Other => "other",
        }
    }

    /// What a person reads in a list or the audit trail.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fraud => "Fraud",
            Self::Duplicate => "Duplicate",
            Self::OrderCancelled => "Order cancelled",
            Self::TrackingError => "Tracking error",
            Self::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let words: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
                format!("must be {}", join_or(&words))
            })
    }
}

impl std::fmt::Display for VoidReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed reason with its note (trimmed, at most 1,000 characters; needed
/// when the reason is "other", since "other" alone says nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voiding {
    pub reason: VoidReason,
    pub note: Option<String>,
}

pub const MAX_NOTE_CHARS: usize = 1000;

impl Voiding {
    /// Field errors are named `void_reason` and `void_note`.
    pub fn parse(
        reason: Option<&str>,
        note: Option<&str>,
    ) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            None => {
                errors.push(("void_reason", "is required".to_owned()));
                None
            }
            Some(r) => match VoidReason::parse(r) {
                Ok(r) => Some(r),
                Err(m) => {
                    errors.push(("void_reason", m));
                    None
                }
            },
        };
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if let Some(n) = &note {
            if n.chars().count() > MAX_NOTE_CHARS {
                errors.push((
                    "void_note",
                    format!("must be at most {MAX_NOTE_CHARS} characters"),
                ));
            } else if n
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                errors.push((
                    "void_note",
                    "must not contain control characters".to_owned(),
                ));
            }
        }
        if reason == Some(VoidReason::Other) && note.is_none() {
            errors.push((
                "void_note",
                "is required when the reason is other: say why".to_owned(),
            ));
        }
        match (reason, errors.is_empty()) {
            (Some(reason), true) => Ok(Self { reason, note }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips_through_its_stored_string() {
        for r in VoidReason::ALL {
            assert_eq!(VoidReason::parse(r.as_str()), Ok(*r));
            assert_eq!(r.to_value(), r.as_str().to_owned());
        }
        assert!(
            VoidReason::parse("oops")
                .unwrap_err()
                .contains("tracking_error or other")
        );
    }

    #[test]
    fn other_needs_a_note_and_a_reason_is_required() {
        assert!(Voiding::parse(Some("fraud"), None).is_ok());
        let e = Voiding::parse(Some("other"), Some("  ")).unwrap_err();
        assert_eq!(e[0].0, "void_note");
        let e = Voiding::parse(None, Some("x")).unwrap_err();
        assert_eq!(e[0].0, "void_reason");
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            Voiding::parse(Some("fraud"), Some(&long)).unwrap_err()[0].0,
            "void_note"
        );
    }
}
