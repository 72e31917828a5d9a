//! Where a link may send a visitor: the campaign's website or a host the
//! store allows on Settings, and nowhere else. A saved link's destination is
//! checked when it is saved (`services::links::check_destination`); a deep
//! link's (`/r/{token}?to=…`) on every click, from the cached link, so
//! neither can ever be an open redirect.
//!
//! Hosts are compared without a leading "www." and without the port or
//! scheme (the rule saved destinations always had).

use url::Url;

use super::states::join_or;
use super::web_url::{parse_web_url, site_host};

/// The longest `?to=` address followed (a visit keeps 2048 characters of
/// its landing address, tracking parameters included).
pub const MAX_DEEP_LINK: usize = 1900;

/// The query parameters a click's redirect adds itself: a deep link's own
/// are dropped, so a crafted link cannot name another referral or visit.
const TRACKING_PARAMS: [&str; 3] = ["via", "tb_ref", "tb_click"];

/// The hosts a store's links may lead to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    /// The campaign website's host first, then the store's list.
    hosts: Vec<String>,
}

impl AllowedHosts {
    /// `store_hosts` as Settings keeps it: one per line (commas and spaces
    /// separate too).
    pub fn new(campaign_website: &str, store_hosts: &str) -> Self {
        let mut hosts = Vec::new();
        if let Ok(site) = Url::parse(campaign_website) {
            let host = site_host(&site);
            if !host.is_empty() {
                hosts.push(host);
            }
        }
        for h in store_hosts.split(['\n', ',', ' ']) {
            let h = h.trim().trim_start_matches("www.").to_ascii_lowercase();
            if !h.is_empty() && !hosts.contains(&h) {
                hosts.push(h);
            }
        }
        Self { hosts }
    }

    pub fn allows(&self, url: &Url) -> bool {
        let host = site_host(url);
        !host.is_empty() && self.hosts.contains(&host)
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// "shop.example.com or blog.example.org", for a field's message.
    pub fn describe(&self) -> String {
        let words: Vec<&str> = self.hosts.iter().map(String::as_str).collect();
        join_or(&words)
    }

    /// The field message for an address elsewhere.
    pub fn refusal(&self) -> String {
        if self.hosts.is_empty() {
            "must be on the campaign's website".to_owned()
        } else {
            format!("must be on {}", self.describe())
        }
    }
}

/// What an affiliate asks a deep link to lead to: a full address on an
/// allowed host, or a path (`/pricing`) on the link's own site.
///
/// `link_destination` is the link's own destination (its URL or the
/// campaign's website), which a path is joined to. The answer is the
/// address as parsed and written out again, so the browser goes exactly
/// where it was checked to go (`//evil.com`, `/\evil.com` and the like
/// are parsed as the hosts they name, and refused).
pub fn resolve(
    to: &str,
    link_destination: &str,
    allowed: &AllowedHosts,
) -> Result<Url, DeepLinkRefused> {
    let to = to.trim();
    if to.is_empty() {
        return Err(DeepLinkRefused::Empty);
    }
    if to.len() > MAX_DEEP_LINK {
        return Err(DeepLinkRefused::Malformed(format!(
            "must be at most {MAX_DEEP_LINK} characters"
        )));
    }
    let url = if to.starts_with('/') {
        let site = Url::parse(link_destination)
            .map_err(|_| DeepLinkRefused::Malformed("must be a full address".into()))?;
        site.join(to)
            .map_err(|_| DeepLinkRefused::Malformed("must be a path like /pricing".into()))?
    } else {
        parse_web_url(to, MAX_DEEP_LINK).map_err(|m| {
            DeepLinkRefused::Malformed(if m.starts_with("must be a full address") {
                "must be a full address like https://shop.example.com/page, or a path like /page"
                    .into()
            } else {
                m
            })
        })?
    };
    // A joined path keeps the site's scheme, but the host is what matters:
    // checked on the final address, whatever the text looked like.
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(DeepLinkRefused::Malformed(
            "must start with https:// or http:// and name a host".into(),
        ));
    }
    if !allowed.allows(&url) {
        return Err(DeepLinkRefused::Elsewhere(allowed.refusal()));
    }
    Ok(without_tracking_params(url))
}

/// Why a deep link's address is not followed (the message is a field's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLinkRefused {
    Empty,
    Malformed(String),
    /// On a host that is not allowed.
    Elsewhere(String),
}

impl DeepLinkRefused {
    pub fn message(&self) -> &str {
        match self {
            Self::Empty => "is required",
            Self::Malformed(m) | Self::Elsewhere(m) => m,
        }
    }
}

fn without_tracking_params(mut url: Url) -> Url {
    let ours = |k: &str| TRACKING_PARAMS.contains(&k);
    if !url.query_pairs().any(|(k, _)| ours(&*k)) {
        return url;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !ours(&**k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://shop.example.com/landing?ref=x";

    fn allowed() -> AllowedHosts {
        AllowedHosts::new(
            "https://www.shop.example.com",
            "blog.example.org\nwww.Other.com",
        )
    }

    fn to(input: &str) -> Result<String, DeepLinkRefused> {
        resolve(input, SITE, &allowed()).map(|u| u.to_string())
    }

    #[test]
    fn the_campaign_site_and_the_store_hosts_are_allowed_without_www() {
        let a = allowed();
        assert_eq!(
            a.hosts(),
            ["shop.example.com", "blog.example.org", "other.com"]
        );
        assert_eq!(
            a.describe(),
            "shop.example.com, blog.example.org or other.com"
        );
        assert_eq!(
            AllowedHosts::new("https://shop.example.com", "").refusal(),
            "must be on shop.example.com"
        );
    }

    #[test]
    fn a_full_address_on_an_allowed_host_is_followed() {
        assert_eq!(
            to("https://shop.example.com/pricing?plan=pro#faq"),
            Ok("https://shop.example.com/pricing?plan=pro#faq".into())
        );
        assert_eq!(
            to(" https://www.blog.example.org/post "),
            Ok("https://www.blog.example.org/post".into())
        );
        assert_eq!(
            to("http://other.com:8080/"),
            Ok("http://other.com:8080/".into())
        );
    }

    #[test]
    fn a_path_is_joined_to_the_links_site() {
        assert_eq!(
            to("/pricing?plan=pro"),
            Ok("https://shop.example.com/pricing?plan=pro".into())
        );
        assert_eq!(to("/"), Ok("https://shop.example.com/".into()));
    }

    #[test]
    fn anything_elsewhere_is_refused_however_it_is_written() {
        for bad in [
            "https://evil.com/",
            "https://shop.example.com.evil.net/",
            "https://evil.net/?u=https://shop.example.com",
            "//evil.com/path",
            "/\\evil.com",
            "/\t/evil.com",
            "https://shop.example.com@evil.com/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "ftp://shop.example.com/",
            "pricing",
            "",
        ] {
            assert!(to(bad).is_err(), "{bad:?} → {:?}", to(bad));
        }
        assert_eq!(
            to("https://evil.com/"),
            Err(DeepLinkRefused::Elsewhere(
                "must be on shop.example.com, blog.example.org or other.com".into()
            ))
        );
        assert!(to(&format!("/{}", "a".repeat(MAX_DEEP_LINK))).is_err());
    }

    #[test]
    fn the_deep_links_own_tracking_parameters_are_dropped() {
        assert_eq!(
            to("/p?via=other&tb_ref=1&tb_click=2&plan=pro"),
            Ok("https://shop.example.com/p?plan=pro".into())
        );
        assert_eq!(to("/p?via=other"), Ok("https://shop.example.com/p".into()));
    }
}
