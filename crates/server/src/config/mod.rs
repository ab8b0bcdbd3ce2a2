//! The one typed configuration, layered: defaults → TOML file (`--config`) →
//! `DURCHWAHL_*` environment → command-line flags. It only nests the sections; each
//! belongs to the crate it configures and checks itself (`[database]` the store's,
//! `[http]`, `[auth]` and `[sms]` the web shell's, `[presence]` and `[chat]` the live
//! runtime's, `[sip]` the SIP service's, `[media]` and `[calls]` the media and call
//! services', `[smtp]` the mailer's, `[metrics]` the web shell's). Validated once at
//! start.

mod env;

use crate::media_service::config::{CallsConfig, MediaConfig};
use crate::sip_service::config::SipConfig;
use anyhow::Context;
use live::config::{ChatConfig, PresenceConfig};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use store::{DatabaseConfig, DatabaseUrl};
use web::{AuthConfig, HttpConfig, SmsConfig};

/// A fully commented configuration with every key at its default.
pub const EXAMPLE: &str = include_str!("example.toml");

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder for the SQLite database and stored files.
    pub data_dir: Option<PathBuf>,
    /// `[database]`
    pub database: DatabaseConfig,
    /// `[http]`
    pub http: HttpConfig,
    /// `[organisation]`
    pub organisation: OrganisationConfig,
    /// `[auth]`
    pub auth: AuthConfig,
    /// `[sms]`
    pub sms: SmsConfig,
    /// `[smtp]`
    pub smtp: crate::mailer::config::SmtpConfig,
    /// `[presence]`
    pub presence: PresenceConfig,
    /// `[chat]`
    pub chat: ChatConfig,
    /// `[sip]`
    pub sip: SipConfig,
    /// `[media]`
    pub media: MediaConfig,
    /// `[calls]`
    pub calls: CallsConfig,
    /// `[voicemail]`
    pub voicemail: crate::call_service::voicemail_config::VoicemailConfig,
    /// `[fax]`
    pub fax: crate::fax_service::config::FaxConfig,
    /// `[[trunks]]`
    pub trunks: Vec<crate::call_service::trunk_config::TrunkConfig>,
    /// `[directory]`
    pub directory: crate::directory_sync::config::DirectoryConfig,
    /// `[desks]`
    pub desks: crate::desk_release::DesksConfig,
    /// `[metrics]`
    pub metrics: web::MetricsConfig,
    /// `[gateway]`
    pub gateway: GatewayConfig,
    /// `[capacity]`
    pub capacity: CapacityConfig,
    /// `[log]`
    pub log: LogConfig,
}

/// `[gateway]`: the access gateway (docs/gateway.md); its applications are published in
/// the admin pages, not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// The `iss` of the identity tokens upstreams receive.
    pub issuer: String,
    /// Durchwahl's own address as browsers reach it (`https://durchwahl.lra.example`):
    /// sent to upstreams as `X-Forwarded-Host`, and where applications on host names of
    /// their own send people to be handed over. None: no application may have its own
    /// host name, and upstreams get no `X-Forwarded-Host`.
    pub portal_url: Option<String>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            issuer: "durchwahl".into(),
            portal_url: None,
        }
    }
}

impl GatewayConfig {
    /// `portal_url` is an `http(s)://host[:port]` address without a path.
    pub fn validate(&self) -> Result<(), String> {
        let Some(url) = &self.portal_url else {
            return Ok(());
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let ok = rest.is_some_and(|r| {
            let r = r.trim_end_matches('/');
            !r.is_empty() && !r.contains(['/', '?', '#', '@', ' '])
        });
        if ok {
            Ok(())
        } else {
            Err(format!(
                "[gateway] portal_url {url:?} is not an address like https://durchwahl.lra.example (scheme and host, optionally a port, no path)"
            ))
        }
    }
}

/// `[capacity]`: the capacity page's alert mails (docs/capacity.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapacityConfig {
    /// Who gets a mail when a figure stays red, and when it is back; empty: no mails
    /// (the page and the audit log still show it).
    pub alert_to: Vec<String>,
    /// Minutes a figure must stay red before the mail (at least 1).
    pub red_minutes: u32,
    /// Seconds between two readings of the figures. For tests only: the history keeps
    /// one sample a minute whatever this says (at least 1).
    pub sample_secs: u32,
}

impl Default for CapacityConfig {
    fn default() -> Self {
        CapacityConfig {
            alert_to: Vec::new(),
            red_minutes: 5,
            sample_secs: 60,
        }
    }
}

impl CapacityConfig {
    /// Checks the values.
    pub fn validate(&self) -> Result<(), String> {
        if self.red_minutes == 0 || self.red_minutes > 24 * 60 {
            return Err(format!(
                "[capacity] red_minutes must be 1 to 1440, not {}",
                self.red_minutes
            ));
        }
        if self.sample_secs == 0 || self.sample_secs > 60 {
            return Err(format!(
                "[capacity] sample_secs must be 1 to 60, not {}",
                self.sample_secs
            ));
        }
        if let Some(bad) = self
            .alert_to
            .iter()
            .find(|to| to.parse::<lettre::message::Mailbox>().is_err())
        {
            return Err(format!("[capacity] alert_to: {bad:?} is no e-mail address"));
        }
        Ok(())
    }
}

/// `[organisation]`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganisationConfig {
    /// Display name; default: the name stored in the database, else "Durchwahl".
    pub name: Option<String>,
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `durchwahl=debug,info`.
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

