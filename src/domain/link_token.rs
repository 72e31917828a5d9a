//! Link tokens (`/r/{token}`) and coupon codes.

/// `[a-z0-9_-]`, 2 to 64 characters, stored lower-case.
pub fn parse_link_token(input: &str) -> Result<String, String> {
    let token = input.trim().to_ascii_lowercase();
    if token.is_empty() {
        return Err("is required".into());
    }
    if !(2..=64).contains(&token.len()) {
        return Err("must be 2 to 64 characters".into());
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err("may contain only letters, digits, - and _".into());
    }
    Ok(token)
}

/// A token suggested from a person's name: "Ann O'Neil" → "ann-o-neil".
pub fn token_from_name(first: &str, last: &str) -> String {
    let mut out = String::new();
    for c in format!("{first} {last}").to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(48).collect();
    out.trim_matches('-').to_owned()
}

/// Coupon codes: letters, digits, `-` and `_`, 2 to 64 characters. Matched
/// case-insensitively (`key`), shown as typed.
pub fn parse_coupon_code(input: &str) -> Result<(String, String), String> {
    let code = input.trim();
    if code.is_empty() {
        return Err("is required".into());
    }
    if !(2..=64).contains(&code.len()) {
        return Err("must be 2 to 64 characters".into());
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("may contain only letters, digits, - and _".into());
    }
    Ok((code.to_owned(), code.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lower_case_and_bounded() {
        assert_eq!(parse_link_token(" Ann_2 ").unwrap(), "ann_2");
        for bad in ["", "a", "ann smith", "ann/1", "änn", &"a".repeat(65)] {
            assert!(parse_link_token(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_name_makes_a_valid_token_or_nothing() {
        assert_eq!(token_from_name("Ann", "O'Neil"), "ann-o-neil");
        assert!(parse_link_token(&token_from_name("Zoë", "Ng")).is_ok());
        assert_eq!(token_from_name("", "李"), "");
    }

    #[test]
    fn coupon_codes_match_case_insensitively() {
        assert_eq!(
            parse_coupon_code("Save10").unwrap(),
            ("Save10".into(), "SAVE10".into())
        );
        assert!(parse_coupon_code("save 10").is_err());
    }
}
