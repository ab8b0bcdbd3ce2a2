//! The one typed configuration, layered: defaults → TOML file (`--config`) →
//! `DURCHWAHL_*` environment → command-line flags. Validated once at start.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use store::DatabaseUrl;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder for the SQLite database and stored files.
    pub data_dir: Option<PathBuf>,
    /// Database settings.
    pub database: DatabaseSection,
    /// HTTP server settings.
    pub http: HttpSection,
    /// The organisation.
    pub organisation: OrganisationSection,
    /// Sign-in and sessions.
    pub auth: AuthSection,
    /// The SMS gateway for sign-in codes.
    pub sms: SmsSection,
    /// Presence and the team panel.
    pub presence: PresenceSection,
    /// Chat.
    pub chat: ChatSection,
    /// Telephony (SIP).
    pub sip: SipSection,
    /// Logging.
    pub log: LogSection,
}

/// `[presence]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PresenceSection {
    /// Seconds without input after which the web client counts as idle.
    pub idle_after_seconds: u32,
    /// Hours after which an unfired "tell me when available" watch expires.
    pub watch_hours: u32,
    /// Who sees the work location: organisation, unit or nobody.
    pub location_visible_to: String,
    /// Who sees the status note: organisation, unit or nobody.
    pub note_visible_to: String,
}

impl Default for PresenceSection {
    fn default() -> Self {
        PresenceSection {
            idle_after_seconds: 300,
            watch_hours: 8,
            location_visible_to: "unit".into(),
            note_visible_to: "unit".into(),
        }
    }
}

/// `[chat]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChatSection {
    /// The largest attachment in MiB.
    pub attachment_max_mib: u32,
    /// The attachments one person may keep in all, MiB.
    pub attachment_quota_mib: u32,
    /// Group rooms one person may create per hour.
    pub rooms_per_hour: u32,
}

impl Default for ChatSection {
    fn default() -> Self {
        ChatSection {
            attachment_max_mib: 25,
            attachment_quota_mib: 500,
            rooms_per_hour: 20,
        }
    }
}

/// `[sip]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SipSection {
    /// The SIP domain phones register to; also the digest realm of device passwords.
    pub domain: String,
    /// UDP and TCP address of the SIP service.
    pub listen: SocketAddr,
    /// The address phones reach the server at (Via, Record-Route); default: the listen
    /// address, or the machine's primary address when listening on all.
    pub advertise: Option<std::net::IpAddr>,
    /// How long a call rings before the caller hears "no answer", seconds.
    pub ring_timeout_seconds: u32,
    /// Offer the SHA-256 digest challenge before the MD5 one (RFC 8760 prefers it; many
    /// phones answer only the first challenge and fail on SHA-256).
    pub sha256_first: bool,
    /// Offer the SHA-256 challenge at all (some old softphones fail on two challenges).
    pub offer_sha256: bool,
    /// Requests per second one address may send (an office behind one NAT address
    /// shares it); 0 turns the limit off. Local processes are never limited.
    pub rate_limit_per_source: u32,
    /// SIP over TLS address, used when a certificate is configured (here or in `[http]`).
    pub tls_listen: SocketAddr,
    /// PEM certificate chain for SIP over TLS; default: the one of `[http]`.
    pub tls_certificate: Option<PathBuf>,
    /// Its private key.
    pub tls_key: Option<PathBuf>,
    /// SIP over WebSocket (RFC 7118) at `/sip` on the HTTP port.
    pub websocket: bool,
}

impl Default for SipSection {
    fn default() -> Self {
        SipSection {
            domain: "durchwahl.local".into(),
            listen: SocketAddr::from(([0, 0, 0, 0], 5060)),
            advertise: None,
            ring_timeout_seconds: 60,
            sha256_first: false,
            offer_sha256: true,
            rate_limit_per_source: 200,
            tls_listen: SocketAddr::from(([0, 0, 0, 0], 5061)),
            tls_certificate: None,
            tls_key: None,
            websocket: true,
        }
    }
}

