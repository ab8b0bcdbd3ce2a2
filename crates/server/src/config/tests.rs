//! The configuration's layers and checks.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_example_is_valid_and_says_the_defaults() {
    let parsed: Config = toml::from_str(EXAMPLE).unwrap();
    assert_eq!(parsed, Config::default());
}

#[test]
fn layers_override_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(
        &file,
        "data_dir = \"/from/file\"\n[http]\nlisten = \"0.0.0.0:80\"\n[log]\nlevel = \"debug\"\n",
    )
    .unwrap();
    let only_file = load(Some(&file), &[], &Flags::default()).unwrap();
    assert_eq!(only_file.data_dir.as_deref(), Some(Path::new("/from/file")));
    assert_eq!(only_file.http.listen.port(), 80);

    let environment = env(&[("DURCHWAHL_DATA_DIR", "/from/env"), ("PATH", "/bin")]);
    let with_env = load(Some(&file), &environment, &Flags::default()).unwrap();
    assert_eq!(with_env.data_dir.as_deref(), Some(Path::new("/from/env")));
    assert_eq!(
        with_env.log.level, "debug",
        "untouched keys keep the file's value"
    );

    let flags = Flags {
        data_dir: Some("/from/flag".into()),
        ..Flags::default()
    };
    let with_flag = load(Some(&file), &environment, &flags).unwrap();
    assert_eq!(with_flag.data_dir.as_deref(), Some(Path::new("/from/flag")));
}

#[test]
fn http_bounds_are_checked_and_office_networks_exempt() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    for bad in [0, 601] {
        std::fs::write(&file, format!("[http]\nheader_timeout_seconds = {bad}\n")).unwrap();
        let err = load(Some(&file), &[], &Flags::default()).unwrap_err();
        assert!(err.to_string().contains("header_timeout_seconds"), "{err}");
    }
    std::fs::write(
        &file,
        "[http]\nheader_timeout_seconds = 600\nconnections_per_address = 0\n\
             [auth]\noffice_networks = [\"10.20.0.0/16\"]\n",
    )
    .unwrap();
    let config = load(Some(&file), &[], &Flags::default()).unwrap();
    let settings = config.http.settings(config.auth.office_networks.clone());
    assert_eq!(settings.header_timeout, std::time::Duration::from_secs(600));
    assert_eq!(settings.connections_per_address, 0, "0: no cap");
    assert!(
        settings.exempt.len() == 1 && settings.exempt[0].contains("10.20.1.2".parse().unwrap())
    );
}

#[test]
fn mistakes_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[http]\nlisen = \"0.0.0.0:80\"\n").unwrap();
    let err = format!(
        "{:#}",
        load(Some(&file), &[], &Flags::default()).unwrap_err()
    );
    assert!(err.contains("lisen"), "{err}");

    let err = load(
        None,
        &env(&[("DURCHWAHL_HTTP_LISTN", "x")]),
        &Flags::default(),
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("DURCHWAHL_HTTP_LISTN"),
        "{err:#}"
    );

    let flags = Flags {
        database_url: Some("mysql://db/x".into()),
        ..Flags::default()
    };
    let err = load(None, &[], &flags).unwrap_err();
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );

    let err = load(Some(Path::new("/nonexistent.toml")), &[], &Flags::default()).unwrap_err();
    assert!(err.to_string().contains("/nonexistent.toml"), "{err}");

    let sip = env(&[("DURCHWAHL_SIP_DOMAIN", "pbx.lra.example")]);
    assert_eq!(
        load(None, &sip, &Flags::default()).unwrap().sip.domain,
        "pbx.lra.example"
    );
    let bad = env(&[("DURCHWAHL_SIP_DOMAIN", "pbx lra")]);
    let err = load(None, &bad, &Flags::default()).unwrap_err();
    assert!(err.to_string().contains("[sip] domain"), "{err}");
}

