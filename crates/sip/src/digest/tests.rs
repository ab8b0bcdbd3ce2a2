//! Tests of digest authentication: RFC test vectors, nonces, replay, malformed headers.

use super::*;
use proptest::prelude::*;
use Algorithm::{Md5, Sha256};

const NOW: u64 = 1_700_000_000;
const REGISTER: Method = Method::Register;

fn authenticator() -> Authenticator {
    Authenticator::new("pbx.example", NonceKey::new(b"test secret".to_vec()), 300)
}

/// What provisioning stored for `user`, whose password is "pw".
fn stored(algorithm: Algorithm, user: &str) -> String {
    ha1(algorithm, user, "pbx.example", "pw")
}

/// 2301's answer with `password` to the challenge for `algorithm` issued at `issued`.
fn answer(issued: u64, algorithm: Algorithm, password: &str, nc: u32) -> Credentials {
    let challenges = authenticator().challenges(issued, issued ^ 7, false);
    let challenge = challenges
        .iter()
        .find(|c| c.algorithm == algorithm)
        .unwrap();
    let ha1 = ha1(algorithm, "2301", "pbx.example", password);
    Credentials::answer(
        challenge,
        "2301",
        "sip:pbx.example",
        "c1",
        nc,
        &REGISTER,
        &ha1,
    )
}

/// Verifies 2301's answer (SHA-256) with fresh counts.
fn verify(now: u64, credentials: &Credentials) -> Verdict {
    let (mut counts, ha1) = (NonceCounts::new(4), stored(Sha256, "2301"));
    authenticator().verify(now, &mut counts, &REGISTER, credentials, &ha1)
}

/// Parses a value written over several lines here, unfolded as the message parser does.
fn parse(value: &str) -> Result<Credentials, DigestError> {
    Credentials::parse(&Bytes::from(value.replace('\n', "")))
}

fn is_ok(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Ok(_))
}

#[test]
fn hmac_matches_rfc_4231() {
    // Test case 2, and test case 6 whose key is longer than a block (hashed first).
    let mac = hmac_sha256(b"Jefe", &[b"what do ya ", b"want for nothing?"]);
    let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assert_eq!(hex(&mac), expected);
    let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
    let expected = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    assert_eq!(hex(&hmac_sha256(&[0xaa; 131], &[data])), expected);
}

#[test]
fn rfc_2617_and_rfc_7616_examples() {
    let rfc_2617 = r#"Digest username="Mufasa", realm="testrealm@host.com",
        nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth,
        nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1",
        opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
    let rfc_7616 = r#"Digest username="Mufasa", realm="http-auth@example.org",
        uri="/dir/index.html", algorithm=SHA-256,
        nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001,
        cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth,
        response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
    let get = Method::Other(Bytes::from_static(b"GET"));
    let examples = [
        (rfc_2617, Md5, "Circle Of Life"),
        (rfc_7616, Sha256, "Circle of Life"),
    ];
    for (header, algorithm, password) in examples {
        let credentials = parse(header).unwrap();
        assert_eq!((credentials.algorithm, credentials.nc), (algorithm, 1));
        let ha1 = ha1(algorithm, "Mufasa", &credentials.realm, password);
        assert_eq!(
            credentials.expected_response(&get, &ha1),
            credentials.response
        );
        // Someone else's nonce is not ours, however right the answer.
        let ours = Authenticator::new(&credentials.realm, NonceKey::new(vec![1]), 300);
        let verdict = ours.verify(NOW, &mut NonceCounts::new(1), &get, &credentials, &ha1);
        assert_eq!(verdict, Verdict::Invalid(DigestError::ForgedNonce));
    }
}

#[test]
fn right_answers_pass_once_per_count() {
    for algorithm in [Sha256, Md5] {
        let (auth, mut counts) = (authenticator(), NonceCounts::new(10));
        let stored = stored(algorithm, "2301");
        let mut verify = |c: &_| auth.verify(NOW + 1, &mut counts, &REGISTER, c, &stored);
        let first = answer(NOW, algorithm, "pw", 1);
        let Verdict::Ok(who) = verify(&first) else {
            panic!("{algorithm:?} answer refused");
        };
        assert_eq!((who.username(), who.algorithm()), ("2301", algorithm));
        assert_eq!(verify(&first), Verdict::Replay);
        assert!(is_ok(verify(&answer(NOW, algorithm, "pw", 3))));
        assert_eq!(verify(&answer(NOW, algorithm, "pw", 2)), Verdict::Replay);
    }
}