/// `[auth]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSection {
    /// A session ends after this many minutes without use.
    pub idle_timeout_minutes: u32,
    /// A session ends this many hours after sign-in.
    pub session_lifetime_hours: u32,
    /// Address ranges of the office networks (CIDR).
    pub office_networks: Vec<String>,
    /// Failed attempts before an account is locked.
    pub lock_after_failures: u32,
    /// How long a lock lasts.
    pub lock_minutes: u32,
}

impl Default for AuthSection {
    fn default() -> Self {
        AuthSection {
            idle_timeout_minutes: 30,
            session_lifetime_hours: 12,
            office_networks: Vec::new(),
            lock_after_failures: 10,
            lock_minutes: 15,
        }
    }
}

/// `[sms]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsSection {
    /// `none`, `log` (demo only: codes go to the log) or `http`.
    pub gateway: String,
    /// For `http`: the provider's URL; `{to}` and `{text}` are replaced.
    pub url: String,
    /// For `http`: the method.
    pub method: String,
    /// For `http`: extra headers as `"Name: value"`.
    pub headers: Vec<String>,
    /// For `http`: the body; `{to}` and `{text}` are replaced (JSON-escaped).
    pub body: String,
    /// For an `https://` URL: extra trusted CA certificates (PEM), besides the system's.
    pub ca_file: Option<PathBuf>,
}

impl Default for SmsSection {
    fn default() -> Self {
        SmsSection {
            gateway: "none".into(),
            url: String::new(),
            method: "POST".into(),
            headers: Vec::new(),
            body: String::new(),
            ca_file: None,
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSection {
    /// `sqlite://PATH` or `postgres://…`; default: SQLite in the data folder.
    pub url: Option<String>,
}

/// `[http]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSection {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// PEM certificate chain: serve HTTPS (and mark cookies Secure) when set with `tls_key`.
    pub tls_certificate: Option<PathBuf>,
    /// PEM private key.
    pub tls_key: Option<PathBuf>,
    /// Seconds a connection may take to send a complete request header (also the
    /// longest an idle keep-alive connection stays open).
    pub header_timeout_seconds: u32,
    /// Open connections per client address at most (IPv6: per /64); 0: no cap. Office
    /// networks (`[auth] office_networks`) are exempt.
    pub connections_per_address: u32,
}

/// `[organisation]`
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganisationSection {
    /// Display name; default: the name stored in the database, else "Durchwahl".
    pub name: Option<String>,
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// A tracing filter such as `info` or `durchwahl=debug,info`.
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for HttpSection {
    fn default() -> Self {
        HttpSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls_certificate: None,
            tls_key: None,
            header_timeout_seconds: 30,
            connections_per_address: 500,
        }
    }
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
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
    let mut config = match &file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid", path.display()))?
        }
        None => Config::default(),
    };
    apply_env(&mut config, env)?;
    apply_flags(&mut config, flags);
    validate(&config)?;
    Ok(config)
}

