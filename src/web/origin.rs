//! The public URL a request was served under, for the absolute links in the
//! mail it causes (`services::instance`).
//!
//! A configured `TRIBUTARY_PUBLIC_URL` always wins. Without one, the app
//! only knows its bind address (`http://0.0.0.0:8080` in a container, which
//! no affiliate can open), while the request knows the origin it came to:
//! its `Host` (and, with `TRIBUTARY_TRUST_PROXY`, the proxy's
//! `X-Forwarded-Host` and `X-Forwarded-Proto`). That origin is taken only
//! when it is a plain `scheme://host[:port]`; anything else falls back on
//! the configured or bind address.
//!
//! The mails that take it (approval, commission, payout) are caused by
//! staff, API keys or a signed Stripe event, never by an anonymous visitor;
//! the portal's own sign-in and reset links, which an anonymous request
//! asks for, keep using the configured URL (`Config::public_base`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web;
use url::Url;

use crate::config::Config;
use crate::services::instance;
use crate::web::AppState;

/// Runs the request under its public URL (`public_base_of`).
pub async fn serve_under_public_base(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let base = req
        .app_data::<web::Data<AppState>>()
        .map(|state| public_base_of(&state.config, req.headers(), req.uri().authority()));
    instance::serving_under(base, next.call(req)).await
}

/// The public URL (no trailing slash) of a request with these headers.
pub fn public_base_of(
    config: &Config,
    headers: &HeaderMap,
    authority: Option<&actix_web::http::uri::Authority>,
) -> String {
    if config.public_url_set {
        return config.public_base();
    }
    let forwarded = |name: &str| {
        config
            .trust_proxy
            .then(|| headers.get(name).and_then(|v| v.to_str().ok()))
            .flatten()
            // The right-most value is the one the proxy next to us added.
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    // The app itself serves plain HTTP: https only through a proxy.
    let scheme = match forwarded("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let host = forwarded("x-forwarded-host")
        .or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))
        .or_else(|| authority.map(|a| a.as_str()));
    host.and_then(|h| origin(scheme, h))
        .unwrap_or_else(|| config.public_base())
}

/// `scheme://host[:port]` when `host` is a host and port and nothing more.
fn origin(scheme: &str, host: &str) -> Option<String> {
    let url = Url::parse(&format!("{scheme}://{host}")).ok()?;
    let plain = url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !host.contains(['/', '\\']);
    plain.then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn config(set: Option<&str>, trust_proxy: bool) -> Config {
        let mut c = Config::for_tests("sqlite::memory:".into(), std::path::Path::new("/tmp"));
        c.public_url = Url::parse(set.unwrap_or("http://0.0.0.0:8080")).unwrap();
        c.public_url_set = set.is_some();
        c.trust_proxy = trust_proxy;
        c
    }

    #[test]
    fn without_a_configured_url_the_request_names_its_origin() {
        let c = config(None, false);
        let of = |pairs: &[(&'static str, &str)]| public_base_of(&c, &headers(pairs), None);
        assert_eq!(
            of(&[("host", "shop.example.com")]),
            "http://shop.example.com"
        );
        assert_eq!(of(&[("host", "10.0.0.5:8080")]), "http://10.0.0.5:8080");
        assert_eq!(of(&[("host", "[::1]:8080")]), "http://[::1]:8080");
        assert_eq!(
            of(&[("host", "Shop.Example.COM:80")]),
            "http://shop.example.com"
        );
        // A proxy's headers mean nothing unless the proxy is trusted.
        assert_eq!(
            of(&[
                ("host", "10.0.0.5:8080"),
                ("x-forwarded-host", "evil.example"),
                ("x-forwarded-proto", "https")
            ]),
            "http://10.0.0.5:8080"
        );
    }

    #[test]
    fn a_host_that_is_more_than_a_host_falls_back_on_the_bind_address() {
        let c = config(None, false);
        for bad in [
            "evil.example/path",
            "user@evil.example",
            "evil.example?x=1",
            "evil.example#x",
            "evil.example\\x",
            "",
            ":8080",
        ] {
            let got = public_base_of(&c, &headers(&[("host", bad)]), None);
            assert_eq!(got, "http://0.0.0.0:8080", "{bad:?}");
        }
        assert_eq!(
            public_base_of(&c, &HeaderMap::new(), None),
            "http://0.0.0.0:8080"
        );
    }

    #[test]
    fn behind_a_trusted_proxy_its_forwarded_host_and_scheme_count() {
        let c = config(None, true);
        let got = public_base_of(
            &c,
            &headers(&[
                ("host", "10.0.0.5:8080"),
                ("x-forwarded-host", "partners.shop.example"),
                ("x-forwarded-proto", "https"),
            ]),
            None,
        );
        assert_eq!(got, "https://partners.shop.example");
        let got = public_base_of(
            &c,
            &headers(&[
                ("host", "partners.shop.example"),
                ("x-forwarded-proto", "http"),
            ]),
            None,
        );
        assert_eq!(got, "http://partners.shop.example");
    }

    #[test]
    fn a_configured_url_wins_over_whatever_the_request_says() {
        let c = config(Some("https://affiliates.example.com/"), true);
        let got = public_base_of(
            &c,
            &headers(&[
                ("host", "10.0.0.5:8080"),
                ("x-forwarded-host", "other.example"),
            ]),
            None,
        );
        assert_eq!(got, "https://affiliates.example.com");
    }
}