#[test]
fn expired_nonces_are_stale_only_for_right_answers() {
    let right = answer(NOW, Sha256, "pw", 1);
    assert!(is_ok(verify(NOW + 299, &right)));
    assert_eq!(verify(NOW + 300, &right), Verdict::Stale);
    assert_eq!(
        verify(NOW + 300, &answer(NOW, Sha256, "guess", 1)),
        Verdict::WrongAnswer
    );
    // The clock went back behind the nonce: ask for a new one rather than guess.
    assert_eq!(verify(NOW - 1, &right), Verdict::Stale);
}

#[test]
fn forged_nonces_are_invalid() {
    let with_nonce = |nonce: String| {
        let mut credentials = answer(NOW, Sha256, "pw", 1);
        credentials.nonce = nonce;
        let stored = stored(Sha256, "2301");
        credentials.response = credentials.expected_response(&REGISTER, &stored);
        verify(NOW + 1, &credentials)
    };
    let nonce = authenticator().nonce(NOW, 7);
    assert!(nonce.starts_with(&format!("{NOW:016x}{:016x}", 7)) && nonce.len() == 64);
    assert!(is_ok(with_nonce(nonce.clone())));
    let last = if nonce.ends_with('0') { '1' } else { '0' };
    let key = |k: &[u8]| NonceKey::new(k.to_vec());
    let other_realm = Authenticator::new("other.example", key(b"test secret"), 300);
    let other_key = Authenticator::new("pbx.example", key(b"other"), 300);
    let forgeries = [
        format!("{}{last}", &nonce[..63]),
        format!("{:016x}{}", NOW + 200, &nonce[16..]),
        nonce.to_uppercase(),
        nonce[..62].to_owned(),
        other_realm.nonce(NOW, 7),
        other_key.nonce(NOW, 7),
    ];
    for forged in forgeries {
        let verdict = with_nonce(forged.clone());
        assert_eq!(
            verdict,
            Verdict::Invalid(DigestError::ForgedNonce),
            "{forged}"
        );
    }
}

#[test]
fn wrong_answers_and_realms() {
    assert_eq!(
        verify(NOW + 1, &answer(NOW, Sha256, "guess", 1)),
        Verdict::WrongAnswer
    );
    // An MD5 answer checked against the SHA-256 HA1 cannot pass.
    assert_eq!(
        verify(NOW + 1, &answer(NOW, Md5, "pw", 1)),
        Verdict::WrongAnswer
    );
    let mut other_method = answer(NOW, Sha256, "pw", 1);
    let right_ha1 = stored(Sha256, "2301");
    other_method.response = other_method.expected_response(&Method::Invite, &right_ha1);
    assert_eq!(verify(NOW + 1, &other_method), Verdict::WrongAnswer);
    // 2301's answer relabelled as 2302's fails against 2302's HA1.
    let mut relabelled = answer(NOW, Sha256, "pw", 1);
    relabelled.username = "2302".into();
    let (other_ha1, mut counts) = (stored(Sha256, "2302"), NonceCounts::new(1));
    let verdict = authenticator().verify(NOW, &mut counts, &REGISTER, &relabelled, &other_ha1);
    assert_eq!(verdict, Verdict::WrongAnswer);
    let mut upper = answer(NOW, Sha256, "pw", 1);
    upper.response.make_ascii_uppercase();
    assert!(is_ok(verify(NOW + 1, &upper)));
    let mut elsewhere = answer(NOW, Sha256, "pw", 1);
    elsewhere.realm = "other.example".into();
    let (expected, got) = ("pbx.example".into(), "other.example".into());
    let invalid = Verdict::Invalid(DigestError::WrongRealm { expected, got });
    assert_eq!(verify(NOW + 1, &elsewhere), invalid);
}