fn apply_env(config: &mut Config, env: &[(String, String)]) -> anyhow::Result<()> {
    for (key, value) in env.iter().filter(|(k, _)| k.starts_with("DURCHWAHL_")) {
        match key.as_str() {
            "DURCHWAHL_CONFIG" => {}
            "DURCHWAHL_DATA_DIR" => config.data_dir = Some(value.into()),
            "DURCHWAHL_DATABASE_URL" => config.database.url = Some(value.clone()),
            "DURCHWAHL_HTTP_LISTEN" => {
                config.http.listen = value.parse().with_context(|| {
                    format!("{key}={value:?} is not an address like 127.0.0.1:8080")
                })?
            }
            "DURCHWAHL_ORGANISATION_NAME" => config.organisation.name = Some(value.clone()),
            "DURCHWAHL_LOG_LEVEL" => config.log.level = value.clone(),
            "DURCHWAHL_PRESENCE_LOCATION_VISIBLE_TO" => {
                config.presence.location_visible_to = value.clone()
            }
            "DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO" => config.presence.note_visible_to = value.clone(),
            "DURCHWAHL_PRESENCE_IDLE_AFTER_SECONDS" => {
                config.presence.idle_after_seconds = value
                    .parse()
                    .with_context(|| format!("{key}={value:?} is not a number of seconds"))?
            }
            "DURCHWAHL_CHAT_ATTACHMENT_MAX_MIB" => {
                config.chat.attachment_max_mib = value
                    .parse()
                    .with_context(|| format!("{key}={value:?} is not a number of MiB"))?
            }
            "DURCHWAHL_SIP_DOMAIN" => config.sip.domain = value.clone(),
            "DURCHWAHL_SIP_LISTEN" => {
                config.sip.listen = value.parse().with_context(|| {
                    format!("{key}={value:?} is not an address like 0.0.0.0:5060")
                })?
            }
            "DURCHWAHL_LOG_FORMAT" => {
                config.log.format = match value.as_str() {
                    "text" => LogFormat::Text,
                    "json" => LogFormat::Json,
                    _ => bail!("{key}={value:?}: use text or json"),
                }
            }
            _ => bail!(
                "unknown environment variable {key}; known: DURCHWAHL_CONFIG, DURCHWAHL_DATA_DIR, \
                 DURCHWAHL_DATABASE_URL, DURCHWAHL_HTTP_LISTEN, DURCHWAHL_ORGANISATION_NAME, \
                 DURCHWAHL_LOG_LEVEL, DURCHWAHL_LOG_FORMAT, DURCHWAHL_PRESENCE_LOCATION_VISIBLE_TO, \
                 DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO, DURCHWAHL_PRESENCE_IDLE_AFTER_SECONDS, \
                 DURCHWAHL_CHAT_ATTACHMENT_MAX_MIB, DURCHWAHL_SIP_DOMAIN, DURCHWAHL_SIP_LISTEN"
            ),
        }
    }
    Ok(())
}

fn apply_flags(config: &mut Config, flags: &Flags) {
    if let Some(v) = &flags.data_dir {
        config.data_dir = Some(v.clone());
    }
    if let Some(v) = &flags.database_url {
        config.database.url = Some(v.clone());
    }
    if let Some(v) = flags.http_listen {
        config.http.listen = v;
    }
    if let Some(v) = flags.sip_listen {
        config.sip.listen = v;
    }
    if let Some(v) = &flags.log_level {
        config.log.level = v.clone();
    }
    if let Some(v) = flags.log_format {
        config.log.format = v;
    }
}

fn validate(config: &Config) -> anyhow::Result<()> {
    if config.http.tls_certificate.is_some() != config.http.tls_key.is_some() {
        bail!("[http] tls_certificate and tls_key must be set together");
    }
    if !(1..=600).contains(&config.http.header_timeout_seconds) {
        bail!("[http] header_timeout_seconds must be between 1 and 600");
    }
    if config.sip.tls_certificate.is_some() != config.sip.tls_key.is_some() {
        bail!("[sip] tls_certificate and tls_key must be set together");
    }
    for net in &config.auth.office_networks {
        net.parse::<auth::network::Cidr>()?;
    }
    let domain = &config.sip.domain;
    let host_like = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    if domain.is_empty() || domain.len() > 253 || !domain.chars().all(host_like) {
        bail!("[sip] domain {domain:?} is not a host name like pbx.landratsamt.example");
    }
    if !(5..=600).contains(&config.sip.ring_timeout_seconds) {
        bail!("[sip] ring_timeout_seconds must be between 5 and 600");
    }
    if config.auth.idle_timeout_minutes == 0
        || config.auth.session_lifetime_hours == 0
        || config.auth.lock_after_failures == 0
    {
        bail!("[auth] timeouts and lock_after_failures must be at least 1");
    }
    match config.sms.gateway.as_str() {
        "none" | "log" => {}
        "http"
            if config.sms.url.starts_with("http://") || config.sms.url.starts_with("https://") => {}
        "http" => bail!("[sms] url must start with https:// or http://"),
        other => bail!("[sms] gateway {other:?}: use none, log or http"),
    }
    for header in &config.sms.headers {
        if !header.contains(':') {
            bail!("[sms] header {header:?} must look like \"Name: value\"");
        }
    }
    if let Some(url) = &config.database.url {
        DatabaseUrl::parse(url)?;
    }
    tracing_subscriber::EnvFilter::try_new(&config.log.level)
        .with_context(|| format!("log level {:?} is not a valid filter", config.log.level))?;
    Ok(())
}

