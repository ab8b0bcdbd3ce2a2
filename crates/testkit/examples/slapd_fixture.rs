//! For bench/ldap_sync.sh: starts a throwaway slapd with N generated people (default
//! 20,000), prints its URLs and credentials as shell variables and `READY`, and stops
//! slapd on SIGTERM or SIGINT.
//!
//! `cargo run -p testkit --features tls --example slapd_fixture -- 20000 changes.ldif`
//! also writes `generated_changes(20000)` (50 changes, LDIF for ldapmodify as the
//! administrator) to `changes.ldif`, for an incremental sync.

use std::time::Instant;
use testkit::slapd::{generated_changes, generated_people, Slapd};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(20_000, |a| a.parse().expect("a number of people"));
    if let Some(changes) = args.next() {
        std::fs::write(&changes, generated_changes(n)).expect("write the changes");
    }
    let started = Instant::now();
    let slapd = Slapd::start_with(&generated_people(n)).await;
    let (admin_dn, admin_password) = slapd.admin_credentials();
    for (name, value) in [
        ("LDAP_URL", slapd.ldap_url.as_str()),
        ("LDAPS_URL", &slapd.ldaps_url),
        ("LDAP_CA_FILE", &slapd.ca_file.display().to_string()),
        ("LDAP_BASE_DN", &slapd.base_dn),
        ("LDAP_BIND_DN", &slapd.bind_dn),
        ("LDAP_BIND_PASSWORD", &slapd.bind_password),
        ("LDAP_ADMIN_DN", admin_dn),
        ("LDAP_ADMIN_PASSWORD", admin_password),
        ("SLAPD_PID", &slapd.pid().expect("running").to_string()),
        ("SLAPD_START_MS", &started.elapsed().as_millis().to_string()),
    ] {
        println!("{name}='{value}'");
    }
    println!("READY");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(slapd);
}