#[test]
fn lenient_where_the_grammar_allows() {
    let header = r#" digest  NC = 0000000a ,REALM="r",username="a \"b\" \\c, d",
        foo=bar, nonce="n",, uri="sip:x",response="r",qop="auth",cnonce=c,algorithm=sha-256,"#;
    let credentials = parse(header).unwrap();
    assert_eq!(credentials.username, r#"a "b" \c, d"#);
    assert_eq!((credentials.nc, credentials.algorithm), (10, Sha256));
    assert_eq!(
        (credentials.cnonce.as_str(), credentials.opaque),
        ("c", None)
    );
}

#[test]
fn malformed_headers_get_precise_errors() {
    use DigestError::*;
    let full = r#"Digest username="a", realm="r", nonce="n", uri="u", response="x",
        cnonce="c", qop=auth, nc=00000001"#;
    assert!(parse(full).is_ok());
    let edit = |from: &str, to: &str| full.replace(from, to);
    let syntax = |position, expected| Syntax { position, expected };
    let value = "a token or a quoted string after =";
    let cases = [
        ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into(), NotDigest),
        (String::new(), NotDigest),
        (edit("realm=", "realm"), syntax(2, "name=value")),
        (edit("realm=", "=realm="), syntax(2, "a token before =")),
        (edit("realm=", "re alm="), syntax(2, "a token before =")),
        (edit("\"r\"", "\"r"), syntax(2, value)),
        (edit("\"r\"", "\"r\"r"), syntax(2, value)),
        (edit("\"r\"", "\"r\" \"r\""), syntax(2, value)),
        (edit("\"r\"", "\"\x01\""), syntax(2, value)),
        (edit("\"r\"", "r r"), syntax(2, value)),
        (edit(", uri=\"u\"", ""), Missing { name: "uri" }),
        (edit("qop=auth, ", ""), Missing { name: "qop" }),
        (edit("nc=", "NC=00000001, nc="), Duplicate { name: "nc" }),
        (
            edit("qop=auth", "qop=auth-int"),
            bad_value("qop", "auth-int"),
        ),
        (edit("00000001", "00000000"), bad_value("nc", "00000000")),
        (edit("00000001", "0000000A"), bad_value("nc", "0000000A")),
        (edit("00000001", "1"), bad_value("nc", "1")),
        (
            edit("qop", "algorithm=MD5-sess, qop"),
            bad_value("algorithm", "MD5-sess"),
        ),
        (
            edit("qop", "userhash=true, qop"),
            bad_value("userhash", "true"),
        ),
    ];
    for (header, error) in cases {
        assert_eq!(parse(&header), Err(error), "{header}");
    }
    let not_utf8 = Credentials::parse(&Bytes::from_static(b"Digest username=\"\xff\""));
    assert_eq!(not_utf8, Err(syntax(1, "UTF-8 text")));
}

#[test]
fn challenge_lines() {
    let auth = authenticator();
    let nonce = auth.nonce(NOW, 7);
    let line = |a| format!(r#"Digest realm="pbx.example", nonce="{nonce}", {a}, qop="auth""#);
    let lines = auth.challenges(NOW, 7, false).map(|c| c.to_string());
    assert_eq!(lines, [line("algorithm=SHA-256"), line("algorithm=MD5")]);
    let stale = auth.challenges(NOW, 7, true).map(|c| c.to_string());
    assert_eq!(stale[0], line("algorithm=SHA-256") + ", stale=true");
}

#[test]
fn nonce_counts_stay_bounded_without_letting_replays_through() {
    let (auth, mut counts, stored) = (authenticator(), NonceCounts::new(2), stored(Sha256, "2301"));
    let mut verify = |now, c: &_| auth.verify(now, &mut counts, &REGISTER, c, &stored);
    let answers = [0, 1, 2].map(|i| answer(NOW + i, Sha256, "pw", 1));
    assert!(answers.iter().all(|right| is_ok(verify(NOW + 10, right))));
    // The oldest was evicted: its nonce is stale from now on, never fresh again.
    assert_eq!(verify(NOW + 11, &answers[0]), Verdict::Stale);
    assert_eq!(verify(NOW + 11, &answers[1]), Verdict::Replay);
    assert_eq!(verify(NOW + 11, &answers[2]), Verdict::Replay);
    // Entries leave once their nonce expired.
    assert!(is_ok(verify(
        NOW + 401,
        &answer(NOW + 400, Sha256, "pw", 1)
    )));
    assert_eq!(counts.len(), 1);
}

#[test]
fn the_secret_stays_out_of_logs() {
    let debug = format!("{:?}", authenticator());
    assert!(debug.contains("<redacted>") && !debug.contains("test secret"));
}

fn text() -> impl Strategy<Value = String> {
    "[^\\x00-\\x1f\\x7f]{0,12}"
}

prop_compose! {
    fn credentials()(
        (username, realm, nonce, uri) in (text(), text(), text(), text()),
        (response, cnonce, opaque) in (text(), text(), proptest::option::of(text())),
        sha256: bool,
        nc in 1..=u32::MAX,
    ) -> Credentials {
        let algorithm = if sha256 { Sha256 } else { Md5 };
        Credentials { username, realm, nonce, uri, response, algorithm, cnonce, nc, opaque }
    }
}

proptest! {
    #[test]
    fn credentials_round_trip(credentials in credentials()) {
        prop_assert_eq!(parse(&credentials.to_string()), Ok(credentials));
    }

    #[test]
    fn challenges_round_trip(realm in text(), nonce in text(), sha256: bool, stale: bool) {
        let algorithm = if sha256 { Sha256 } else { Md5 };
        let challenge = Challenge { realm, nonce, algorithm, stale };
        let written = Bytes::from(challenge.to_string());
        prop_assert_eq!(Challenge::parse(&written), Ok(challenge));
    }

    #[test]
    fn any_bytes_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let data = Bytes::from(data);
        let _ = (Credentials::parse(&data), Challenge::parse(&data));
    }
}

