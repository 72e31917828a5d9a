//! A password chosen by a person: 12 to 128 characters (OWASP ASVS 2.1),
//! counted as characters, not bytes, and never trimmed or truncated.

use std::fmt;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, String> {
        let count = input.chars().count();
        if count == 0 {
            return Err("is required".into());
        }
        if count < MIN_CHARS {
            return Err(format!("must be at least {MIN_CHARS} characters"));
        }
        if count > MAX_CHARS {
            return Err(format!("must be at most {MAX_CHARS} characters"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Never print a password, not even in a debug log.
impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 12 characters, 24 bytes.
        assert!(Password::parse("éééééééééééé").is_ok());
        assert!(Password::parse("ééééééééééé").is_err());
    }

    #[test]
    fn bounds_are_inclusive() {
        assert!(Password::parse(&"a".repeat(12)).is_ok());
        assert!(Password::parse(&"a".repeat(128)).is_ok());
        assert!(Password::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn spaces_are_kept_not_trimmed() {
        assert_eq!(
            Password::parse("  twelve chars ").unwrap().expose(),
            "  twelve chars "
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        assert_eq!(
            format!("{:?}", Password::parse("correct horse battery").unwrap()),
            "Password(***)"
        );
    }
}
