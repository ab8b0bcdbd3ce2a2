//! Every part's timer reaches `poll_timeout` on its own: the shell sleeps until then and
//! nothing fires late because no other timer woke it.

mod common;

use common::{addr, answered_call};
use telephony::Notice;

const CALLER: &str = "10.0.0.1:5060";
const PHONE: &str = "10.0.0.2:5060";
/// Longest a call counts as answered without a BYE (`dialogs.rs`).
const DAY_MS: i64 = 24 * 3600 * 1000;

#[test]
fn an_answered_call_alone_wakes_the_shell_a_day_later() {
    let mut s = common::switch_with(&[("100", 1), ("200", 2)], &[("200", PHONE)]);
    let out = answered_call(&mut s, 1_000, ("100", CALLER), "200", PHONE, "c1");
    assert!(out
        .iter()
        .any(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 200 ")));
    let on_the_phone: Vec<Notice> = std::iter::from_fn(|| s.poll_notice()).collect();
    assert!(on_the_phone.contains(&Notice::Call {
        person_id: 2,
        active: true
    }));
    // The phone's registration runs out and the transactions are over: the answered call
    // (its BYE never came) is the only timer left.
    s.handle_timeout(10_000_000);
    assert_eq!(s.registrations(), 0);
    assert_eq!(s.poll_timeout(), Some(1_000 + DAY_MS));
    while s.poll_notice().is_some() {}
    s.handle_timeout(1_000 + DAY_MS);
    let mut free: Vec<Notice> = std::iter::from_fn(|| s.poll_notice()).collect();
    free.sort_by_key(|n| format!("{n:?}"));
    let off = |person_id| Notice::Call {
        person_id,
        active: false,
    };
    assert_eq!(free, [off(1), off(2)]);
    assert_eq!(s.poll_timeout(), None);
}