impl LogConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        tracing_subscriber::EnvFilter::try_new(&self.level)
            .map(|_| ())
            .map_err(|e| format!("[log] level {:?} is not a valid filter: {e}", self.level))
    }
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Values given on the command line; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--data-dir`
    pub data_dir: Option<PathBuf>,
    /// `--database-url`
    pub database_url: Option<String>,
    /// `--http-listen`
    pub http_listen: Option<SocketAddr>,
    /// `--sip-listen`
    pub sip_listen: Option<SocketAddr>,
    /// `--trusted-proxy` (repeated); empty: not given.
    pub trusted_proxies: Vec<String>,
    /// `--log-level`
    pub log_level: Option<String>,
    /// `--log-format`
    pub log_format: Option<LogFormat>,
}

/// Builds the configuration from its layers. `env` is the process environment (passed in
/// so tests can give their own).
pub fn load(
    file: Option<&Path>,
    env: &[(String, String)],
    flags: &Flags,
) -> anyhow::Result<Config> {
    let file = file.map(Path::to_path_buf).or_else(|| {
        env.iter()
            .find(|(k, _)| k == "DURCHWAHL_CONFIG")
            .map(|(_, v)| PathBuf::from(v))
    });
    let mut tree = match &file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            text.parse::<toml::Table>()
                .with_context(|| format!("config file {} is not valid TOML", path.display()))?
        }
        None => toml::Table::new(),
    };
    let config: Config = Config::deserialize(tree.clone()).with_context(|| match &file {
        Some(path) => format!("config file {} is not valid", path.display()),
        None => "the configuration is not valid".into(),
    })?;
    drop(config);
    env::apply(&mut tree, env)?;
    apply_flags(&mut tree, flags);
    let config = Config::deserialize(tree).context("the configuration is not valid")?;
    config.validate()?;
    Ok(config)
}

fn apply_flags(tree: &mut toml::Table, flags: &Flags) {
    let mut set = |section: Option<&str>, key: &str, value: toml::Value| {
        let table = match section {
            Some(name) => tree
                .entry(name)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut(),
            None => Some(&mut *tree),
        };
        if let Some(table) = table {
            table.insert(key.to_owned(), value);
        }
    };
    let text = |s: &str| toml::Value::String(s.to_owned());
    if let Some(v) = &flags.data_dir {
        set(None, "data_dir", text(&v.to_string_lossy()));
    }
    if let Some(v) = &flags.database_url {
        set(Some("database"), "url", text(v));
    }
    if let Some(v) = flags.http_listen {
        set(Some("http"), "listen", text(&v.to_string()));
    }
    if let Some(v) = flags.sip_listen {
        set(Some("sip"), "listen", text(&v.to_string()));
    }
    if !flags.trusted_proxies.is_empty() {
        let list = flags.trusted_proxies.iter().map(|p| text(p)).collect();
        set(Some("http"), "trusted_proxies", toml::Value::Array(list));
    }
    if let Some(v) = &flags.log_level {
        set(Some("log"), "level", text(v));
    }
    if let Some(v) = flags.log_format {
        let name = match v {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        };
        set(Some("log"), "format", text(name));
    }
}

impl Config {
    /// Every section checks itself; the first problem is the error.
    pub fn validate(&self) -> anyhow::Result<()> {
        let checks = [
            self.database.validate(),
            self.http.validate(),
            self.auth.validate(),
            self.sms.validate(),
            self.smtp.validate(),
            self.presence.validate(),
            self.chat.validate(),
            self.sip.validate(),
            self.media.validate(),
            self.directory.validate(),
            self.calls.validate(),
            self.voicemail.validate(),
            self.fax.validate(),
            self.desks.validate(),
            self.metrics.validate(),
            self.gateway.validate(),
            self.capacity.validate(),
            self.trunks.iter().try_for_each(|t| t.validate()),
            self.log.validate(),
            self.proxies_outside_office(),
        ];
        for check in checks {
            check.map_err(|problem| anyhow::anyhow!(problem))?;
        }
        Ok(())
    }

    /// A trusted proxy must not lie in an office network: a request it forwards without a
    /// usable `X-Forwarded-For` counts as from the proxy, which would then count as the
    /// office (no second factor asked where the rule asks for it outside the office).
    fn proxies_outside_office(&self) -> Result<(), String> {
        for proxy in &self.http.trusted_proxies {
            let range = proxy.range();
            if let Some(office) = self
                .auth
                .office_networks
                .iter()
                .find(|o| o.overlaps(&range))
            {
                return Err(format!(
                    "[http] trusted_proxies: {proxy} lies in [auth] office_networks {office}: \
                     a request it forwards without the client's address would count as from \
                     the office; list the office networks without the proxies' addresses"
                ));
            }
        }
        Ok(())
    }

    /// The data folder, or `default` when none is configured.
    pub fn data_dir_or(&self, default: &str) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(default))
    }

    /// The database to use: the configured URL, else SQLite in the data folder.
    pub fn database_url(&self, default_data_dir: &str) -> anyhow::Result<DatabaseUrl> {
        Ok(self.database.url(&self.data_dir_or(default_data_dir))?)
    }

    /// The TLS files of HTTPS, when configured.
    pub fn tls_files(&self) -> Option<crate::tls::TlsFiles> {
        let (certificate, key) = self.http.tls_files()?;
        Some(crate::tls::TlsFiles { certificate, key })
    }

    /// The certificate of SIP over TLS: `[sip]`'s own, else the HTTPS one; `None`: no
    /// SIP over TLS.
    pub fn sip_tls_files(&self) -> Option<crate::tls::TlsFiles> {
        match self.sip.tls_files() {
            Some((certificate, key)) => Some(crate::tls::TlsFiles { certificate, key }),
            None => self.tls_files(),
        }
    }
}

#[cfg(test)]
mod tests;
