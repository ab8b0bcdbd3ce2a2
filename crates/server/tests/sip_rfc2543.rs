//! Phones that speak RFC 2543 (no `z9hG4bK` cookie in their Via branch) against the real
//! binary and sipp: the server matches their transactions the RFC 3261 §17.2.3 way. One
//! registers with digest (401, then 200) and answers; another calls its extension: the
//! 407 challenge, its ACK (which must end the 407's retransmissions), the authenticated
//! INVITE that differs only by CSeq, the answer, ACK and BYE.
//!
//! sipp comes from the Debian package `sip-tester`, which `scripts/test` installs.

mod common;

use common::sip::{credentials, free_udp_port, import, serve, sipp, succeeded};

/// How many 407 answers to an INVITE the caller's sipp received, from its message log.
fn challenges_received(messages: &str) -> usize {
    messages
        .split("message received")
        .skip(1)
        .filter(|block| {
            let text = block
                .split_once("\n\n")
                .map_or(*block, |(_, m)| m)
                .trim_start();
            text.starts_with("SIP/2.0 407")
                && text.lines().any(|l| {
                    let l = l.trim_end();
                    l.starts_with("CSeq:") && l.ends_with(" INVITE")
                })
        })
        .count()
}

#[tokio::test]
async fn rfc2543_phones_register_and_call_an_extension() {
    for db in testkit::databases().await {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let staff = "login;name;unit;extension;email;roles;features\n\
                     alt1;Alma Alt;Bauamt;3201;;user;softphone\n\
                     alt2;Bodo Alt;Bauamt;3202;;user;softphone\n";
        let phones = "login,label,password\n\
                      alt1,Tischtelefon,alt-eins-Passwort-1\n\
                      alt2,Tischtelefon,alt-zwei-Passwort-2\n";
        let devices = import(&db, dir, staff, phones);
        let (caller, callee) = (&devices[0], &devices[1]);
        let log = dir.join("server.log");
        let (_server, sip) = serve(&db, "127.0.0.1:0", &log);
        let server_log = || std::fs::read_to_string(&log).unwrap_or_default();

        // The callee registers the RFC 2543 way: 401, then 200 with its binding.
        let callee_port = free_udp_port();
        let csv = credentials(dir, "callee", &[callee]);
        let out = sipp(
            dir,
            "register",
            "rfc2543_register.xml",
            callee_port,
            &["-inf", &csv],
        )
        .args(["-m", "1", &sip])
        .output();
        succeeded(dir, "register", out);

        // It answers on the registered port; the caller dials its extension.
        let answer = sipp(dir, "uas", "uas_answer.xml", callee_port, &["-m", "1"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let csv = credentials(dir, "caller", &[caller]);
        let messages = dir.join("caller-messages.log");
        let out = sipp(
            dir,
            "uac",
            "rfc2543_call.xml",
            free_udp_port(),
            &["-inf", &csv],
        )
        .args(["-trace_msg", "-message_file"])
        .arg(&messages)
        .args(["-s", "3202", "-d", "300", "-m", "1", &sip])
        .output();
        succeeded(dir, "uac", out);
        succeeded(dir, "uas", answer.wait_with_output());

        // The ACK of the 407 matched its INVITE: Timer G sent the 407 no second time
        // (during the caller's 1.2 s pause it would have, at 0.5 s).
        let text = std::fs::read_to_string(&messages).unwrap();
        assert_eq!(
            challenges_received(&text),
            1,
            "{}: the caller's messages:\n{text}\nserver log:\n{}",
            db.label,
            server_log()
        );
    }
}
