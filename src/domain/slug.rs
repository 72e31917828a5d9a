//! A store slug: the short name in URLs (`/webhooks/stripe/{slug}`, the
//! affiliate portal). Lower-case letters, digits and single hyphens,
//! 2 to 48 characters, starting and ending with a letter or digit.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, String> {
        let slug = input.trim();
        if slug.is_empty() {
            return Err("is required".into());
        }
        if !(2..=48).contains(&slug.len()) {
            return Err("must be 2 to 48 characters".into());
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("may contain only lower-case letters, digits and hyphens".into());
        }
        if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
            return Err(
                "must start and end with a letter or digit, with single hyphens between".into(),
            );
        }
        Ok(Self(slug.to_owned()))
    }

    /// A slug suggested from a store name: "Ann's Shop!" → "ann-s-shop".
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.trim().to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let trimmed: String = out.trim_end_matches('-').chars().take(48).collect();
        trimmed.trim_end_matches('-').to_owned()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lower_case_words_joined_by_hyphens() {
        assert_eq!(Slug::parse(" acme-2 ").unwrap().as_str(), "acme-2");
    }

    #[test]
    fn rejects_bad_shapes() {
        for bad in [
            "",
            "a",
            "Acme",
            "acme shop",
            "-acme",
            "acme-",
            "ac--me",
            "acmé",
            &"a".repeat(49),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn suggests_a_valid_slug_from_a_name() {
        assert_eq!(Slug::suggest("Ann's Shop!"), "ann-s-shop");
        assert!(Slug::parse(&Slug::suggest("  The   Big Store  ")).is_ok());
    }
}
