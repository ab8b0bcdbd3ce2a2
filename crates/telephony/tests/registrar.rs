//! The registrar answers statelessly: a REGISTER whose 200 was lost comes again with the
//! same credentials and gets a 200 again (not a replay challenge, not 500), changing
//! nothing; a different request repeating the count is a replay.

mod common;

use common::{ha1, md5_challenge, register, DOMAIN};
use sip::digest::Credentials;
use sip::Method;
use telephony::{Flow, Notice, Switch};

const PHONE: &str = "10.0.0.9:5060";

fn answers(s: &mut Switch, now: i64) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        while let Some(t) = s.poll_transmit() {
            out.push(String::from_utf8(t.data.to_vec()).unwrap());
        }
        let Some(notice) = s.poll_notice() else {
            return out;
        };
        if let Notice::Save { ticket, .. } = notice {
            s.handle_saved(now, ticket, true);
        }
    }
}

fn status(messages: &[String]) -> Vec<&str> {
    messages.iter().filter_map(|m| m.lines().next()).collect()
}

/// A switch with device 2401-1 whose phone's first REGISTER was challenged, and the
/// digest answer to that challenge for a nonce count.
fn challenged() -> (Switch, impl Fn(u32) -> String) {
    let mut s = common::switch_with(&[("2401", 1)], &[]);
    let phone = Flow::udp(common::addr(PHONE));
    s.handle_datagram(1_000, phone, register(PHONE, "2401-1", 1, None))
        .unwrap();
    let challenge = md5_challenge(&answers(&mut s, 1_000)).expect("401");
    let uri = format!("sip:{DOMAIN}");
    let credentials = move |nc| {
        let ha1 = ha1("2401-1");
        let c = Credentials::answer(&challenge, "2401-1", &uri, "c", nc, &Method::Register, &ha1);
        c.to_string()
    };
    (s, credentials)
}

#[test]
fn a_lost_200_is_answered_again_and_only_for_the_same_request() {
    let (mut s, credentials) = challenged();
    let phone = Flow::udp(common::addr(PHONE));
    let signed = register(PHONE, "2401-1", 2, Some(&credentials(1)));
    s.handle_datagram(1_000, phone, signed.clone()).unwrap();
    assert_eq!(status(&answers(&mut s, 1_000)), ["SIP/2.0 200 OK"]);
    // Nothing is kept for Timer J: the next deadline is the binding's expiry.
    assert_eq!(s.poll_timeout(), Some(1_000 + 3_600_000));
    // The phone did not hear it and sends the same request again.
    s.handle_datagram(2_000, phone, signed).unwrap();
    let again = answers(&mut s, 2_000);
    assert_eq!(status(&again), ["SIP/2.0 200 OK"]);
    assert!(
        again[0].contains(";expires=3599"),
        "the binding as it is: {}",
        again[0]
    );
    assert_eq!(s.registrations(), 1);
    // Another request with the same count is a replay: challenged, stale.
    s.handle_datagram(
        3_000,
        phone,
        register(PHONE, "2401-1", 3, Some(&credentials(1))),
    )
    .unwrap();
    let replay = answers(&mut s, 3_000);
    assert_eq!(status(&replay), ["SIP/2.0 401 Unauthorized"]);
    assert!(replay[0].contains("stale=true"), "{}", replay[0]);
}

#[test]
fn the_challenge_order_follows_the_setting() {
    let cases = [
        (false, true, "MD5", 2),
        (true, true, "SHA-256", 2),
        (false, false, "MD5", 1),
    ];
    for (sha256_first, offer_sha256, first, count) in cases {
        let mut settings = telephony::Settings::new(DOMAIN, "192.0.2.1:5060".parse().unwrap());
        settings.sha256_first = sha256_first;
        settings.offer_sha256 = offer_sha256;
        let key = sip::digest::NonceKey::new(vec![2; 32]);
        let mut s = Switch::new(settings, telephony::Accounts::default(), key, 1);
        let phone = Flow::udp(common::addr(PHONE));
        s.handle_datagram(1, phone, register(PHONE, "2401-1", 1, None))
            .unwrap();
        let challenge = answers(&mut s, 1).remove(0);
        let algorithms: Vec<&str> = challenge
            .lines()
            .filter(|l| l.starts_with("WWW-Authenticate: "))
            .map(|l| {
                if l.contains("SHA-256") {
                    "SHA-256"
                } else {
                    "MD5"
                }
            })
            .collect();
        assert_eq!(algorithms.len(), count, "{challenge}");
        assert_eq!(algorithms[0], first, "{challenge}");
    }
}

#[test]
fn a_full_store_queue_gets_503_with_retry_after_not_200() {
    let (mut s, credentials) = challenged();
    let phone = Flow::udp(common::addr(PHONE));
    let signed = register(PHONE, "2401-1", 2, Some(&credentials(1)));
    s.handle_datagram(1_000, phone, signed).unwrap();
    // The shell could not queue the save: the switch refuses instead of confirming.
    let ticket = std::iter::from_fn(|| s.poll_notice())
        .find_map(|n| match n {
            Notice::Save { ticket, .. } => Some(ticket),
            _ => None,
        })
        .expect("a save");
    assert!(
        s.poll_transmit().is_none(),
        "nothing answered before the save"
    );
    assert_eq!(s.registrations(), 1, "held while the store works on it");
    s.handle_save_refused(1_000, ticket);
    let refused = answers(&mut s, 1_000);
    // Told it failed, the phone is not registered either (nor shown online).
    assert_eq!(s.registrations(), 0);
    assert_eq!(status(&refused), ["SIP/2.0 503 Service Unavailable"]);
    assert!(
        refused[0].contains("\r\nRetry-After: 5\r\n"),
        "{}",
        refused[0]
    );
    assert!(!refused[0].contains("\r\nContact: "), "{}", refused[0]);
}
