//! For the browser test of single sign-on (tests/browser/sso.test.mjs): starts
//! `testkit::oidc_provider` signing in the person whose login is the first argument
//! (`preferred_username`; none: tokens without that claim), prints its issuer as a shell
//! variable and `READY`, and stops on SIGTERM or SIGINT.

use testkit::oidc_provider::{Issue, OidcProvider};

fn main() {
    let provider = OidcProvider::start();
    match std::env::args().nth(1) {
        Some(login) => provider.issue(|i| *i = Issue::for_login(&login)),
        None => provider.issue(|i| *i = Issue::default()),
    }
    println!("OIDC_ISSUER='{}'", provider.issuer);
    println!("READY");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    });
    drop(provider);
}
