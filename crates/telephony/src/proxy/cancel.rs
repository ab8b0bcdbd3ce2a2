//! CANCEL (RFC 3261 §9): the proxy cancels the branches of a call that the caller
//! cancelled (§16.10), that another device answered (§16.7 step 10), that rang too long
//! or that a device refused for good (6xx). A branch that has not rung yet is cancelled
//! once its first provisional answer comes (§9.1); see `fork.rs` for when.

use crate::context::Context;
use crate::flow::Flow;
use bytes::Bytes;
use sip::{Header, HeaderName, Message, Method, StartLine};

/// The CANCEL of a request we sent: RFC 3261 §9.1, the same Request-URI, Call-ID, To,
/// From, CSeq number and top Via; Route as in the request.
pub(crate) fn cancel_for(request: &Message) -> Message {
    let mut headers = Vec::new();
    if let Some(via) = request.first_value(&HeaderName::Via) {
        headers.push(Header {
            name: HeaderName::Via,
            value: via,
        });
    }
    for h in &request.headers {
        if matches!(
            h.name,
            HeaderName::From | HeaderName::To | HeaderName::CallId | HeaderName::Route
        ) {
            headers.push(h.clone());
        }
    }
    let seq = request
        .header(&HeaderName::CSeq)
        .and_then(sip::cseq::CSeq::parse)
        .map_or(1, |c| c.seq);
    headers.push(Header {
        name: HeaderName::CSeq,
        value: Bytes::from(format!("{seq} CANCEL")),
    });
    headers.push(Header {
        name: HeaderName::MaxForwards,
        value: Bytes::from_static(b"70"),
    });
    let uri = match &request.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => Bytes::new(),
    };
    Message {
        start: StartLine::Request {
            method: Method::Cancel,
            uri,
        },
        headers,
        body: Bytes::new(),
    }
}

/// Sends CANCELs, each in a client transaction of its own (its Via is the request's).
pub(crate) fn send(cx: &mut Context<'_>, cancels: Vec<(Message, Flow)>) {
    for (cancel, flow) in cancels {
        cx.wire.send_request(cx.now, cancel, flow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_copies_what_rfc_3261_section_9_1_asks_for() {
        let invite = sip::parse_datagram(Bytes::from_static(
            b"INVITE sip:2401-1@10.0.0.2 SIP/2.0\r\n\
              Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKdw1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK0\r\n\
              Route: <sip:10.0.0.9;lr>\r\nMax-Forwards: 69\r\nFrom: <sip:2301@pbx.example>;tag=a\r\n\
              To: <sip:2401@pbx.example>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\n\
              Contact: <sip:2301@10.0.0.1>\r\nContent-Length: 0\r\n\r\n",
        ))
        .unwrap();
        let text = String::from_utf8(cancel_for(&invite).to_bytes().to_vec()).unwrap();
        assert!(
            text.starts_with("CANCEL sip:2401-1@10.0.0.2 SIP/2.0\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKdw1\r\n"));
        assert!(!text.contains("z9hG4bK0"), "only the top Via: {text}");
        assert!(text.contains("\r\nRoute: <sip:10.0.0.9;lr>\r\n"), "{text}");
        assert!(text.contains("\r\nCSeq: 7 CANCEL\r\n"), "{text}");
        assert!(!text.contains("Contact"), "{text}");
    }
}