#[test]
fn quoted_strings_escape_quotes_and_backslashes_and_parse_back() {
    let challenge = Challenge {
        realm: r#"Amt "Süd" \ Nord"#.into(),
        nonce: "n".into(),
        algorithm: Md5,
        stale: false,
    };
    let text = challenge.to_string();
    assert!(
        text.starts_with(r#"Digest realm="Amt \"Süd\" \\ Nord", nonce="n""#),
        "{text}"
    );
    assert_eq!(Challenge::parse(&Bytes::from(text)).unwrap(), challenge);
}

#[test]
fn challenge_values_are_the_challenges_written_out() {
    let auth = authenticator();
    for stale in [false, true] {
        let values = auth.challenge_values(NOW, 99, stale);
        let expected = auth.challenges(NOW, 99, stale).map(|c| c.to_string());
        assert_eq!(
            values.map(|v| String::from_utf8(v.to_vec()).unwrap()),
            expected
        );
    }
}

#[test]
fn with_counter_salts_eviction_spares_nonces_issued_after_the_evicted_one() {
    let (auth, mut counts, stored) = (authenticator(), NonceCounts::new(2), stored(Md5, "2301"));
    // Four challenges in the same second, salts counting up; answered in order.
    let answer = |salt: u64| {
        let challenge = auth.challenges(NOW, salt, false)[1].clone();
        let ha1 = ha1(Md5, "2301", "pbx.example", "pw");
        Credentials::answer(
            &challenge,
            "2301",
            "sip:pbx.example",
            "c",
            1,
            &REGISTER,
            &ha1,
        )
    };
    let answers = [1, 2, 3, 4].map(answer);
    for a in &answers[..3] {
        assert!(is_ok(auth.verify(NOW, &mut counts, &REGISTER, a, &stored)));
    }
    // Salt 1 was evicted; salt 4, issued in the same second but later, still works.
    assert!(is_ok(auth.verify(
        NOW,
        &mut counts,
        &REGISTER,
        &answers[3],
        &stored
    )));
    assert_eq!(
        auth.verify(NOW, &mut counts, &REGISTER, &answers[0], &stored),
        Verdict::Stale
    );
}

#[test]
fn the_latest_request_may_come_again_but_no_other_repeat_passes() {
    let (auth, mut counts, stored) = (
        authenticator(),
        NonceCounts::new(10),
        stored(Sha256, "2301"),
    );
    let mut check = |c: &Credentials, request| {
        auth.verify_request(NOW + 1, &mut counts, &REGISTER, c, &stored, Some(request))
    };
    let first = answer(NOW, Sha256, "pw", 1);
    assert!(is_ok(check(&first, 11)));
    // Its retransmission (same count, same request) passes again: its answer was lost.
    assert!(is_ok(check(&first, 11)));
    // The same count on another request is a replay.
    assert_eq!(check(&first, 12), Verdict::Replay);
    let second = answer(NOW, Sha256, "pw", 2);
    assert!(is_ok(check(&second, 13)));
    // Once a later count was used, the earlier request cannot come back.
    assert_eq!(check(&first, 11), Verdict::Replay);
    // Without a request id (plain verify) every repeat is a replay.
    assert_eq!(
        auth.verify(NOW + 1, &mut counts, &REGISTER, &second, &stored),
        Verdict::Replay
    );
}
