//! Crawlers and link previewers, told apart by their `User-Agent`: they are
//! redirected like anyone, but never counted as visits.

/// Crawlers and link previewers: redirected, never counted. An empty
/// `User-Agent` is no browser either.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.is_empty()
        || [
            "bot",
            "crawl",
            "spider",
            "slurp",
            "facebookexternalhit",
            "embedly",
            "preview",
            "whatsapp",
            "validator",
            "lighthouse",
        ]
        .iter()
        .any(|needle| ua.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawlers_are_recognised_and_browsers_are_not() {
        assert!(is_bot("Googlebot/2.1 (+http://www.google.com/bot.html)"));
        assert!(is_bot("facebookexternalhit/1.1"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36"
        ));
        assert!(!is_bot(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
        ));
    }
}