#[test]
fn every_setting_comes_from_the_environment_by_its_name() {
    let config = load(
        None,
        &env(&[
            ("DURCHWAHL_SIP__RING_TIMEOUT_SECONDS", "30"),
            ("DURCHWAHL_SIP_OFFER_SHA256", "false"),
            (
                "DURCHWAHL_AUTH__OFFICE_NETWORKS",
                r#"["10.0.0.0/8", "2001:db8::/32"]"#,
            ),
            ("DURCHWAHL_HTTP_HEADER_TIMEOUT_SECONDS", "12"),
            ("DURCHWAHL_SMS__GATEWAY", "log"),
            ("DURCHWAHL_SMS__BODY", "123"),
            ("DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO", "nobody"),
            ("DURCHWAHL_ORGANISATION_NAME", "Landratsamt Musterstadt"),
            ("DURCHWAHL_DATABASE_URL", "sqlite:///tmp/x.db"),
            ("DURCHWAHL_DATA_DIR", "/srv/dw"),
        ]),
        &Flags::default(),
    )
    .unwrap();
    assert_eq!(config.sip.ring_timeout_seconds, 30);
    assert!(!config.sip.offer_sha256);
    assert_eq!(config.auth.office_networks.len(), 2);
    assert_eq!(config.http.header_timeout_seconds, 12);
    assert_eq!(config.sms.gateway, web::auth::sms_gateway::GatewayKind::Log);
    assert_eq!(config.sms.body, "123", "text settings stay text");
    assert_eq!(config.presence.note_visible_to, presence::Audience::Nobody);
    assert_eq!(
        config.organisation.name.as_deref(),
        Some("Landratsamt Musterstadt")
    );
    assert_eq!(config.database.url.as_deref(), Some("sqlite:///tmp/x.db"));
    assert_eq!(config.data_dir.as_deref(), Some(Path::new("/srv/dw")));
}

