//! The RFC 4475 torture messages, byte for byte as in the RFC's archive (Appendix A), in
//! `tests/rfc4475/<name>.sip`. Each test says what the RFC expects of the message (§3.1.1
//! valid, §3.1.2 invalid, §3.2 transaction layer, §3.3 application layer, §3.4 RFC 2543)
//! and what the parser makes of it.

mod common;

use bytes::Bytes;
use common::{addr, assert_round_trip, name, unescape, uri, value};
use sip::cseq::CSeq;
use sip::digest::{Credentials, DigestError};
use sip::method::Method;
use sip::name_addr::NameAddr;
use sip::parser::check_response;
use sip::uri::{is_absolute_uri, Scheme, Uri, UriError};
use sip::via::Via;
use sip::{
    check_request, parse_datagram, parse_stream, Frame, HeaderName, Message, ParseError, StartLine,
};

/// Every message of RFC 4475 §3, by the name its archive gives it.
const ALL: [&str; 49] = [
    "wsinv",
    "intmeth",
    "esc01",
    "escnull",
    "esc02",
    "lwsdisp",
    "longreq",
    "dblreq",
    "semiuri",
    "transports",
    "mpart01",
    "unreason",
    "noreason", // §3.1.1
    "badinv01",
    "clerr",
    "ncl",
    "scalar02",
    "scalarlg",
    "quotbal",
    "ltgtruri",
    "lwsruri",
    "lwsstart",
    "trws",
    "escruri",
    "baddate",
    "regbadct",
    "badaspec",
    "baddn",
    "badvers",
    "mismatch01",
    "mismatch02",
    "bigcode",   // §3.1.2
    "badbranch", // §3.2
    "insuf",
    "unkscm",
    "novelsc",
    "unksm2",
    "bext01",
    "invut",
    "regaut01",
    "multi01",
    "mcl01",
    "bcast",
    "zeromf",
    "cparam01",
    "cparam02",
    "regescrt",
    "sdp01",   // §3.3
    "inv2543", // §3.4
];

fn load(name: &str) -> Bytes {
    common::load("rfc4475", name)
}

