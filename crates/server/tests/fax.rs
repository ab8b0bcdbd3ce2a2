//! Fax to mail and mail to fax with real peers (issue 17): the far fax machine is
//! SpanDSP's modem in the test (`testkit::fax_line`), a separate instance from the
//! server's, on Dora's desk extension (a fax machine behind an ATA), speaking G.711
//! over RTP through the switch. On SQLite and on PostgreSQL when the run has one:
//!
//! - Dora's fax machine sends a two-page fax to the Bauamt's fax number: the Bauamt's
//!   clerk sees it listed (sender number and station id, 2 pages), the PDF has two pages,
//!   and it arrives by e-mail at the unit's address with the PDF attached (aiosmtpd).
//! - The same over T.38: a fax gateway on Dora's extension calls with audio and switches
//!   the call to T.38 with a re-INVITE (`m=image … udptl t38`); the fax box answers with
//!   its image port and its modem goes on in T.38 (UDPTL with redundancy): two pages.
//! - Carl sends a two-page PDF from the web client to Dora's extension: her fax machine
//!   answers and receives both pages; the list shows it sent with 2 pages.
//! - A busy fax machine: the fax waits in the queue for another try, with the reason.
//! - Bad input (a file that is no PDF, a PDF cut short, a number the sender may not
//!   dial, a box that is not theirs): a clear refusal, and no row and no file.
//!
//! SpanDSP (libspandsp2), Ghostscript and libtiff-tools are installed by `scripts/test`.

use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use testkit::fax_line::{image_address, pdf_of_pages, FaxLine, T38Line};
use testkit::http::{Client, Reply};
use testkit::server::{Options, TestServer};
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;
use testkit::smtp::{Options as ReceiverOptions, SmtpReceiver};

/// The Bauamt's fax number (an extension of the number block).
const BAUAMT_FAX: &str = "2590";
/// Where the Bauamt's received faxes are mailed.
const BAUAMT_MAIL: &str = "bauamt@lra.example";
/// Dora's fax machine's station id.
const DORAS_IDENT: &str = "+49 9321 928 2502";
/// How long a two-page fax may take (about 40 s of T.30 at real time).
const FAX_TIME: Duration = Duration::from_secs(120);

fn config(toml: &str) -> durchwahl::config::Config {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, toml).unwrap();
    durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"))
}

/// Servers on every database of the run, mailing through `receiver`.
fn servers(receiver: &SmtpReceiver) -> Vec<TestServer> {
    servers_with(receiver, "")
}

/// The same with more configuration (`extra`, TOML).
fn servers_with(receiver: &SmtpReceiver, extra: &str) -> Vec<TestServer> {
    let config = config(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         from = \"Durchwahl <durchwahl@lra.example>\"\nfirst_retry_seconds = 1\n\
         [fax]\nretry_minutes = 1\n{extra}",
        receiver.port
    ));
    testkit::server::on_every_database(|| Options {
        config: config.clone(),
        ..Options::default()
    })
}

/// The Bauamt's fax box (Carl and Dora are in the Bauamt); its id.
fn bauamt_box(s: &TestServer) -> i64 {
    let mut admin = s.signed_in("a.admin");
    let r = admin.post(
        "/api/v1/admin/fax/boxes",
        json!({"number": BAUAMT_FAX, "unit": "Bauamt", "email": BAUAMT_MAIL}),
    );
    assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
    r.json()["id"].as_i64().expect("an id")
}

