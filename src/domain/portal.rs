//! The affiliate portal's pure rules: who may see the dashboard (standing),
//! the store's look (logo, accent colour) and the join form's extra
//! questions and answers.

use super::ValidationErrors;
use super::affiliate::AffiliateStatus;

/// Where an affiliate stands with the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Approved and enabled: the dashboard.
    Active,
    /// Applied, not yet reviewed: a "waiting for approval" page; the
    /// session stays (approval opens the dashboard at the next request).
    Pending,
    /// Not accepted: a clear page, and the session ends.
    Rejected,
    /// Suspended, or disabled by staff: a clear page, and the session ends.
    Suspended,
    /// Personal data erased: treated as gone.
    Gone,
}

impl Standing {
    /// The name the portal's status page is drawn for (its template
    /// branches on it); the dashboard's standing has none.
    pub fn page_name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Rejected => "rejected",
            Self::Active | Self::Suspended | Self::Gone => "suspended",
        }
    }

    pub fn of(status: AffiliateStatus, is_enabled: bool, anonymized: bool) -> Self {
        if anonymized {
            return Self::Gone;
        }
        match status {
            AffiliateStatus::Pending => Self::Pending,
            AffiliateStatus::Rejected => Self::Rejected,
            AffiliateStatus::Suspended => Self::Suspended,
            AffiliateStatus::Approved if !is_enabled => Self::Suspended,
            AffiliateStatus::Approved => Self::Active,
        }
    }

    /// Whether a session may continue at all (the dashboard or the waiting page).
    pub fn keeps_session(self) -> bool {
        matches!(self, Self::Active | Self::Pending)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
            Self::Gone => "gone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Active,
            Self::Pending,
            Self::Rejected,
            Self::Suspended,
            Self::Gone,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// `#rrggbb`, lower-cased; empty means the default look. Only this exact
/// shape is accepted because the value is written into the store's CSS.
pub fn parse_accent_color(input: &str) -> Result<Option<String>, String> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let hex = value
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    match hex {
        Some(h) => Ok(Some(format!("#{}", h.to_ascii_lowercase()))),
        None => Err("must be a colour like #1e88e5".into()),
    }
}

/// An https address of an image; empty means none. Plain http would be
/// blocked as mixed content on an https portal and leaks who looks.
pub fn parse_logo_url(input: &str) -> Result<Option<String>, String> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let url = super::web_url::parse_web_url(value, 2048)?;
    if url.scheme() != "https" {
        return Err("must start with https://".into());
    }
    Ok(Some(url.to_string()))
}

pub const MAX_QUESTIONS: usize = 5;
pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_ANSWER_CHARS: usize = 1000;

/// The join form's extra questions, one per line of the Settings box.
pub fn parse_signup_questions(input: &str) -> Result<Vec<String>, String> {
    let questions: Vec<String> = input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if questions.len() > MAX_QUESTIONS {
        return Err(format!("may ask at most {MAX_QUESTIONS} questions"));
    }
    for q in &questions {
        if q.chars().count() > MAX_QUESTION_CHARS {
            return Err(format!(
                "each question must be at most {MAX_QUESTION_CHARS} characters"
            ));
        }
        if q.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
    }
    Ok(questions)
}

/// One answer of the join form, kept with the question as it was asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignupAnswer {
    pub question: String,
    pub answer: String,
}

/// The answers to `questions`, in order; `answers[i]` answers question i
/// and its field is `answer_{i}`. Every question must be answered.
pub fn parse_signup_answers(
    questions: &[String],
    answers: &[String],
    errors: &mut ValidationErrors,
) -> Vec<SignupAnswer> {
    let mut out = Vec::with_capacity(questions.len());
    for (i, question) in questions.iter().enumerate() {
        let answer = answers.get(i).map(|a| a.trim()).unwrap_or("");
        let field = format!("answer_{i}");
        if answer.is_empty() {
            errors.add(&field, "is required");
        } else if answer.chars().count() > MAX_ANSWER_CHARS {
            errors.add(
                &field,
                format!("must be at most {MAX_ANSWER_CHARS} characters"),
            );
        } else {
            out.push(SignupAnswer {
                question: question.clone(),
                answer: answer.to_owned(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_approved_enabled_affiliates_reach_the_dashboard() {
        use AffiliateStatus::*;
        assert_eq!(Standing::of(Approved, true, false), Standing::Active);
        assert_eq!(Standing::of(Approved, false, false), Standing::Suspended);
        assert_eq!(Standing::of(Pending, true, false), Standing::Pending);
        assert_eq!(Standing::of(Rejected, true, false), Standing::Rejected);
        assert_eq!(Standing::of(Suspended, true, false), Standing::Suspended);
        assert_eq!(Standing::of(Approved, true, true), Standing::Gone);
        assert!(Standing::Pending.keeps_session());
        assert!(!Standing::Suspended.keeps_session());
    }

    #[test]
    fn the_accent_colour_is_exactly_six_hex_digits() {
        assert_eq!(parse_accent_color(" #1E88e5 "), Ok(Some("#1e88e5".into())));
        assert_eq!(parse_accent_color(""), Ok(None));
        for bad in ["1e88e5", "#1e88e", "#1e88e5;}", "red", "#gggggg"] {
            assert!(parse_accent_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_logo_must_be_https() {
        assert!(
            parse_logo_url("https://cdn.example.com/logo.png")
                .unwrap()
                .is_some()
        );
        assert_eq!(parse_logo_url(""), Ok(None));
        assert!(parse_logo_url("http://cdn.example.com/logo.png").is_err());
        assert!(parse_logo_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn questions_are_lines_and_answers_are_required() {
        let q = parse_signup_questions("Where do you promote?\n\n  Audience size? \n").unwrap();
        assert_eq!(q, ["Where do you promote?", "Audience size?"]);
        assert!(parse_signup_questions(&"q\n".repeat(6)).is_err());
        let mut errors = ValidationErrors::new();
        let a = parse_signup_answers(&q, &["YouTube".into()], &mut errors);
        assert_eq!(a.len(), 1);
        assert!(errors.get("answer_1").is_some());
    }
}
