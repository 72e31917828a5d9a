//! The outgoing mail settings: both or neither, and a URL lettre
//! understands.

use url::Url;

use super::{ConfigError, bad};

/// Where outgoing mail goes; absent, mail stays in the outbox for the
/// Emails page.
#[derive(Clone)]
pub struct MailConfig {
    pub smtp_url: String,
    pub from: String,
}

impl std::fmt::Debug for MailConfig {
    // The URL may carry the SMTP password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &"<hidden>")
            .field("from", &self.from)
            .finish()
    }
}

/// Both mail settings or neither; the URL must be one lettre understands.
pub(super) fn parse_mail(
    url: Option<&str>,
    from: Option<&str>,
) -> Result<Option<MailConfig>, ConfigError> {
    let given = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (url, from) = match (given(url), given(from)) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(bad(
                "TRIBUTARY_MAIL_FROM",
                "must be set with TRIBUTARY_SMTP_URL (the address mail comes from)",
            ));
        }
        (None, Some(_)) => {
            return Err(bad(
                "TRIBUTARY_SMTP_URL",
                "must be set with TRIBUTARY_MAIL_FROM (e.g. smtp://user:pass@mail.example.com:587?tls=required)",
            ));
        }
        (Some(url), Some(from)) => (url, from),
    };
    let parsed = Url::parse(&url).map_err(|_| {
        bad(
            "TRIBUTARY_SMTP_URL",
            "is not a URL like smtp://user:pass@host:25 or smtps://host",
        )
    })?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad(
            "TRIBUTARY_SMTP_URL",
            "must be smtp://host[:port] or smtps://host[:port] (user:pass@ before the host when the server needs it)",
        ));
    }
    for (k, v) in parsed.query_pairs() {
        match (k.as_ref(), v.as_ref()) {
            ("tls", "required" | "opportunistic") if parsed.scheme() == "smtp" => {}
            ("tls", _) => {
                return Err(bad(
                    "TRIBUTARY_SMTP_URL",
                    "tls= must be required or opportunistic, with smtp:// (smtps:// is TLS already)",
                ));
            }
            (other, _) => {
                return Err(bad(
                    "TRIBUTARY_SMTP_URL",
                    format!("unknown option {other:?} (tls= is the one option)"),
                ));
            }
        }
    }
    if crate::domain::Email::parse(&from).is_err() {
        return Err(bad(
            "TRIBUTARY_MAIL_FROM",
            format!("{from:?} is not an email address like affiliates@example.com"),
        ));
    }
    Ok(Some(MailConfig {
        smtp_url: url,
        from,
    }))
}
