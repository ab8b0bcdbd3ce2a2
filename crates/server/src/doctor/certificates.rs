//! Certificates: the configured TLS certificate and key load together, and the
//! certificate is not expired, not yet valid, or expiring within 30 days (amber: renew).
//! The check itself is pure (file contents and the time in, a finding out).

use super::finding::Finding;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use x509_parser::extensions::GeneralName;

/// Fewer days left than this is amber.
const RENEW_WITHIN_DAYS: i64 = 30;

/// Reads the files and checks them at `now` (Unix seconds).
pub fn check_files(what: &str, certificate: &Path, key: &Path, now: i64) -> Finding {
    let check = format!("{what} certificate {}", certificate.display());
    let chain = match std::fs::read(certificate) {
        Ok(c) => c,
        Err(e) => return unreadable(check, certificate, &e),
    };
    let key_pem = match std::fs::read(key) {
        Ok(k) => k,
        Err(e) => return unreadable(check, key, &e),
    };
    check_pem(check, &chain, &key_pem, now)
}

fn unreadable(check: String, file: &Path, e: &std::io::Error) -> Finding {
    Finding::red(
        check,
        format!("cannot read {}: {e}", file.display()),
        "check the path and that the durchwahl user may read the file",
    )
}

/// Checks PEM contents at `now` (Unix seconds).
pub fn check_pem(check: String, chain: &[u8], key: &[u8], now: i64) -> Finding {
    let certs: Vec<CertificateDer<'static>> =
        match CertificateDer::pem_slice_iter(chain).collect::<Result<_, _>>() {
            Ok(c) => c,
            Err(e) => return Finding::red(check, format!("not a PEM certificate: {e}"), FIX_PEM),
        };
    let Some(leaf) = certs.first() else {
        return Finding::red(check, "no certificate in the file", FIX_PEM);
    };
    let key = match PrivateKeyDer::from_pem_slice(key) {
        Ok(k) => k,
        Err(e) => {
            return Finding::red(
                check,
                format!("the key file holds no PEM private key: {e}"),
                "configure the private key that belongs to the certificate",
            )
        }
    };
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let loaded = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())
        .and_then(|b| {
            b.with_no_client_auth()
                .with_single_cert(certs.clone(), key)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = loaded {
        return Finding::red(
            check,
            format!("certificate and key do not load together: {e}"),
            "configure the private key that belongs to this certificate",
        );
    }
    let (not_before, not_after, names) = match x509_parser::parse_x509_certificate(leaf) {
        Ok((_, cert)) => {
            let names = cert
                .subject_alternative_name()
                .ok()
                .flatten()
                .map(|san| {
                    san.value
                        .general_names
                        .iter()
                        .filter_map(|n| match n {
                            GeneralName::DNSName(name) => Some((*name).to_string()),
                            GeneralName::IPAddress(ip) => ip_text(ip),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            (
                cert.validity().not_before.timestamp(),
                cert.validity().not_after.timestamp(),
                names,
            )
        }
        Err(e) => {
            return Finding::red(
                check,
                format!("the certificate cannot be read: {e}"),
                FIX_PEM,
            )
        }
    };
    let until = date(not_after);
    let days_left = (not_after - now).div_euclid(86_400);
    let names = if names.is_empty() {
        String::new()
    } else {
        format!(", for {names}")
    };
    if now < not_before {
        Finding::red(
            check,
            format!("not valid before {}", date(not_before)),
            "check the machine's clock, or install a certificate valid now",
        )
    } else if now >= not_after {
        Finding::red(
            check,
            format!("expired on {until}"),
            "install a renewed certificate (the server reloads it without a restart)",
        )
    } else if days_left < RENEW_WITHIN_DAYS {
        Finding::amber(
            check,
            format!("expires on {until}, in {days_left} days{names}"),
            "renew it soon (the server reloads a renewed file without a restart)",
        )
    } else {
        Finding::green(
            check,
            format!("valid until {until} ({days_left} days){names}"),
        )
    }
}

const FIX_PEM: &str = "configure a PEM file that begins with -----BEGIN CERTIFICATE-----";

/// An IP address name (4 or 16 bytes) as text.
fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv4Addr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv6Addr::from(b).to_string()),
        _ => None,
    }
}

/// `YYYY-MM-DD` (UTC) of Unix seconds.
fn date(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::finding::Status;

    fn certificate(not_before: i64, not_after: i64) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["durchwahl.test".into()]).unwrap();
        let day = |unix: i64| {
            let d = jiff::Timestamp::from_second(unix)
                .unwrap()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            rcgen::date_time_ymd(d.year().into(), d.month() as u8, d.day() as u8)
        };
        params.not_before = day(not_before);
        params.not_after = day(not_after);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    const DAY: i64 = 86_400;
    /// A midnight (UTC): the certificates are made by day.
    const NOW: i64 = 1_799_971_200;

    #[test]
    fn valid_expiring_expired_and_not_yet_valid() {
        let at = |before: i64, after: i64| {
            let (cert, key) = certificate(before, after);
            check_pem("c".into(), cert.as_bytes(), key.as_bytes(), NOW)
        };
        let fine = at(NOW - DAY, NOW + 90 * DAY);
        assert_eq!(fine.status, Status::Green, "{fine:?}");
        assert!(
            fine.detail.contains("(90 days), for durchwahl.test"),
            "{fine:?}"
        );
        let soon = at(NOW - DAY, NOW + 10 * DAY);
        assert_eq!(soon.status, Status::Amber);
        assert!(soon.detail.contains("in 10 days"), "{soon:?}");
        let expired = at(NOW - 90 * DAY, NOW - DAY);
        assert_eq!(expired.status, Status::Red);
        assert!(expired.detail.starts_with("expired on "), "{expired:?}");
        assert_eq!(at(NOW + DAY, NOW + 90 * DAY).status, Status::Red);
    }

    #[test]
    fn a_key_of_another_certificate_or_garbage_is_red() {
        let (cert, _) = certificate(NOW - DAY, NOW + 90 * DAY);
        let (_, other_key) = certificate(NOW - DAY, NOW + 90 * DAY);
        let mismatch = check_pem("c".into(), cert.as_bytes(), other_key.as_bytes(), NOW);
        assert_eq!(mismatch.status, Status::Red, "{mismatch:?}");
        assert_eq!(
            check_pem("c".into(), b"hello", b"", NOW).status,
            Status::Red
        );
    }
}