impl Config {
    /// The data folder, or `default` when none is configured.
    pub fn data_dir_or(&self, default: &str) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(default))
    }

    /// The TLS files, when HTTPS is configured.
    pub fn tls_files(&self) -> Option<crate::tls::TlsFiles> {
        match (&self.http.tls_certificate, &self.http.tls_key) {
            (Some(certificate), Some(key)) => Some(crate::tls::TlsFiles {
                certificate: certificate.clone(),
                key: key.clone(),
            }),
            _ => None,
        }
    }

    /// The certificate of SIP over TLS: `[sip]`'s own, else the HTTPS one; `None`: no
    /// SIP over TLS.
    pub fn sip_tls_files(&self) -> Option<crate::tls::TlsFiles> {
        match (&self.sip.tls_certificate, &self.sip.tls_key) {
            (Some(certificate), Some(key)) => Some(crate::tls::TlsFiles {
                certificate: certificate.clone(),
                key: key.clone(),
            }),
            _ => self.tls_files(),
        }
    }

    /// Presence and chat settings; attachments go to `data_dir/attachments`.
    pub fn realtime_settings(
        &self,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<live::LiveSettings> {
        let audience = |field: &str, value: &str| {
            presence::Audience::parse(value).map_err(|_| {
                anyhow::anyhow!("[presence] {field} = {value:?}: use organisation, unit or nobody")
            })
        };
        if self.presence.watch_hours == 0 || self.presence.idle_after_seconds < 30 {
            bail!("[presence] watch_hours must be at least 1 and idle_after_seconds at least 30");
        }
        if self.chat.attachment_quota_mib < self.chat.attachment_max_mib {
            bail!("[chat] attachment_quota_mib must be at least attachment_max_mib");
        }
        Ok(live::LiveSettings {
            privacy: presence::Privacy {
                location: audience("location_visible_to", &self.presence.location_visible_to)?,
                note: audience("note_visible_to", &self.presence.note_visible_to)?,
            },
            idle_after_seconds: self.presence.idle_after_seconds,
            watch_ttl_ms: i64::from(self.presence.watch_hours) * 3_600_000,
            attachment_max_bytes: u64::from(self.chat.attachment_max_mib) * 1024 * 1024,
            attachment_dir: data_dir.join("attachments"),
            attachment_quota_bytes: u64::from(self.chat.attachment_quota_mib) * 1024 * 1024,
            rooms_per_hour: self.chat.rooms_per_hour,
        })
    }

    /// How the HTTP server bounds connections.
    pub fn http_settings(&self) -> web::HttpSettings {
        web::HttpSettings {
            header_timeout: std::time::Duration::from_secs(u64::from(
                self.http.header_timeout_seconds,
            )),
            connections_per_address: usize::try_from(self.http.connections_per_address)
                .unwrap_or(usize::MAX),
            exempt: self.office_networks(),
        }
    }

    /// `[auth] office_networks`, parsed (checked by `validate`).
    fn office_networks(&self) -> Vec<auth::network::Cidr> {
        self.auth
            .office_networks
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect()
    }

    /// The sign-in settings for the HTTP shell.
    pub fn auth_settings(&self, organisation: &str) -> web::AuthSettings {
        let mut settings = web::AuthSettings {
            idle_secs: i64::from(self.auth.idle_timeout_minutes) * 60,
            lifetime_secs: i64::from(self.auth.session_lifetime_hours) * 3600,
            office_networks: self.office_networks(),
            issuer: organisation.to_string(),
            secure_cookies: self.tls_files().is_some(),
            ..web::AuthSettings::default()
        };
        settings.account_throttle.lock_after = self.auth.lock_after_failures;
        settings.account_throttle.lock_secs = u64::from(self.auth.lock_minutes) * 60;
        settings
    }

    /// The SMS gateway.
    pub fn sms_gateway(&self) -> web::SmsGateway {
        match self.sms.gateway.as_str() {
            "log" => web::SmsGateway::Log,
            "http" => web::SmsGateway::Http(web::HttpGateway {
                url: self.sms.url.clone(),
                method: self.sms.method.clone(),
                headers: self
                    .sms
                    .headers
                    .iter()
                    .filter_map(|h| h.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect(),
                body: self.sms.body.clone(),
                ca_file: self.sms.ca_file.clone(),
            }),
            _ => web::SmsGateway::None,
        }
    }

    /// The database to use: the configured URL, else SQLite in the data folder.
    pub fn database_url(&self, default_data_dir: &str) -> anyhow::Result<DatabaseUrl> {
        match &self.database.url {
            Some(url) => Ok(DatabaseUrl::parse(url)?),
            None => Ok(DatabaseUrl::sqlite_in(&self.data_dir_or(default_data_dir))),
        }
    }
}

/// A fully commented configuration with every key at its default.
pub const EXAMPLE: &str = r#"# Durchwahl configuration.
# Layers, each overriding the one before: built-in defaults, this file (--config FILE or
# DURCHWAHL_CONFIG), environment variables DURCHWAHL_*, and command-line flags.

# Folder for the embedded SQLite database and stored files.
# Environment: DURCHWAHL_DATA_DIR; flag: --data-dir.
# Default: /var/lib/durchwahl (for `durchwahl demo`: ./durchwahl-demo).
# data_dir = "/var/lib/durchwahl"

[database]
# sqlite://PATH for the embedded database, or postgres://USER:PASSWORD@HOST:PORT/DB for
# large installations. Any other scheme is refused.
# Environment: DURCHWAHL_DATABASE_URL; flag: --database-url.
# Default: SQLite at <data_dir>/durchwahl.db.
# url = "postgres://durchwahl@localhost/durchwahl"

[http]
# Address and port of the web client and the HTTP API.
# Environment: DURCHWAHL_HTTP_LISTEN; flag: --http-listen.
listen = "127.0.0.1:8080"
# Serve HTTPS directly: PEM certificate chain and private key. Both files are watched and
# reloaded when they change (no restart after a renewal). Session cookies are then marked
# Secure. Leave unset behind a TLS-terminating reverse proxy.
# tls_certificate = "/etc/durchwahl/tls/fullchain.pem"
# tls_key = "/etc/durchwahl/tls/privkey.pem"
# A connection that has not sent a complete request header this many seconds after it
# opened (or after its last response, when kept alive) is closed (1 to 600).
header_timeout_seconds = 30
# Open connections per client address at most (IPv6: per /64 network); 0 means no cap.
# Addresses in [auth] office_networks are exempt: a whole office behind one NAT address
# shares it. Behind a reverse proxy every connection comes from the proxy's address:
# set 0 here and let the proxy limit connections per client.
connections_per_address = 500

[organisation]
# Name shown in the web client. Default: the name stored by the demo or an import,
# else "Durchwahl". Environment: DURCHWAHL_ORGANISATION_NAME.
# name = "Landratsamt Musterstadt"

[auth]
# A session ends after this many minutes without use, and in any case this many hours
# after sign-in.
idle_timeout_minutes = 30
session_lifetime_hours = 12
# Address ranges of the office networks. Administrators can require a second factor only
# for sign-ins from outside them (web client: second-factor rule).
office_networks = []
# Failed passwords or codes before an account is locked, and for how long. Failures are
# counted per account and per source address, with growing delays before the lock.
lock_after_failures = 10
lock_minutes = 15

[sms]
# How sign-in codes are sent by SMS: "none", "log" (DEMO ONLY: the code is written to the
# server log) or "http" (a request to your SMS provider).
gateway = "none"
# For "http": the provider's URL, method, headers and body. {to} and {text} are replaced
# (URL-encoded in the URL, JSON-escaped in the body).
url = ""
method = "POST"
headers = []
body = ""
# Example:
# url = "http://sms-proxy.intern:8080/send"
# headers = ["Authorization: Bearer SECRET", "Content-Type: application/json"]
# body = '{"to": "{to}", "message": "{text}"}'
# For https:// the system's trusted CAs are used; add an internal CA here if needed.
# ca_file = "/etc/durchwahl/sms-ca.pem"

[presence]
# Seconds without keyboard or mouse input after which the web client shows "away".
# Environment: DURCHWAHL_PRESENCE_IDLE_AFTER_SECONDS.
idle_after_seconds = 300
# Hours after which an unfired "tell me when available" expires.
watch_hours = 8
# Who sees a colleague's work location and status note: "organisation", "unit" (the
# colleague's own unit) or "nobody". Everyone in the organisation sees the state.
# Environment: DURCHWAHL_PRESENCE_LOCATION_VISIBLE_TO, DURCHWAHL_PRESENCE_NOTE_VISIBLE_TO.
location_visible_to = "unit"
note_visible_to = "unit"

[chat]
# The largest file that can be attached to a chat message, in MiB. Files are kept in
# the data folder under attachments/. Environment: DURCHWAHL_CHAT_ATTACHMENT_MAX_MIB.
attachment_max_mib = 25
# What one person's attachments may take in all, MiB; deleting a message frees its
# file. Uploads that were never sent are removed after a day.
attachment_quota_mib = 500
# Group rooms one person may create per hour (rooms administrators create are not
# counted; a direct chat with a colleague exists once and is never counted).
rooms_per_hour = 20

[sip]
# The SIP domain the phones register to (sip:EXTENSION@domain). It is also the realm of
# the device passwords' digests: after changing it, devices need new passwords.
# Environment: DURCHWAHL_SIP_DOMAIN.
domain = "durchwahl.local"
# UDP and TCP address for phones (both on this port; port 0 picks a free one).
# Environment: DURCHWAHL_SIP_LISTEN; flag: --sip-listen.
listen = "0.0.0.0:5060"
# The address phones reach this server at, written into Via and Record-Route. Default:
# the listen address, or the machine's primary address when listening on all of them.
# advertise = "192.0.2.10"
# How long a call rings on all devices before the caller hears "no answer", seconds.
ring_timeout_seconds = 60
# Offer the SHA-256 digest challenge before the MD5 one (RFC 8760). Many phones answer
# only the first challenge and cannot do SHA-256, so MD5 comes first by default.
sha256_first = false
# Offer the SHA-256 challenge at all. Some old softphones (baresip 1.0 of Debian 12) fail
# on a second challenge: then set false and they get the MD5 one only.
offer_sha256 = true
# Requests per second one address may send before it hears 503 with Retry-After. An
# office behind one NAT address shares it; 0 turns the limit off. Local processes
# (127.0.0.1) are never limited.
rate_limit_per_source = 200
# SIP over TLS (RFC 3261 §26) for phones that connect with TLS: on this address when a
# certificate is configured, here or in [http] (the HTTPS one is used when these two are
# not set). Reloaded when the files change, like the HTTPS certificate.
tls_listen = "0.0.0.0:5061"
# tls_certificate = "/etc/durchwahl/tls/sip-fullchain.pem"
# tls_key = "/etc/durchwahl/tls/sip-privkey.pem"
# SIP over WebSocket (RFC 7118) at /sip on the HTTP port, for softphones in the browser
# (wss:// when HTTPS is on). Devices log in with their SIP credentials as over UDP.
websocket = true

[log]
# What to log, as a tracing filter: error, warn, info, debug, trace, or per module
# such as "info,web=debug". Environment: DURCHWAHL_LOG_LEVEL; flag: --log-level.
level = "info"
# "text" for people, "json" for log collectors (one object per line).
# Environment: DURCHWAHL_LOG_FORMAT; flag: --log-format.
format = "text"
"#;

#[cfg(test)]
mod tests {
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
        let settings = load(Some(&file), &[], &Flags::default())
            .unwrap()
            .http_settings();
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
        assert!(err.to_string().contains("DURCHWAHL_HTTP_LISTN"), "{err}");

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
}
