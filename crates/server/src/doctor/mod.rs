//! `durchwahl doctor`: checks an installation before or while it runs and prints one line
//! per check, green (`OK`), amber (`WARN`: works, needs attention) or red (`FAIL`), each
//! not-green line with what to do. Exits with an error when any line is red, so it can
//! gate an upgrade script or a monitoring check. It changes nothing: no file is created,
//! no database migrated, no port kept.
//!
//! The checks: the data folder and the database ([`storage`]), every listening address
//! ([`ports`]), the TLS certificates ([`certificates`]), the mail and TURN servers
//! ([`reachability`]), and the clock ([`clock`]).

mod certificates;
mod clock;
pub mod finding;
mod ports;
mod reachability;
mod storage;

use crate::config::Config;
use crate::runtime::DATA_DIR;
use finding::{render, Finding, Status};
use ports::{Listen, Proto};
use std::io::IsTerminal;

/// Runs every check and prints the report; an error when any check is red.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let findings = check(config).await;
    print!("{}", render(&findings, std::io::stdout().is_terminal()));
    let failed = findings.iter().filter(|f| f.status == Status::Red).count();
    match failed {
        0 => Ok(()),
        1 => Err(anyhow::anyhow!("1 check failed")),
        n => Err(anyhow::anyhow!("{n} checks failed")),
    }
}

/// Every check's finding, in the order printed.
pub async fn check(config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    let data_dir = config.data_dir_or(DATA_DIR);
    findings.push(storage::data_folder(&data_dir));
    if data_dir.is_dir() {
        findings.push(storage::secrets_key(&data_dir));
    }
    match config.database_url(DATA_DIR) {
        Ok(url) => findings.push(storage::database(&url).await),
        Err(e) => findings.push(Finding::red(
            "database",
            format!("{e:#}"),
            "fix [database] url",
        )),
    }
    for listen in listening(config) {
        findings.push(ports::check(&listen));
    }
    match config.media.ports() {
        Ok((first, last)) => findings.push(ports::check_range(first, last, config.media.bind)),
        Err(e) => findings.push(Finding::red("media ports", e, "fix [media] port_range")),
    }
    let now = jiff::Timestamp::now().as_second();
    for (what, certificate, key) in certificates(config) {
        findings.push(certificates::check_files(what, certificate, key, now));
    }
    findings.push(reachability::smtp(&config.smtp).await);
    findings.extend(reachability::turn(&config.media.turn_urls).await);
    findings.push(
        tokio::task::spawn_blocking(clock::check)
            .await
            .unwrap_or_else(|e| {
                Finding::amber("clock", format!("the check failed: {e}"), "run it again")
            }),
    );
    findings
}

/// The configured TLS certificates: `[http]`'s, and `[sip]`'s own when it has one.
fn certificates(config: &Config) -> Vec<(&'static str, &std::path::Path, &std::path::Path)> {
    let mut out = Vec::new();
    if let (Some(c), Some(k)) = (&config.http.tls_certificate, &config.http.tls_key) {
        out.push(("HTTPS", c.as_path(), k.as_path()));
    }
    if let (Some(c), Some(k)) = (&config.sip.tls_certificate, &config.sip.tls_key) {
        out.push(("SIP TLS", c.as_path(), k.as_path()));
    }
    out
}

/// Every address the server would listen on with this configuration.
fn listening(config: &Config) -> Vec<Listen> {
    let mut out = vec![
        Listen {
            what: "HTTP",
            key: "[http] listen",
            at: config.http.listen,
            proto: Proto::Tcp,
        },
        Listen {
            what: "SIP",
            key: "[sip] listen",
            at: config.sip.listen,
            proto: Proto::Udp,
        },
        Listen {
            what: "SIP",
            key: "[sip] listen",
            at: config.sip.listen,
            proto: Proto::Tcp,
        },
    ];
    let sip_tls = config.sip.tls_certificate.is_some() || config.http.tls_certificate.is_some();
    if sip_tls {
        out.push(Listen {
            what: "SIP TLS",
            key: "[sip] tls_listen",
            at: config.sip.tls_listen,
            proto: Proto::Tcp,
        });
    }
    if let Some(at) = config.media.ng_listen {
        out.push(Listen {
            what: "media control (ng)",
            key: "[media] ng_listen",
            at,
            proto: Proto::Udp,
        });
    }
    out
}