#[test]
fn a_bad_variable_is_named_in_the_error() {
    for (name, value, says) in [
        (
            "DURCHWAHL_SIP__RING_TIMEOUT_SECOND",
            "30",
            "ring_timeout_second",
        ),
        (
            "DURCHWAHL_SIP__RING_TIMEOUT_SECONDS",
            "dreißig",
            "DURCHWAHL_SIP__RING_TIMEOUT_SECONDS",
        ),
        ("DURCHWAHL_SMS__GATEWAY", "carrier-pigeon", "carrier-pigeon"),
        (
            "DURCHWAHL_PRESENCE__NOTE_VISIBLE_TO",
            "everyone",
            "everyone",
        ),
        (
            "DURCHWAHL_AUTH__OFFICE_NETWORKS",
            r#"["10.0.0.0/33"]"#,
            "10.0.0.0/33",
        ),
        ("DURCHWAHL_NONSENSE", "1", "DURCHWAHL_NONSENSE"),
    ] {
        let err = format!(
            "{:#}",
            load(None, &env(&[(name, value)]), &Flags::default()).unwrap_err()
        );
        assert!(err.contains(says), "{name}={value}: {err}");
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(
        &file,
        "[sms]\ngateway = \"http\"\nurl = \"https://sms.example/send\"\n\
             headers = [\"Authorization: Bearer s3cr3t-token\"]\n\
             [database]\nurl = \"postgres://dw:pa55word@db/dw\"\n",
    )
    .unwrap();
    let config = load(Some(&file), &[], &Flags::default()).unwrap();
    let shown = format!("{config:?} {}", toml::to_string(&config).unwrap());
    assert!(!shown.contains("s3cr3t-token"), "{shown}");
    assert!(!shown.contains("pa55word"), "{shown}");
}

#[test]
fn the_commented_directory_example_parses_and_validates() {
    let start = EXAMPLE.find("# [directory.ldap]\n").unwrap();
    let end = start + EXAMPLE[start..].find("\n\n").unwrap();
    let text: String = EXAMPLE[start..end]
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
        .collect::<Vec<_>>()
        .join("\n");
    let parsed: Config = toml::from_str(&text).unwrap();
    let ldap = parsed.directory.ldap.as_ref().unwrap();
    assert_eq!(ldap.groups.len(), 2);
    assert_eq!(ldap.mapping.unit_root.as_deref(), Some("Landratsamt"));
    parsed.validate().unwrap();
    let plain = text
        .replace("ldaps://dc1", "ldap://dc1")
        .replace("start_tls = true", "start_tls = false");
    let refused: Config = toml::from_str(&plain).unwrap();
    assert!(refused
        .validate()
        .unwrap_err()
        .to_string()
        .contains("plain text"));
    // The bind password ("…" in the example) never shows in Debug output.
    assert!(!format!("{ldap:?}").contains('…'), "{ldap:?}");
}

#[test]
fn single_sign_on_is_an_optional_auth_subsection() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    let section = "[auth]\nlock_minutes = 5\n[auth.oidc]\n\
         issuer = \"https://sso.lra.example/realms/lra\"\nclient_id = \"durchwahl\"\n\
         client_secret = \"s3cr3t-client\"\n\
         redirect_url = \"https://dw.lra.example/api/v1/auth/oidc/callback\"\n\
         login_claim = \"upn\"\naccept_provider_mfa = true\n";
    std::fs::write(&file, section).unwrap();
    let config = load(Some(&file), &[], &Flags::default()).unwrap();
    let oidc = config.auth.oidc.as_ref().expect("[auth.oidc] read");
    assert_eq!(
        (oidc.login_claim.as_str(), oidc.accept_provider_mfa),
        ("upn", true)
    );
    assert_eq!(oidc.scopes, ["openid", "profile", "email"], "the default");
    assert_eq!(config.auth.lock_minutes, 5);
    let shown = format!("{config:?} {}", toml::to_string(&config).unwrap());
    assert!(!shown.contains("s3cr3t-client"), "{shown}");
    assert_eq!(Config::default().auth.oidc, None, "off unless configured");

    std::fs::write(
        &file,
        section.replace("login_claim = \"upn\"", "logn_claim = \"upn\""),
    )
    .unwrap();
    let err = format!(
        "{:#}",
        load(Some(&file), &[], &Flags::default()).unwrap_err()
    );
    assert!(err.contains("logn_claim"), "{err}");
    std::fs::write(
        &file,
        section.replace(
            "https://dw.lra.example/api/v1/auth/oidc/callback",
            "https://dw.lra.example/",
        ),
    )
    .unwrap();
    let err = load(Some(&file), &[], &Flags::default()).unwrap_err();
    assert!(err.to_string().contains("redirect_url"), "{err}");
}