/// Parses a datagram that must parse, and checks that it round-trips.
fn parse(name: &str) -> Message {
    let m = parse_datagram(load(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_round_trip(&m);
    m
}

/// The error a datagram is refused with.
fn refused(name: &str) -> ParseError {
    match parse_datagram(load(name)) {
        Ok(m) => panic!("{name} parsed: {m:?}"),
        Err(e) => e,
    }
}

/// A request that parses but that check_request answers with this error (a 400).
fn rejected(name: &str) -> ParseError {
    let error = check_request(&parse(name)).expect_err(name);
    assert_eq!(error.status(), 400, "{name}");
    assert!(error.reason().starts_with("Bad Request ("), "{name}");
    error
}

/// A request the RFC says an element accepts.
fn accepted(name: &str) -> Message {
    let m = parse(name);
    check_request(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
    m
}

fn uri_of(m: &Message) -> Uri {
    match &m.start {
        StartLine::Request { uri, .. } => Uri::parse(uri).expect("Request-URI"),
        StartLine::Response { .. } => panic!("a response"),
    }
}

fn vias(m: &Message) -> Vec<Via> {
    m.header_values(&HeaderName::Via)
        .iter()
        .map(|v| Via::parse(v).expect("Via"))
        .collect()
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

#[test]
fn the_folder_holds_exactly_the_rfc_messages() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rfc4475");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = ALL.iter().map(|n| format!("{n}.sip")).collect();
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn stream_framing_reads_what_a_datagram_reads() {
    // Over a stream Content-Length frames the message; where the RFC's message has one
    // that fits, the stream parser takes exactly the message.
    for name in ALL {
        let data = load(name);
        let (Ok(datagram), Ok(Frame::Message { message, consumed })) =
            (parse_datagram(data.clone()), parse_stream(&data))
        else {
            continue;
        };
        assert_eq!(message, datagram, "{name}");
        assert!(consumed <= data.len(), "{name}");
    }
}

// §3.1.1 Valid messages: every one parses; requests pass check_request.

#[test]
fn wsinv_short_tortuous_invite() {
    let m = accepted("wsinv");
    assert_eq!(m.method(), Some(&Method::Invite));
    assert_eq!(uri_of(&m).param("unknownparam"), Some(None));
    // 14 header fields; Content-Length is framing and not kept.
    assert_eq!(m.headers.len(), 13);
    let to = addr(&m, "To");
    assert_eq!(to.tag().map(|t| &t[..]), Some(&b"1918181833n"[..]));
    assert_eq!(&to.uri[..], b"sip:vivekg@chair-dnrc.example.com");
    let from = addr(&m, "From");
    assert_eq!(from.display.as_deref(), Some(&br#"J Rosenberg \""#[..]));
    assert_eq!(from.tag().map(|t| &t[..]), Some(&b"98asjd8"[..]));
    assert_eq!(value(&m, "Max-Forwards"), b"0068");
    let cseq = CSeq::parse(&b(std::str::from_utf8(value(&m, "CSeq")).unwrap())).unwrap();
    assert_eq!((cseq.seq, cseq.method), (9, Method::Invite));
    let v = vias(&m);
    let summary: Vec<_> = v
        .iter()
        .map(|v| (&v.transport[..], &v.host[..], &v.branch().unwrap()[..]))
        .collect();
    assert_eq!(
        summary,
        [
            (&b"UDP"[..], &b"192.0.2.2"[..], &b"390skdjuw"[..]),
            (b"TCP", b"spindle.example.com", b"z9hG4bK9ikj8"),
            (b"UDP", b"192.168.255.111", b"z9hG4bK30239"),
        ]
    );
    assert_eq!(value(&m, "Subject"), b"");
    assert_eq!(
        value(&m, "NewFangledHeader"),
        b"newfangled value continued newfangled value"
    );
    assert_eq!(value(&m, "UnknownHeaderWithUnusualValue"), b";;,,;;,;");
    let route = addr(&m, "Route");
    assert_eq!(uri(&route).param("lr"), Some(None));
    assert_eq!(uri(&route).param("unknownwith"), Some(Some(&b("value"))));
    let contact = addr(&m, "Contact");
    assert_eq!(
        contact.display.as_deref(),
        Some(&br#"Quoted string """#[..])
    );
    assert_eq!(contact.param("newparam"), Some(Some(&b("newvalue"))));
    assert_eq!(contact.param("secondparam"), Some(None));
    assert_eq!(contact.param("q"), Some(Some(&b("0.33"))));
    assert_eq!(m.body.len(), 150);
    assert!(m.body.starts_with(b"v=0\r\n") && m.body.ends_with(b"a=rtpmap:31 LPC\r\n"));
}

#[test]
fn intmeth_wide_range_of_valid_characters() {
    let m = accepted("intmeth");
    let method = b"!interesting-Method0123456789_*+`.%indeed'~";
    assert_eq!(m.method(), Some(&Method::Other(Bytes::from_static(method))));
    let r = uri_of(&m);
    assert_eq!(
        r.user.as_deref(),
        Some(&b"1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"[..])
    );
    assert_eq!(
        (&r.host[..], r.params.len(), r.headers),
        (&b"example.com"[..], 0, None)
    );
    // Escaped NUL, BEL and DEL are allowed inside a quoted string.
    let to = addr(&m, "To");
    assert_eq!(
        to.display.as_deref(),
        Some(&b"BEL:\x07 NUL:\x00 DEL:\x7f"[..])
    );
    assert_eq!(
        &uri(&to).user.unwrap()[..],
        b"1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    );
    let from = addr(&m, "From");
    assert_eq!(
        from.display.as_deref(),
        Some(&b"token1~` token2'+_ token3*%!.-"[..])
    );
    let param = from.param("fromParam''~+*_!.-%").flatten().unwrap();
    assert_eq!(sip::params::unquote(param), "работающий".as_bytes());
    assert_eq!(from.tag().map(|t| &t[..]), Some(&b"_token~1'+`*%!-."[..]));
    assert_eq!(
        value(&m, "Call-ID"),
        b"intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
    );
    assert_eq!(value(&m, "Max-Forwards"), b"255");
    let extension = value(&m, "extensionHeader-!.%*+_`'~");
    assert_eq!(extension, "\u{feff}大停電".as_bytes());
}

#[test]
fn esc01_valid_percent_escapes() {
    let m = accepted("esc01");
    assert_eq!(
        uri_of(&m).user_unescaped().unwrap(),
        b"sips:user@example.com"
    );
    assert_eq!(uri(&addr(&m, "To")).user_unescaped().unwrap(), b"user");
    assert_eq!(
        uri(&addr(&m, "From")).user_unescaped().unwrap(),
        b"I have spaces"
    );
    // Compact forms i and C.
    assert_eq!(value(&m, "Call-ID"), b"esc01.239409asdfakjkn23onasd0-3234");
    assert_eq!(value(&m, "Content-Type"), b"application/sdp");
    let contact = uri(&addr(&m, "Contact"));
    assert_eq!(contact.user_unescaped().unwrap(), b"caller");
    // The parameters are ;lr;name=value%41 once unescaped.
    let params: Vec<_> = contact
        .params
        .iter()
        .map(|(n, v)| (unescape(n), v.as_ref().map(|v| unescape(v))))
        .collect();
    assert_eq!(
        params,
        [
            (b"lr".to_vec(), None),
            (b"name".to_vec(), Some(b"value%41".to_vec()))
        ]
    );
    assert_eq!(m.body.len(), 150);
}

#[test]
fn escnull_escaped_nulls_in_uris() {
    let m = accepted("escnull");
    assert_eq!(m.method(), Some(&Method::Register));
    assert_eq!(
        uri(&addr(&m, "To")).user_unescaped().unwrap(),
        b"null-\0-null"
    );
    assert_eq!(
        uri(&addr(&m, "From")).user_unescaped().unwrap(),
        b"null-\0-null"
    );
    let users: Vec<_> = m
        .header_values(&HeaderName::Contact)
        .iter()
        .map(|c| uri(&NameAddr::parse(c).unwrap()).user_unescaped().unwrap())
        .collect();
    assert_eq!(users, [b"\0".to_vec(), b"\0\0".to_vec()]);
    assert!(m.body.is_empty());
}

#[test]
fn esc02_percent_that_is_not_an_escape() {
    let m = accepted("esc02");
    // An unknown method: escapes mean nothing in a method, so it is not REGISTER.
    let method = Method::Other(Bytes::from_static(b"RE%47IST%45R"));
    assert_eq!(m.method(), Some(&method));
    assert_eq!(addr(&m, "To").display.as_deref(), Some(&b"%Z%45"[..]));
    assert_eq!(&vias(&m)[0].branch().unwrap()[..], b"z9hG4bK209%fzsnel234");
    // C%6Fntact is another header, not a third Contact.
    assert_eq!(m.header_values(&HeaderName::Contact).len(), 2);
    assert_eq!(value(&m, "C%6Fntact"), b"<sip:alias2@host2.example.com>");
}

#[test]
fn lwsdisp_no_space_between_display_name_and_angle_bracket() {
    let m = accepted("lwsdisp");
    let from = addr(&m, "From");
    assert_eq!(from.display.as_deref(), Some(&b"caller"[..]));
    assert_eq!(&from.uri[..], b"sip:caller@example.com");
    assert_eq!(from.tag().map(|t| &t[..]), Some(&b"323"[..]));
}

#[test]
fn longreq_long_values() {
    let m = accepted("longreq");
    assert_eq!(m.headers.len(), 42);
    let v = vias(&m);
    assert_eq!(v.len(), 34);
    assert_eq!(&v[0].host[..], b"sip33.example.com");
    assert_eq!(&v[32].host[..], b"sip1.example.com");
    assert_eq!(
        v[33].branch().unwrap().len(),
        "very".len() + 50 * 4 + "branchvalue".len()
    );
    let to = addr(&m, "To");
    let display = format!("I have a user name of {} proportion", "extreme".repeat(10));
    assert_eq!(to.display.as_deref(), Some(display.as_bytes()));
    assert_eq!(uri(&to).port, Some(6000));
    let from = addr(&m, "From");
    assert_eq!(from.tag().unwrap().len(), 2 + 50 * 3 + 3);
    assert_eq!(from.params.len(), 3);
    assert_eq!(
        value(&m, "Call-ID").len(),
        "longreq.one".len() + 20 * 6 + "longcallid".len()
    );
    assert_eq!(m.body.len(), 150);
}

#[test]
fn dblreq_extra_request_after_the_body_is_ignored() {
    let data = load("dblreq");
    let m = accepted("dblreq");
    assert_eq!(m.method(), Some(&Method::Register));
    assert!(m.body.is_empty());
    assert_eq!(
        value(&m, "Call-ID"),
        b"dblreq.0ha0isndaksdj99sdfafnl3lk233412"
    );
    // Over a stream the same bytes are two requests, with a CRLF between them.
    let Ok(Frame::Message { message, consumed }) = parse_stream(&data) else {
        panic!("no REGISTER");
    };
    assert_eq!(message, m);
    let rest = data.slice(consumed..);
    assert_eq!(parse_stream(&rest), Ok(Frame::Pong { consumed: 2 }));
    let Ok(Frame::Message { message, .. }) = parse_stream(&rest.slice(2..)) else {
        panic!("no INVITE");
    };
    assert_eq!(message.method(), Some(&Method::Invite));
}

#[test]
fn semiuri_semicolon_in_the_user_part() {
    let m = accepted("semiuri");
    let r = uri_of(&m);
    assert_eq!(r.user_unescaped().unwrap(), b"user;par=u@example.net");
    assert_eq!((&r.host[..], r.params.len()), (&b"example.com"[..], 0));
    let accept = m.header_values(&HeaderName::Accept);
    assert_eq!(accept.len(), 6);
    assert_eq!(&accept[5][..], b"message/sipfrag");
}

#[test]
fn transports_varied_and_unknown() {
    let m = accepted("transports");
    let transports: Vec<_> = vias(&m).iter().map(|v| v.transport.clone()).collect();
    assert_eq!(transports, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"].map(b));
    assert_eq!(value(&m, "Call-ID"), b"transports.kijh4akdnaqjkwendsasfdj");
}

#[test]
fn mpart01_multipart_body_with_binary() {
    let m = accepted("mpart01");
    assert_eq!(m.method(), Some(&Method::Message));
    assert_eq!(m.body.len(), 553);
    assert!(m
        .body
        .starts_with(b"--7a9cbec02ceef655\r\nContent-Type: text/plain\r\n"));
    assert!(m.body.ends_with(b"\r\n--7a9cbec02ceef655--\r\n"));
    assert!(m.body.contains(&0), "the binary part holds NULs");
    assert_eq!(
        value(&m, "Content-Type"),
        b"multipart/mixed;boundary=7a9cbec02ceef655"
    );
    assert_eq!(value(&m, "Identity").len(), 172);
}

#[test]
fn unreason_unusual_reason_phrase() {
    let m = parse("unreason");
    check_response(&m).unwrap();
    let mut reason = b"= 2**3 * 5**2 ".to_vec();
    reason.extend_from_slice("но сто девяносто девять - простое".as_bytes());
    assert_eq!(
        m.start,
        StartLine::Response {
            code: 200,
            reason: Bytes::from(reason)
        }
    );
    assert_eq!(m.body.len(), 154);
}

#[test]
fn noreason_empty_reason_phrase() {
    let m = parse("noreason");
    check_response(&m).unwrap();
    assert_eq!(
        m.start,
        StartLine::Response {
            code: 100,
            reason: Bytes::new()
        }
    );
    assert!(m.to_bytes().starts_with(b"SIP/2.0 100 \r\n"));
}

// §3.1.2 Invalid messages: refused, with the error the RFC's discussion names.

#[test]
fn badinv01_extraneous_separators() {
    let error = rejected("badinv01");
    let why = "a parameter name is not a token";
    assert_eq!(error, ParseError::HeaderValue { header: "Via", why });
    assert_eq!(
        error.reason(),
        format!("Bad Request (malformed Via header: {why})")
    );
    let m = parse("badinv01");
    assert_eq!(
        NameAddr::parse(&b(std::str::from_utf8(value(&m, "Contact")).unwrap())),
        Err(sip::name_addr::NameAddrError::Params(why))
    );
}

#[test]
fn clerr_content_length_larger_than_the_message() {
    // Over UDP: a 400. Over a stream: wait for the rest.
    let error = refused("clerr");
    assert_eq!(
        error,
        ParseError::BodyTooShort {
            expected: 9999,
            got: 154
        }
    );
    assert_eq!(error.status(), 400);
    assert_eq!(parse_stream(&load("clerr")), Ok(Frame::Incomplete));
}

#[test]
fn ncl_negative_content_length() {
    let error = refused("ncl");
    assert_eq!(error, ParseError::ContentLength);
    assert_eq!(error.status(), 400);
    assert_eq!(parse_stream(&load("ncl")), Err(ParseError::ContentLength));
}

#[test]
fn scalar02_request_scalars_too_large() {
    // The CSeq makes it a 400; Max-Forwards 300 and the huge expiries alone would not.
    let why = "the sequence number is not below 2**31";
    assert_eq!(
        rejected("scalar02"),
        ParseError::HeaderValue {
            header: "CSeq",
            why
        }
    );
}

#[test]
fn scalarlg_response_scalars_too_large() {
    let m = parse("scalarlg");
    let why = "the sequence number is not below 2**31";
    assert_eq!(
        check_response(&m),
        Err(ParseError::HeaderValue {
            header: "CSeq",
            why
        })
    );
}

#[test]
fn quotbal_unterminated_quoted_string() {
    let why = "a quoted display name is not closed";
    assert_eq!(
        rejected("quotbal"),
        ParseError::HeaderValue { header: "To", why }
    );
}

#[test]
fn ltgtruri_request_uri_in_angle_brackets() {
    let error = refused("ltgtruri");
    assert_eq!(
        error,
        ParseError::StartLine("the Request-URI is enclosed in <>")
    );
    assert_eq!(error.status(), 400);
}

#[test]
fn lwsruri_white_space_in_the_request_uri() {
    assert_eq!(
        refused("lwsruri"),
        ParseError::StartLine("white space in the Request-URI")
    );
}

#[test]
fn lwsstart_several_spaces_in_the_request_line() {
    let error = refused("lwsstart");
    assert_eq!(
        error,
        ParseError::StartLine("more than one space after the method")
    );
    assert_eq!(
        error.reason(),
        "Bad Request (malformed start line: more than one space after the method)"
    );
}

#[test]
fn trws_white_space_after_the_version() {
    assert_eq!(
        refused("trws"),
        ParseError::StartLine("white space after the SIP version")
    );
}

#[test]
fn escruri_headers_in_the_request_uri() {
    let why = "headers (?…) are not allowed in a Request-URI";
    assert_eq!(rejected("escruri"), ParseError::RequestUri(why));
}

#[test]
fn baddate_non_gmt_date_is_ignored() {
    // "Acceptable to reject … (though an element shouldn't do that unless the contents of
    // the Date header field were actually important)": Durchwahl does not use Date.
    let m = accepted("baddate");
    assert_eq!(value(&m, "Date"), b"Fri, 01 Jan 2010 16:00:00 EST");
}

#[test]
fn regbadct_uri_with_headers_outside_angle_brackets() {
    let why = "the URI must be enclosed in angle brackets";
    assert_eq!(
        rejected("regbadct"),
        ParseError::HeaderValue {
            header: "Contact",
            why
        }
    );
}

#[test]
fn badaspec_spaces_inside_the_angle_brackets() {
    let why = "white space inside the angle brackets";
    assert_eq!(
        rejected("badaspec"),
        ParseError::HeaderValue { header: "To", why }
    );
}

#[test]
fn baddn_unquoted_display_name_with_a_comma() {
    // The archive's message ends with its last header: the datagram frames it.
    assert!(load("baddn").ends_with(b"l: 0\r\n"));
    let why = "the display name is neither quoted nor made of tokens";
    assert_eq!(
        rejected("baddn"),
        ParseError::HeaderValue {
            header: "From",
            why
        }
    );
}

#[test]
fn badvers_unknown_protocol_version() {
    let error = refused("badvers");
    assert_eq!(error, ParseError::Version);
    assert_eq!(
        (error.status(), error.reason().as_str()),
        (505, "Version Not Supported")
    );
}

#[test]
fn mismatch01_cseq_method_differs() {
    assert_eq!(rejected("mismatch01"), ParseError::CSeqMethod);
}

#[test]
fn mismatch02_unknown_method_and_cseq_mismatch() {
    // A 501 would also do; the mismatch alone makes it a 400.
    assert_eq!(rejected("mismatch02"), ParseError::CSeqMethod);
    let m = parse("mismatch02");
    assert_eq!(m.method(), Some(&Method::Other(b("NEWMETHOD"))));
}

#[test]
fn bigcode_overlarge_response_code() {
    assert_eq!(
        refused("bigcode"),
        ParseError::StartLine("the status code is not three digits")
    );
}

// §3.2 Transaction layer.

#[test]
fn badbranch_magic_cookie_alone_is_no_rfc3261_branch() {
    let m = accepted("badbranch");
    let via = &vias(&m)[0];
    assert_eq!(via.branch().map(|b| &b[..]), Some(&b"z9hG4bK"[..]));
    assert!(!via.rfc3261_branch(), "match it the RFC 2543 way");
}

// §3.3 Application layer: the parser accepts what is well-formed and refuses the rest.

#[test]
fn insuf_missing_required_headers() {
    assert_eq!(rejected("insuf"), ParseError::MissingHeader("From"));
    let m = parse("insuf");
    for missing in ["To", "Call-ID", "Max-Forwards"] {
        assert!(m.header(&name(missing)).is_none(), "{missing}");
    }
}

#[test]
fn unkscm_and_novelsc_unknown_request_uri_schemes_are_the_applications() {
    // Well-formed: the application answers 416 when it cannot route the scheme.
    for (file, raw) in [
        ("unkscm", "nobodyKnowsThisScheme:totallyopaquecontent"),
        ("novelsc", "soap.beep://192.0.2.103:3002"),
    ] {
        let m = accepted(file);
        let StartLine::Request { uri, .. } = &m.start else {
            panic!("{file}: a response");
        };
        assert_eq!(&uri[..], raw.as_bytes());
        assert_eq!(Uri::parse(uri), Err(UriError::Scheme), "{file}");
    }
}

#[test]
fn unksm2_unknown_schemes_in_from_to_and_contact() {
    let m = accepted("unksm2");
    for header in ["To", "From", "Contact"] {
        let a = addr(&m, header);
        assert_eq!(Uri::parse(&a.uri), Err(UriError::Scheme), "{header}");
        assert!(is_absolute_uri(&a.uri), "{header}");
    }
}

#[test]
fn bext01_unknown_extensions_required() {
    let m = accepted("bext01");
    assert_eq!(
        m.header_values(&HeaderName::Require),
        [b("nothingSupportsThis"), b("nothingSupportsThisEither")]
    );
    assert_eq!(
        value(&m, "Proxy-Require"),
        b"noProxiesSupportThis, norDoAnyProxiesSupportThis"
    );
}

#[test]
fn invut_unknown_content_type() {
    let m = accepted("invut");
    assert_eq!(value(&m, "Content-Type"), b"application/unknownformat");
    assert_eq!(
        &m.body[..],
        b"<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n"
    );
}

#[test]
fn regaut01_unknown_authorization_scheme() {
    let m = accepted("regaut01");
    let credentials = b(std::str::from_utf8(value(&m, "Authorization")).unwrap());
    assert_eq!(
        Credentials::parse(&credentials),
        Err(DigestError::NotDigest)
    );
}

#[test]
fn multi01_single_headers_repeated() {
    assert_eq!(rejected("multi01"), ParseError::RepeatedHeader("From"));
    let m = parse("multi01");
    for header in ["To", "Call-ID", "CSeq", "Max-Forwards"] {
        assert_eq!(m.header_lines(&name(header)).count(), 2, "{header}");
    }
}

#[test]
fn mcl01_two_content_lengths() {
    let error = refused("mcl01");
    assert_eq!(
        error,
        ParseError::ContentLengths {
            first: 13,
            second: 5
        }
    );
    assert_eq!(error.status(), 400);
    assert_eq!(parse_stream(&load("mcl01")), Err(error));
}

#[test]
fn bcast_response_with_a_broadcast_via() {
    let m = parse("bcast");
    check_response(&m).unwrap();
    let hosts: Vec<_> = vias(&m).iter().map(|v| v.host.clone()).collect();
    assert_eq!(hosts, ["192.0.2.198", "255.255.255.255"].map(b));
}

#[test]
fn zeromf_max_forwards_zero() {
    let m = accepted("zeromf");
    assert_eq!(value(&m, "Max-Forwards"), b"0");
}

#[test]
fn cparam01_and_cparam02_contact_versus_uri_parameters() {
    let m = accepted("cparam01");
    let contact = addr(&m, "Contact");
    assert_eq!(&contact.uri[..], b"sip:+19725552222@gw1.example.net");
    assert_eq!(contact.param("unknownparam"), Some(None));
    let m = accepted("cparam02");
    let contact = addr(&m, "Contact");
    assert!(contact.params.is_empty());
    assert_eq!(uri(&contact).param("unknownparam"), Some(None));
}

#[test]
fn regescrt_escaped_headers_in_a_bracketed_contact() {
    let m = accepted("regescrt");
    let contact = uri(&addr(&m, "Contact"));
    let headers = contact.headers.unwrap();
    assert_eq!(&headers[..], b"Route=%3Csip:sip.example.com%3E");
    assert_eq!(unescape(&headers), b"Route=<sip:sip.example.com>");
}

#[test]
fn sdp01_unacceptable_accept() {
    let m = accepted("sdp01");
    assert_eq!(
        m.header_values(&HeaderName::Accept),
        [b("text/nobodyKnowsThis")]
    );
    assert_eq!(m.body.len(), 150);
}

// §3.4 Backward compatibility.

#[test]
fn inv2543_rfc2543_request() {
    let m = accepted("inv2543");
    assert!(m.header(&HeaderName::MaxForwards).is_none());
    assert_eq!(vias(&m)[0].branch(), None);
    assert_eq!(uri(&addr(&m, "To")).scheme, Scheme::Sip);
    // No Content-Length: over UDP the body is the rest of the datagram; a stream
    // cannot frame it (RFC 3261 §18.3).
    assert_eq!(m.body.len(), 105);
    assert!(m.body.ends_with(b"m=audio 49217 RTP/AVP 0\r\n"));
    assert_eq!(
        parse_stream(&load("inv2543")),
        Err(ParseError::MissingContentLength)
    );
}
