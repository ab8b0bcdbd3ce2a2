//! A call as its people see it: on the phone from the 2xx until a BYE passes the switch.

mod common;

use bytes::Bytes;
use common::{addr, answered_call, sent, DOMAIN};
use telephony::{Flow, Notice};

const CALLER: &str = "10.0.0.1:5060";
const PHONE: &str = "10.0.0.2:5060";

#[test]
fn a_hang_up_ends_the_call_even_when_the_bye_cannot_be_routed_on() {
    let mut s = common::switch_with(&[("100", 1), ("200", 2)], &[("200", PHONE)]);
    while s.poll_notice().is_some() {} // 200's phone is online
    answered_call(&mut s, 1_000, ("100", CALLER), "200", PHONE, "c1");
    let notices: Vec<Notice> = std::iter::from_fn(|| s.poll_notice()).collect();
    let call = |person_id, active| Notice::Call { person_id, active };
    assert_eq!(notices, [call(1, true), call(2, true)]);
    // The BYE names a Contact the switch cannot reach (a browser whose connection is
    // gone): the caller hears 404, and the call is over all the same (RFC 3261 §15.1.1).
    let bye = format!(
        "BYE sip:callee@gone.invalid;transport=ws SIP/2.0\r\n\
         Via: SIP/2.0/UDP {CALLER};branch=z9hG4bKbye\r\nRoute: <sip:192.0.2.1:5060;lr>\r\n\
         Max-Forwards: 70\r\nFrom: <sip:100-1@{DOMAIN}>;tag=100\r\n\
         To: <sip:200@{DOMAIN}>;tag=callee\r\nCall-ID: c1\r\nCSeq: 3 BYE\r\n\
         Content-Length: 0\r\n\r\n"
    );
    s.handle_datagram(2_000, Flow::udp(addr(CALLER)), Bytes::from(bye))
        .unwrap();
    let out = sent(&mut s);
    assert!(
        out.iter()
            .any(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 404 ")),
        "{out:?}"
    );
    let notices: Vec<Notice> = std::iter::from_fn(|| s.poll_notice()).collect();
    assert_eq!(notices, [call(1, false), call(2, false)]);
}
