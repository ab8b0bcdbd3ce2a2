//! `[smtp]`: the mail server Durchwahl sends through (voicemail notifications, test
//! mails). Without `host` e-mail is off: mails are kept as pending and shown as such.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use std::path::PathBuf;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (RFC 3207), required: a server that does
    /// not offer it is not used. Port 587 by default.
    #[default]
    Starttls,
    /// TLS from the first byte (RFC 8314 "implicit TLS"). Port 465 by default.
    Tls,
    /// No encryption (a relay on the same machine or network). Port 25 by default.
    None,
}

/// `[smtp]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// The mail server's name or address; none: e-mail is off.
    pub host: Option<String>,
    /// Its port; default by `security`: 587, 465 or 25.
    #[serde(deserialize_with = "number_or_digits")]
    pub port: Option<u16>,
    /// `starttls`, `tls` or `none`.
    pub security: SmtpSecurity,
    /// The account to authenticate as (AUTH PLAIN or LOGIN); none: no authentication.
    pub username: Option<String>,
    /// Its password.
    #[serde(serialize_with = "redacted")]
    pub password: Option<SecretString>,
    /// The sender: `durchwahl@lra.example` or `Durchwahl <durchwahl@lra.example>`;
    /// required with `host`.
    pub from: Option<String>,
    /// An extra CA certificate (PEM) to trust besides the system's, for a mail server with
    /// a certificate of the administration's own CA.
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the server (connecting, each answer).
    pub timeout_seconds: u32,
    /// Seconds before the first retry of a failed send; each further retry waits twice as
    /// long as the one before, at most an hour.
    pub first_retry_seconds: u32,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: None,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            from: None,
            ca_file: None,
            timeout_seconds: 30,
            first_retry_seconds: 60,
        }
    }
}

impl PartialEq for SmtpConfig {
    fn eq(&self, o: &Self) -> bool {
        let secret = |s: &Option<SecretString>| s.as_ref().map(|p| p.expose_secret().to_owned());
        (
            &self.host,
            self.port,
            self.security,
            &self.username,
            &self.from,
            &self.ca_file,
            self.timeout_seconds,
            self.first_retry_seconds,
        ) == (
            &o.host,
            o.port,
            o.security,
            &o.username,
            &o.from,
            &o.ca_file,
            o.timeout_seconds,
            o.first_retry_seconds,
        ) && secret(&self.password) == secret(&o.password)
    }
}

fn redacted<S: serde::Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some("[REDACTED]"),
        None => s.serialize_none(),
    }
}

/// A port from the file (a number) or from `DURCHWAHL_SMTP__PORT` (the environment layer
/// passes settings without a default as text).
fn number_or_digits<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Number(u16),
        Text(String),
    }
    match Option::<Port>::deserialize(d)? {
        None => Ok(None),
        Some(Port::Number(n)) => Ok(Some(n)),
        Some(Port::Text(t)) => t.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("[smtp] port {t:?} is not a port number"))
        }),
    }
}

impl SmtpConfig {
    /// Whether e-mail is on.
    pub fn configured(&self) -> bool {
        self.host.is_some()
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }

    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        let Some(host) = &self.host else {
            return Ok(());
        };
        if host.trim().is_empty() || host.contains(char::is_whitespace) {
            return Err(format!(
                "[smtp] host {host:?} is not a host name or address"
            ));
        }
        let Some(from) = &self.from else {
            return Err(
                "[smtp] from must be set with host: the sender address of Durchwahl's mails, \
                 e.g. from = \"Durchwahl <durchwahl@lra.example>\""
                    .into(),
            );
        };
        if let Err(e) = from.parse::<lettre::message::Mailbox>() {
            return Err(format!(
                "[smtp] from {from:?} is not an e-mail address ({e}); write \
                 \"durchwahl@lra.example\" or \"Durchwahl <durchwahl@lra.example>\""
            ));
        }
        if self.port == Some(0) {
            return Err("[smtp] port must be 1–65535".into());
        }
        if !(1..=600).contains(&self.timeout_seconds) {
            return Err("[smtp] timeout_seconds must be 1–600".into());
        }
        if !(1..=3600).contains(&self.first_retry_seconds) {
            return Err("[smtp] first_retry_seconds must be 1–3600".into());
        }
        match (&self.username, &self.password) {
            (Some(_), None) | (None, Some(_)) => {
                return Err("[smtp] username and password go together: set both or neither".into())
            }
            (Some(_), Some(_)) if self.security == SmtpSecurity::None => {
                return Err(
                    "[smtp] security = \"none\" with a username: the password would cross \
                     the network in plain text; use \"starttls\" or \"tls\""
                        .into(),
                )
            }
            _ => {}
        }
        if self.ca_file.is_some() && self.security == SmtpSecurity::None {
            return Err("[smtp] ca_file is for \"starttls\" or \"tls\", not \"none\"".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(extra: &str) -> SmtpConfig {
        toml::from_str(&format!(
            "host = \"mail.lra.example\"\nfrom = \"Durchwahl <durchwahl@lra.example>\"\n{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn the_port_follows_the_security_unless_given() {
        assert_eq!(on("").port(), 587);
        assert_eq!(on("security = \"tls\"").port(), 465);
        assert_eq!(on("security = \"none\"").port(), 25);
        assert_eq!(on("port = 2525").port(), 2525);
        assert_eq!(
            on("port = \"2526\"").port(),
            2526,
            "as the environment gives it"
        );
        assert!(toml::from_str::<SmtpConfig>("port = \"fünf\"").is_err());
    }

    #[test]
    fn off_without_a_host_and_checked_with_one() {
        assert!(!SmtpConfig::default().configured());
        SmtpConfig::default().validate().unwrap();
        on("").validate().unwrap();
        on("username = \"dw\"\npassword = \"geheim\"\nsecurity = \"tls\"")
            .validate()
            .unwrap();
        for (extra, says) in [
            ("username = \"dw\"", "go together"),
            ("password = \"geheim\"", "go together"),
            (
                "username = \"dw\"\npassword = \"geheim\"\nsecurity = \"none\"",
                "plain text",
            ),
            ("timeout_seconds = 0", "timeout_seconds"),
            ("first_retry_seconds = 0", "first_retry_seconds"),
            ("port = 0", "port"),
            ("security = \"none\"\nca_file = \"/ca.pem\"", "ca_file"),
        ] {
            let err = on(extra).validate().unwrap_err();
            assert!(err.contains(says), "{extra}: {err}");
        }
        let mut no_from = on("");
        no_from.from = None;
        assert!(no_from.validate().unwrap_err().contains("from must be set"));
        let mut bad_from = on("");
        bad_from.from = Some("durchwahl at lra.example".into());
        let err = bad_from.validate().unwrap_err();
        assert!(err.contains("not an e-mail address"), "{err}");
        let mut bad_host = on("");
        bad_host.host = Some("mail lra".into());
        assert!(bad_host.validate().unwrap_err().contains("host"));
    }

    #[test]
    fn the_password_never_shows() {
        let config = on("username = \"dw\"\npassword = \"s3cr3t-smtp\"");
        let shown = format!("{config:?} {}", toml::to_string(&config).unwrap());
        assert!(!shown.contains("s3cr3t-smtp"), "{shown}");
        assert_eq!(config, config.clone());
    }
}