#[test]
fn smtp_comes_from_the_file_and_the_environment_and_hides_its_password() {
    use crate::mailer::config::SmtpSecurity;
    use secrecy::ExposeSecret;
    assert!(
        !Config::default().smtp.configured(),
        "e-mail is off by default"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(
        &file,
        "[smtp]\nhost = \"mail.lra.example\"\nfrom = \"Durchwahl <durchwahl@lra.example>\"\n\
         username = \"durchwahl\"\n",
    )
    .unwrap();
    let config = load(
        Some(&file),
        &env(&[
            ("DURCHWAHL_SMTP__PASSWORD", "s3cr3t-smtp"),
            ("DURCHWAHL_SMTP_PORT", "2525"),
            ("DURCHWAHL_SMTP__SECURITY", "tls"),
        ]),
        &Flags::default(),
    )
    .unwrap();
    let smtp = &config.smtp;
    assert_eq!(
        (smtp.host.as_deref(), smtp.port(), smtp.security),
        (Some("mail.lra.example"), 2525, SmtpSecurity::Tls)
    );
    assert_eq!(
        smtp.password.as_ref().map(|p| p.expose_secret()),
        Some("s3cr3t-smtp")
    );
    let shown = format!("{config:?} {}", toml::to_string(&config).unwrap());
    assert!(!shown.contains("s3cr3t-smtp"), "{shown}");

    std::fs::write(&file, "[smtp]\nhost = \"mail.lra.example\"\n").unwrap();
    let err = load(Some(&file), &[], &Flags::default()).unwrap_err();
    assert!(err.to_string().contains("[smtp] from must be set"), "{err}");
    let err = format!(
        "{:#}",
        load(
            None,
            &env(&[("DURCHWAHL_SMTP__SECURITY", "ssl")]),
            &Flags::default()
        )
        .unwrap_err()
    );
    assert!(err.contains("DURCHWAHL_SMTP__SECURITY"), "{err}");
}

#[test]
fn the_commented_smtp_example_parses_and_validates() {
    let start = EXAMPLE.find("[smtp]\n").unwrap();
    let end = start + EXAMPLE[start..].find("\n\n").unwrap();
    let text: String = EXAMPLE[start..end]
        .lines()
        .filter(|l| {
            let key = l.trim_start_matches("# ");
            !l.starts_with('#') || key.contains(" = ")
        })
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let parsed: Config = toml::from_str(&text).unwrap();
    parsed.validate().unwrap();
    assert_eq!(parsed.smtp.port(), 587);
    assert_eq!(
        parsed.smtp.from.as_deref(),
        Some("Durchwahl <durchwahl@lra.example>")
    );
}

#[test]
fn trusted_proxies_come_from_file_and_environment_and_bad_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(
        &file,
        "[http]\ntrusted_proxies = [\"127.0.0.1\", \"10.1.2.0/24\", \"2001:db8::/32\"]\n",
    )
    .unwrap();
    let config = load(Some(&file), &[], &Flags::default()).unwrap();
    let trusted = config.http.trusted_proxies();
    for ip in ["127.0.0.1", "10.1.2.200", "2001:db8::5"] {
        assert!(trusted.contains(ip.parse().unwrap()), "{ip}");
    }
    assert!(!trusted.contains("10.1.3.1".parse().unwrap()));
    let settings = config.http.settings(Vec::new());
    assert!(
        settings
            .exempt
            .iter()
            .any(|r| r.contains("10.1.2.7".parse().unwrap())),
        "every client behind a proxy comes from its address: not capped"
    );
    assert!(settings
        .trusted_proxies
        .contains("127.0.0.1".parse().unwrap()));
    assert!(
        Config::default().http.trusted_proxies().is_empty(),
        "none by default"
    );

    let from_env = load(
        None,
        &env(&[("DURCHWAHL_HTTP_TRUSTED_PROXIES", "[\"192.0.2.10\"]")]),
        &Flags::default(),
    )
    .unwrap();
    assert!(from_env
        .http
        .trusted_proxies()
        .contains("192.0.2.10".parse().unwrap()));

    std::fs::write(
        &file,
        "[http]\ntrusted_proxies = [\"127.0.0.1\", \"proxy.lra.example\"]\n",
    )
    .unwrap();
    let err = format!(
        "{:#}",
        load(Some(&file), &[], &Flags::default()).unwrap_err()
    );
    assert!(
        err.contains("\"proxy.lra.example\"") && err.contains("trusted_proxies"),
        "{err}"
    );
    let err = load(
        None,
        &env(&[("DURCHWAHL_HTTP_TRUSTED_PROXIES", "[\"10.0.0.0/40\"]")]),
        &Flags::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("DURCHWAHL_HTTP_TRUSTED_PROXIES") && err.contains("10.0.0.0/40"),
        "{err}"
    );
}

