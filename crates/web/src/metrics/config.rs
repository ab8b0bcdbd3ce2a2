//! `[metrics]`: the token `/metrics` asks for, given in the file (or the environment,
//! `DURCHWAHL_METRICS__TOKEN`) or in a file of its own (`token_file`, for secrets mounted
//! by systemd or a container). Without a token `/metrics` is off (404).

use super::token::MetricsToken;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Fewer characters than this are too easy to guess for a token on the network.
pub const MIN_TOKEN_CHARS: usize = 16;

/// `[metrics]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// The bearer token scrapers send; none (and no `token_file`): `/metrics` is off.
    #[serde(serialize_with = "redacted")]
    pub token: Option<SecretString>,
    /// A file holding the token (surrounding whitespace ignored), instead of `token`.
    pub token_file: Option<PathBuf>,
}

impl PartialEq for MetricsConfig {
    fn eq(&self, o: &Self) -> bool {
        let secret = |s: &Option<SecretString>| s.as_ref().map(|t| t.expose_secret().to_owned());
        secret(&self.token) == secret(&o.token) && self.token_file == o.token_file
    }
}

fn redacted<S: serde::Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some("[REDACTED]"),
        None => s.serialize_none(),
    }
}

fn check(token: &str, from: &str) -> Result<(), String> {
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "[metrics] {from} is shorter than {MIN_TOKEN_CHARS} characters: \
             use a long random token (openssl rand -hex 32)"
        ));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "[metrics] {from} holds spaces or control characters, which an Authorization \
             header cannot carry"
        ));
    }
    Ok(())
}

impl MetricsConfig {
    /// Checks the settings (not the token file, read by [`MetricsConfig::token`]).
    pub fn validate(&self) -> Result<(), String> {
        match (&self.token, &self.token_file) {
            (Some(_), Some(_)) => {
                Err("[metrics] token and token_file: set one of them, not both".into())
            }
            (Some(token), None) => check(token.expose_secret(), "token"),
            _ => Ok(()),
        }
    }

    /// The token, read from `token_file` when that is set; `None`: `/metrics` is off.
    pub fn token(&self) -> Result<Option<MetricsToken>, String> {
        if let Some(token) = &self.token {
            check(token.expose_secret(), "token")?;
            return Ok(Some(MetricsToken::new(token.clone())));
        }
        let Some(path) = &self.token_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "[metrics] token_file {} cannot be read: {e}",
                path.display()
            )
        })?;
        let token = text.trim();
        check(token, "token_file's token")?;
        Ok(Some(MetricsToken::new(token.into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_comes_from_the_setting_or_its_file_and_is_checked() {
        assert!(MetricsConfig::default().token().unwrap().is_none());
        let dir = tempfile_dir();
        let file = dir.join("metrics.token");
        std::fs::write(&file, "from-the-file-0123456789\n").unwrap();
        let config = MetricsConfig {
            token: None,
            token_file: Some(file.clone()),
        };
        assert!(config.validate().is_ok());
        assert!(config.token().unwrap().is_some());
        std::fs::write(&file, "short\n").unwrap();
        assert!(config.token().unwrap_err().contains("shorter"));
        let both = MetricsConfig {
            token: Some("0123456789abcdef0123".into()),
            token_file: Some(file),
        };
        assert!(both.validate().unwrap_err().contains("not both"));
        let missing = MetricsConfig {
            token: None,
            token_file: Some(dir.join("nowhere")),
        };
        assert!(missing.token().unwrap_err().contains("cannot be read"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "dw-metrics-config-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
