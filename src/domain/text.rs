//! Short free-text fields (names): trimmed, required, bounded in characters.

pub fn required_text(input: &str, max_chars: usize) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(required_text("  Acme ", 10).unwrap(), "Acme");
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("abcdefghijk", 10).is_err());
        assert!(required_text("a\u{0}b", 10).is_err());
    }
}