#[test]
fn metrics_token_comes_from_file_or_environment_and_never_shows() {
    use secrecy::ExposeSecret;
    assert!(
        Config::default().metrics.token().unwrap().is_none(),
        "/metrics is off by default"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, "[metrics]\ntoken = \"s3cr3t-metrics-0123456789\"\n").unwrap();
    let config = load(Some(&file), &[], &Flags::default()).unwrap();
    assert!(config.metrics.token().unwrap().is_some());
    let shown = format!("{config:?} {}", toml::to_string(&config).unwrap());
    assert!(!shown.contains("s3cr3t-metrics"), "{shown}");

    let from_env = load(
        None,
        &env(&[("DURCHWAHL_METRICS__TOKEN", "from-the-environment-0123")]),
        &Flags::default(),
    )
    .unwrap();
    assert_eq!(
        from_env.metrics.token.as_ref().map(|t| t.expose_secret()),
        Some("from-the-environment-0123")
    );
    let token_file = dir.path().join("metrics.token");
    std::fs::write(&token_file, "from-a-file-of-its-own-0123\n").unwrap();
    let by_file = load(
        None,
        &env(&[("DURCHWAHL_METRICS_TOKEN_FILE", token_file.to_str().unwrap())]),
        &Flags::default(),
    )
    .unwrap();
    assert!(by_file.metrics.token().unwrap().is_some());

    for (text, says) in [
        ("[metrics]\ntoken = \"short\"\n", "shorter than 16"),
        (
            "[metrics]\ntoken = \"0123456789abcdef0\"\ntoken_file = \"/x\"\n",
            "not both",
        ),
        ("[metrics]\ntokn = \"0123456789abcdef0\"\n", "unknown field"),
    ] {
        std::fs::write(&file, text).unwrap();
        let err = format!(
            "{:#}",
            load(Some(&file), &[], &Flags::default()).unwrap_err()
        );
        assert!(err.contains(says), "{text}: {err}");
    }
}

#[test]
fn the_commented_metrics_example_parses_and_validates() {
    let start = EXAMPLE.find("[metrics]\n").unwrap();
    let end = start + EXAMPLE[start..].find("\n\n").unwrap();
    let text: String = EXAMPLE[start..end]
        .lines()
        .filter(|l| !l.starts_with("# token_file"))
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|l| l.starts_with("token"))
                .unwrap_or(l)
        })
        .map(|l| l.replace('…', "0123456789abcdef-example"))
        .collect::<Vec<_>>()
        .join("\n");
    let config: Config = toml::from_str(&text).unwrap();
    config.validate().unwrap();
    assert!(config.metrics.token().unwrap().is_some(), "{text}");
}

#[test]
fn a_trusted_proxy_inside_an_office_network_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(
        &file,
        "[http]\ntrusted_proxies = [\"10.1.2.5\"]\n[auth]\noffice_networks = [\"10.0.0.0/8\"]\n",
    )
    .unwrap();
    let err = format!(
        "{:#}",
        load(Some(&file), &[], &Flags::default()).unwrap_err()
    );
    assert!(
        err.contains("10.1.2.5") && err.contains("10.0.0.0/8"),
        "{err}"
    );
    // A proxy network holding the office network is refused too; apart, both are fine.
    std::fs::write(
        &file,
        "[http]\ntrusted_proxies = [\"10.0.0.0/8\"]\n[auth]\noffice_networks = [\"10.4.0.0/16\"]\n",
    )
    .unwrap();
    assert!(load(Some(&file), &[], &Flags::default()).is_err());
    std::fs::write(
        &file,
        "[http]\ntrusted_proxies = [\"192.168.7.5\"]\n[auth]\noffice_networks = [\"10.0.0.0/8\"]\n",
    )
    .unwrap();
    load(Some(&file), &[], &Flags::default()).unwrap();
}

#[test]
fn trusted_proxy_flags_replace_the_files_list_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, "[http]\ntrusted_proxies = [\"192.0.2.1\"]\n").unwrap();
    let flags = Flags {
        trusted_proxies: vec!["10.0.0.5".into(), "2001:db8::/32".into()],
        ..Flags::default()
    };
    let config = load(Some(&file), &[], &flags).unwrap();
    let shown = toml::to_string(&config.http).unwrap();
    assert!(
        shown.contains("10.0.0.5") && shown.contains("2001:db8::/32"),
        "{shown}"
    );
    assert!(!shown.contains("192.0.2.1"), "{shown}");
    let flags = Flags {
        trusted_proxies: vec!["proxy.lra.example".into()],
        ..Flags::default()
    };
    let err = load(Some(&file), &[], &flags).unwrap_err();
    assert!(format!("{err:#}").contains("proxy.lra.example"), "{err:#}");
}
