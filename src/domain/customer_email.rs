//! How the portal shows a referred customer's email to the affiliate who
//! referred them: masked (`j***@example.com`) unless the campaign allows
//! showing it (`show_customer_emails`, PromoteKit's `hide_emails` inverted).

/// The first character of the local part, `***`, and the domain:
/// `john@example.com` → `j***@example.com`. Text without an `@` (never a
/// stored email) shows nothing of itself: `***`.
pub fn mask(email: &str) -> String {
    let email = email.trim();
    match email.rsplit_once('@') {
        Some((local, domain)) if !domain.is_empty() => match local.chars().next() {
            Some(first) => format!("{first}***@{domain}"),
            None => format!("***@{domain}"),
        },
        _ => "***".to_owned(),
    }
}

/// The email as the affiliate may see it.
pub fn shown(email: &str, show_full: bool) -> String {
    if show_full {
        email.trim().to_owned()
    } else {
        mask(email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_first_letter_and_the_domain() {
        assert_eq!(mask("john@example.com"), "j***@example.com");
        assert_eq!(mask("j@example.com"), "j***@example.com");
        assert_eq!(
            mask(" ana.b+tag@mail.example.org "),
            "a***@mail.example.org"
        );
    }

    #[test]
    fn a_multibyte_first_letter_stays_whole() {
        assert_eq!(mask("élodie@example.fr"), "é***@example.fr");
    }

    #[test]
    fn odd_text_reveals_nothing() {
        assert_eq!(mask("no-at-sign"), "***");
        assert_eq!(mask("@example.com"), "***@example.com");
        assert_eq!(mask("user@"), "***");
    }

    #[test]
    fn shown_in_full_only_when_allowed() {
        assert_eq!(shown("john@example.com", true), "john@example.com");
        assert_eq!(shown("john@example.com", false), "j***@example.com");
    }
}