fn faxes(client: &mut Client) -> Value {
    let r = client.get("/api/v1/fax");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// The faxes of box `id` once `done` holds for the list (panics after `within`).
fn wait_for_faxes(
    client: &mut Client,
    id: i64,
    within: Duration,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + within;
    loop {
        let all = faxes(client);
        let list: Vec<Value> = all["boxes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["id"] == id)
            .flat_map(|b| b["faxes"].as_array().cloned().unwrap_or_default())
            .collect();
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "{all:#}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Files below the data folder's `fax` folder.
fn fax_files(data_dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&data_dir.join("fax"), &mut out);
    out
}

/// `POST /api/v1/fax` as a browser's form sends it.
fn send_form(client: &mut Client, fax_box: i64, number: &str, file: &[u8]) -> Reply {
    let boundary = "----durchwahl-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in [("box", fax_box.to_string()), ("number", number.to_string())] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Brief.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client.request_raw(
        "POST",
        "/api/v1/fax",
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    )
}

/// A two-page fax as TIFF, for the fax machine to send.
fn two_page_tiff(dir: &Path) -> std::path::PathBuf {
    let tiff = dir.join("brief.tif");
    let pages = fax::document::pdf_to_tiff(&pdf_of_pages(2), &tiff, 10).unwrap();
    assert_eq!(pages, 2);
    tiff
}

#[test]
fn a_two_page_fax_from_a_fax_machine_arrives_as_a_pdf_listed_and_mailed() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    let work = tempfile::tempdir().unwrap();
    let tiff = two_page_tiff(work.path());
    for (n, s) in servers(&receiver).into_iter().enumerate() {
        let l = s.label;
        let fax_box = bauamt_box(&s);
        let mut carl = s.signed_in("c.clerk");
        let mut carl_ws = testkit::ws::connect(&carl, None);

        // Dora's fax machine dials the Bauamt's fax number.
        let mut machine = UdpPhone::bind(s.sip_account("d.new", "Faxgerät"), s.sip).unwrap();
        assert!(machine.register_until_accepted(WAIT) > 0, "{l}");
        let line = FaxLine::bind().unwrap();
        let call = machine.call(BAUAMT_FAX, &Sdp::offer(line.local_addr()).to_string());
        let answer = machine.wait_for(WAIT, |e| match e {
            PhoneEvent::Answered { call: c, sdp } if *c == call => sdp.clone(),
            PhoneEvent::Failed { code, .. } => panic!("{l}: the fax box refused with {code}"),
            _ => None,
        });
        let remote = Sdp::parse(&answer).unwrap().media;
        let mut sender = fax::AudioFax::new(
            fax::Direction::Send { tiff: tiff.clone() },
            true,
            DORAS_IDENT,
        )
        .unwrap();
        let outcome = line.run(remote, &mut sender, FAX_TIME).unwrap_or_else(|| {
            panic!(
                "{l}: the fax did not finish (heard, dropped: {:?}): {:#}",
                line.heard(),
                faxes(&mut carl)
            )
        });
        assert!(outcome.success, "{l}: {outcome:?}");
        assert_eq!(outcome.pages, 2, "{l}");
        // The server hangs up once the fax is done.
        machine.wait_for(WAIT, |e| match e {
            PhoneEvent::Ended { call: c, .. } if *c == call => Some(()),
            _ => None,
        });

        // Carl (in the Bauamt) is told, and sees it: from Dora's extension and station id.
        carl_ws.wait_for(|f| f["type"] == "fax.changed" && f["box"] == fax_box);
        let list = wait_for_faxes(&mut carl, fax_box, Duration::from_secs(30), |l| {
            l.first().is_some_and(|f| f["status"] == "received")
        });
        let fax = &list[0];
        assert_eq!(fax["direction"], "in", "{l}: {fax}");
        assert_eq!(fax["pages"], 2, "{l}: {fax}");
        assert_eq!(fax["remote"], "2502", "{l}: {fax}");
        assert_eq!(fax["remote_ident"], DORAS_IDENT, "{l}: {fax}");
        let link = fax["pdf"].as_str().expect("a PDF link").to_string();
        let pdf = carl.get(&link);
        assert_eq!(pdf.status, 200, "{l}");
        assert_eq!(pdf.header("content-type"), Some("application/pdf"), "{l}");
        assert_eq!(fax::document::pdf_pages(&pdf.bytes), 2, "{l}");
        // Bärbel (Gesundheitsamt) does not see the Bauamt's faxes, nor can she open one.
        let mut barbel = s.signed_in("b.user");
        assert!(faxes(&mut barbel)["boxes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["id"] != fax_box));
        assert_eq!(barbel.get(&link).status, 404, "{l}");

        // By e-mail to the unit's address, with the PDF of two pages.
        let mails = receiver.wait_for(n + 1, Duration::from_secs(30));
        let mail = &mails[n];
        assert_eq!(mail.envelope_to(), BAUAMT_MAIL, "{l}");
        assert!(
            mail.subject().starts_with("Fax von 2502"),
            "{l}: {}",
            mail.subject()
        );
        let files = mail.attachments();
        assert_eq!(files.len(), 1, "{l}");
        assert_eq!(files[0].content_type, "application/pdf", "{l}");
        assert_eq!(fax::document::pdf_pages(&files[0].bytes), 2, "{l}");
        // Only the PDF is kept (the TIFF it came from is gone).
        let kept = fax_files(&s.data_dir);
        assert_eq!(kept.len(), 1, "{l}: {kept:?}");
        assert!(kept[0].ends_with(".pdf"), "{l}: {kept:?}");
    }
}

#[test]
fn a_two_page_fax_over_t38_arrives_as_a_pdf() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    let work = tempfile::tempdir().unwrap();
    let tiff = two_page_tiff(work.path());
    for s in servers(&receiver) {
        let l = s.label;
        let fax_box = bauamt_box(&s);
        let mut carl = s.signed_in("c.clerk");
        let mut gateway = UdpPhone::bind(s.sip_account("d.new", "Fax-Gateway"), s.sip).unwrap();
        assert!(gateway.register_until_accepted(WAIT) > 0, "{l}");
        // The call begins with audio, as every fax call does ...
        let audio = FaxLine::bind().unwrap();
        let call = gateway.call(BAUAMT_FAX, &Sdp::offer(audio.local_addr()).to_string());
        gateway.wait_for(WAIT, |e| match e {
            PhoneEvent::Answered { call: c, .. } if *c == call => Some(()),
            PhoneEvent::Failed { code, .. } => panic!("{l}: the fax box refused with {code}"),
            _ => None,
        });
        // ... and the gateway switches it to T.38.
        let line = T38Line::bind().unwrap();
        gateway.reinvite(call, &line.offer(2)).unwrap();
        let answer = gateway.wait_for(WAIT, |e| match e {
            PhoneEvent::Accepted { call: c, sdp } if *c == call => sdp.clone(),
            PhoneEvent::Refused { code, .. } => panic!("{l}: T.38 refused with {code}"),
            _ => None,
        });
        assert!(answer.contains("m=image "), "{l}: {answer}");
        assert!(answer.contains("udptl t38"), "{l}: {answer}");
        let remote = image_address(&answer).expect("the image port");
        // A refresh of the same offer (session timers do that) keeps the fax going.
        gateway.reinvite(call, &line.offer(3)).unwrap();
        let again = gateway.wait_for(WAIT, |e| match e {
            PhoneEvent::Accepted { call: c, sdp } if *c == call => sdp.clone(),
            PhoneEvent::Refused { code, .. } => panic!("{l}: the refresh refused with {code}"),
            _ => None,
        });
        assert_eq!(image_address(&again), Some(remote), "{l}: {again}");
        let mut sender = fax::T38Fax::new(
            fax::Direction::Send { tiff: tiff.clone() },
            true,
            DORAS_IDENT,
        )
        .unwrap();
        let outcome = line
            .run(remote, &mut sender, FAX_TIME)
            .unwrap_or_else(|| panic!("{l}: the T.38 fax did not finish: {:#}", faxes(&mut carl)));
        assert!(outcome.success, "{l}: {outcome:?}");
        assert_eq!(outcome.pages, 2, "{l}");
        let list = wait_for_faxes(&mut carl, fax_box, Duration::from_secs(30), |l| {
            l.first().is_some_and(|f| f["status"] == "received")
        });
        assert_eq!(list[0]["pages"], 2, "{l}: {}", list[0]);
        assert_eq!(list[0]["remote_ident"], DORAS_IDENT, "{l}");
        let pdf = carl.get(list[0]["pdf"].as_str().unwrap());
        assert_eq!(fax::document::pdf_pages(&pdf.bytes), 2, "{l}");
        let kept = fax_files(&s.data_dir);
        assert_eq!(kept.len(), 1, "{l}: only the PDF: {kept:?}");
    }
}

#[test]
fn a_pdf_sent_from_the_web_client_is_received_by_the_fax_machine() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    let work = tempfile::tempdir().unwrap();
    for s in servers(&receiver) {
        let l = s.label;
        let fax_box = bauamt_box(&s);
        let mut machine = UdpPhone::bind(s.sip_account("d.new", "Faxgerät"), s.sip).unwrap();
        assert!(machine.register_until_accepted(WAIT) > 0, "{l}");
        let mut carl = s.signed_in("c.clerk");
        let sent = send_form(&mut carl, fax_box, "2502", &pdf_of_pages(2));
        assert_eq!(sent.status, 201, "{l}: {}", sent.body);
        let id = sent.json()["id"].as_i64().unwrap();

        // Dora's fax machine rings, from the Bauamt's fax number, and takes the fax.
        let (call, offer) = machine.wait_for(Duration::from_secs(30), |e| match e {
            PhoneEvent::Incoming {
                call, from, sdp, ..
            } => {
                assert!(from.contains(BAUAMT_FAX), "{l}: {from}");
                Some((*call, sdp.clone().expect("an offer")))
            }
            _ => None,
        });
        let line = FaxLine::bind().unwrap();
        let remote = Sdp::parse(&offer).unwrap().media;
        machine
            .answer(call, &Sdp::offer(line.local_addr()).to_string())
            .unwrap();
        let received = work.path().join(format!("{l}.tif"));
        let mut taker = fax::AudioFax::new(
            fax::Direction::Receive {
                tiff: received.clone(),
            },
            false,
            "+49 9321 928 2502",
        )
        .unwrap();
        let outcome = line.run(remote, &mut taker, FAX_TIME).expect("finished");
        assert!(outcome.success, "{l}: {outcome:?}");
        assert_eq!(outcome.pages, 2, "{l}");
        let tiff = std::fs::read(&received).unwrap();
        assert_eq!(fax::document::tiff_pages(&tiff), Some(2), "{l}");

        let list = wait_for_faxes(&mut carl, fax_box, Duration::from_secs(30), |l| {
            l.iter().any(|f| f["id"] == id && f["status"] == "sent")
        });
        let fax = list.iter().find(|f| f["id"] == id).unwrap();
        assert_eq!(
            (&fax["direction"], &fax["pages"], &fax["remote"]),
            (&json!("out"), &json!(2), &json!("2502")),
            "{l}: {fax}"
        );
        assert_eq!(fax["sender"], "Carl Clerk", "{l}: {fax}");
        // The PDF sent is kept; the TIFF made from it is gone.
        let kept = fax_files(&s.data_dir);
        assert_eq!(kept.len(), 1, "{l}: {kept:?}");
        assert!(kept[0].ends_with(".pdf"), "{l}: {kept:?}");
    }
}

#[test]
fn a_busy_fax_machine_leaves_the_fax_queued_for_another_try() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    for s in servers(&receiver) {
        let l = s.label;
        let fax_box = bauamt_box(&s);
        let mut machine = UdpPhone::bind(s.sip_account("d.new", "Faxgerät"), s.sip).unwrap();
        assert!(machine.register_until_accepted(WAIT) > 0, "{l}");
        let mut carl = s.signed_in("c.clerk");
        let sent = send_form(&mut carl, fax_box, "2502", &pdf_of_pages(1));
        assert_eq!(sent.status, 201, "{l}: {}", sent.body);
        let id = sent.json()["id"].as_i64().unwrap();
        let call = machine.wait_for(Duration::from_secs(30), |e| match e {
            PhoneEvent::Incoming { call, .. } => Some(*call),
            _ => None,
        });
        machine.reject(call, 486).unwrap();
        let list = wait_for_faxes(&mut carl, fax_box, Duration::from_secs(30), |l| {
            l.iter()
                .any(|f| f["id"] == id && f["status"] == "queued" && f["attempts"] == 1)
        });
        let fax = list.iter().find(|f| f["id"] == id).unwrap();
        assert_eq!(fax["reason"], "Besetzt", "{l}: {fax}");
        assert!(fax["next_attempt_at"].is_string(), "{l}: {fax}");
        // The TIFF waits for the next try, with the PDF.
        assert_eq!(fax_files(&s.data_dir).len(), 2, "{l}");
        // Carl gives up on it: the fax and both files go.
        let r = carl.request("DELETE", &format!("/api/v1/fax/{id}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert!(
            fax_files(&s.data_dir).is_empty(),
            "{l}: {:?}",
            fax_files(&s.data_dir)
        );
    }
}

#[test]
fn bad_input_is_refused_clearly_and_leaves_nothing() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    let good = pdf_of_pages(1);
    // A trunk (its carrier never asked: nothing gets that far), on which Carl may only
    // call inside the house; the others may call anywhere.
    let trunk = "[calls]\narea_code = \"9321\"\ndefault_permission = \"international\"\n\
                 permissions = { \"c.clerk\" = \"internal\" }\n\
                 [[trunks]]\nname = \"Testträger\"\nproxy = \"127.0.0.1:9\"\n\
                 listen = \"127.0.0.1:0\"\nmode = \"ip\"\nnumber_block = \"+499321928\"\n";
    for s in servers_with(&receiver, trunk) {
        let l = s.label;
        let fax_box = bauamt_box(&s);
        let mut carl = s.signed_in("c.clerk");
        let cut = &good[..good.len() / 2];
        let cases: [(&str, &[u8], &str, u16); 6] = [
            ("no PDF", b"Sehr geehrte Damen und Herren,", "2502", 400),
            ("a PDF cut short", cut, "2502", 400),
            ("an empty file", b"", "2502", 400),
            ("a number with letters", &good, "25O2", 400),
            // Carl may not call outside; nobody faxes the emergency numbers.
            (
                "an outside number Carl may not dial",
                &good,
                "+4930123456",
                403,
            ),
            ("the emergency number", &good, "112", 403),
        ];
        for (what, file, number, status) in cases {
            let r = send_form(&mut carl, fax_box, number, file);
            assert_eq!(r.status, status, "{l}: {what}: {}", r.body);
            let message = r.json()["message"].as_str().unwrap_or_default().to_string();
            assert!(!message.is_empty(), "{l}: {what}: {}", r.body);
        }
        let mut dora = s.signed_in("d.new");
        let r = send_form(&mut dora, fax_box, "110", &good);
        assert_eq!(
            r.status, 403,
            "{l}: Dora may dial out, not fax 110: {}",
            r.body
        );
        // A box that is not hers: Bärbel is in the Gesundheitsamt.
        let mut barbel = s.signed_in("b.user");
        let r = send_form(&mut barbel, fax_box, "2502", &good);
        assert!(matches!(r.status, 403 | 404), "{l}: {}", r.body);
        let list = wait_for_faxes(&mut carl, fax_box, Duration::ZERO, |_| true);
        assert!(list.is_empty(), "{l}: {list:?}");
        assert!(fax_files(&s.data_dir).is_empty(), "{l}");
    }
}

#[test]
fn an_outside_number_needs_a_trunk() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    for s in servers(&receiver) {
        let fax_box = bauamt_box(&s);
        let mut carl = s.signed_in("c.clerk");
        let r = send_form(&mut carl, fax_box, "+4930123456", &pdf_of_pages(1));
        assert_eq!(r.status, 503, "{}: {}", s.label, r.body);
        assert!(fax_files(&s.data_dir).is_empty(), "{}", s.label);
    }
}
