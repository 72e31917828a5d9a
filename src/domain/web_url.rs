//! Web addresses typed by staff: absolute http(s) URLs with a host.

use url::Url;

pub fn parse_web_url(input: &str, max_chars: usize) -> Result<Url, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    if text.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    let url = Url::parse(text)
        .map_err(|_| "must be a full address like https://example.com".to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("must start with https:// or http:// and name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    Ok(url)
}

/// Lower-cased host without a leading "www.", for comparing sites.
pub fn site_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    host.strip_prefix("www.").unwrap_or(&host).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_with_a_host() {
        assert!(parse_web_url("https://shop.example.com/pricing?x=1", 256).is_ok());
        assert!(parse_web_url(" http://localhost:3000 ", 256).is_ok());
    }

    #[test]
    fn refuses_other_schemes_relative_urls_and_credentials() {
        for bad in [
            "",
            "shop.example.com",
            "javascript:alert(1)",
            "ftp://x.com",
            "https://user:pw@x.com",
            "data:text/html,hi",
        ] {
            assert!(parse_web_url(bad, 256).is_err(), "{bad:?}");
        }
        assert!(parse_web_url(&format!("https://x.com/{}", "a".repeat(300)), 256).is_err());
    }

    #[test]
    fn compares_hosts_without_www() {
        let a = parse_web_url("https://www.Example.com/a", 256).unwrap();
        assert_eq!(site_host(&a), "example.com");
    }
}
