use super::*;

#[test]
fn defaults_serve_on_localhost_with_sqlite_under_data() {
    let config = Config::from_settings(&Settings::default()).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.database_url, "sqlite://./data/tributary.db?mode=rwc");
    assert_eq!(config.public_base(), "http://127.0.0.1:8080");
    assert!(!config.is_https());
}

#[test]
fn a_bad_setting_is_named_in_the_error() {
    let cases = [
        (
            Settings {
                bind: Some("nowhere".into()),
                ..Default::default()
            },
            "TRIBUTARY_BIND",
        ),
        (
            Settings {
                database_url: Some("mysql://x".into()),
                ..Default::default()
            },
            "DATABASE_URL",
        ),
        (
            Settings {
                public_url: Some("ftp://x".into()),
                ..Default::default()
            },
            "TRIBUTARY_PUBLIC_URL",
        ),
        (
            Settings {
                secret_key: Some("c2hvcnQ=".into()),
                ..Default::default()
            },
            "TRIBUTARY_SECRET_KEY",
        ),
        (
            Settings {
                session_idle_minutes: Some("0".into()),
                ..Default::default()
            },
            "TRIBUTARY_SESSION_IDLE_MINUTES",
        ),
    ];
    for (settings, name) in cases {
        let err = Config::from_settings(&settings).unwrap_err();
        assert_eq!(err.setting, name);
        assert!(err.to_string().starts_with(name));
    }
}

#[test]
fn mail_needs_both_settings_and_a_smtp_url() {
    let with = |url: Option<&str>, from: Option<&str>| {
        Config::from_settings(&Settings {
            smtp_url: url.map(str::to_owned),
            mail_from: from.map(str::to_owned),
            ..Default::default()
        })
    };
    assert!(with(None, None).unwrap().mail.is_none());
    for url in [
        "smtp://user:pass@mail.example.com:25",
        "smtps://mail.example.com",
        "smtp://mail.example.com:587?tls=required",
    ] {
        let mail = with(Some(url), Some("shop@example.com"))
            .unwrap()
            .mail
            .unwrap();
        assert_eq!(mail.smtp_url, url);
        assert!(!format!("{mail:?}").contains("pass"));
    }
    let cases = [
        (Some("smtp://mail.example.com"), None, "TRIBUTARY_MAIL_FROM"),
        (None, Some("shop@example.com"), "TRIBUTARY_SMTP_URL"),
        (
            Some("http://mail.example.com"),
            Some("shop@example.com"),
            "TRIBUTARY_SMTP_URL",
        ),
        (
            Some("smtp://mail.example.com?tls=maybe"),
            Some("shop@example.com"),
            "TRIBUTARY_SMTP_URL",
        ),
        (
            Some("smtp://mail.example.com"),
            Some("not an address"),
            "TRIBUTARY_MAIL_FROM",
        ),
    ];
    for (url, from, name) in cases {
        assert_eq!(
            with(url, from).unwrap_err().setting,
            name,
            "{url:?} {from:?}"
        );
    }
}

#[test]
fn the_generated_secret_is_kept_across_starts() {
    let dir = std::env::temp_dir().join(format!("tributary-config-{}", uuid::Uuid::now_v7()));
    let settings = Settings {
        data_dir: Some(dir.display().to_string()),
        ..Default::default()
    };
    let mut first = Config::from_settings(&settings).unwrap();
    first.ensure_data_dir().unwrap();
    let mut second = Config::from_settings(&settings).unwrap();
    second.ensure_data_dir().unwrap();
    assert_eq!(first.secret_key.len(), 64);
    assert_eq!(first.secret_key, second.secret_key);
    std::fs::remove_dir_all(dir).ok();
}
