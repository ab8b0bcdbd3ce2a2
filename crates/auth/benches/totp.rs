//! `totp::verify` cost. Target: well under 50 µs per verification, so TOTP checks never
//! matter next to the argon2 password hash that precedes them.

use auth::totp::{self, TotpSecret, PERIOD};
use divan::black_box;

fn main() {
    divan::main();
}

const NOW: u64 = 1_700_000_015;

/// A correct code for the current step. Every case computes all three steps of the
/// window, so the three figures should agree.
#[divan::bench]
fn verify_correct(bencher: divan::Bencher) {
    let secret = TotpSecret::generate();
    let code = totp::code_at(&secret, NOW);
    bencher.bench(|| totp::verify(black_box(&secret), black_box(&code), black_box(NOW), None));
}

/// A wrong code: all three steps of the window are computed and compared.
#[divan::bench]
fn verify_wrong(bencher: divan::Bencher) {
    let secret = TotpSecret::generate();
    let code = if totp::code_at(&secret, NOW) == "000000" {
        "111111"
    } else {
        "000000"
    };
    bencher.bench(|| totp::verify(black_box(&secret), black_box(code), black_box(NOW), None));
}

/// A replayed code of the previous step.
#[divan::bench]
fn verify_replayed(bencher: divan::Bencher) {
    let secret = TotpSecret::generate();
    let code = totp::code_at(&secret, NOW - PERIOD);
    let last = Some(NOW / PERIOD);
    bencher.bench(|| totp::verify(black_box(&secret), black_box(&code), black_box(NOW), last));
}
