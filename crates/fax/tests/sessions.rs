//! Fax sessions back to back in memory, through the real SpanDSP (libspandsp2, installed
//! by scripts/test in CI): over audio, over T.38 with UDPTL and lost datagrams, and the
//! ways a session fails. No real time passes: the sessions' clocks are the samples.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use fax::document::{pdf_pages, pdf_to_tiff, tiff_to_pdf};
use fax::udptl::Udptl;
use fax::{AudioFax, Direction, FaxError, Outcome, T38Fax};

/// 20 ms at 8 kHz.
const STEP: usize = 160;
/// Ten simulated minutes: far more than two pages need.
const MAX_STEPS: usize = 10 * 60 * 50;

fn spandsp() {
    fax::available().expect("libspandsp2 must be installed for these tests");
}

fn two_page_tiff(dir: &Path) -> PathBuf {
    let tiff = dir.join("send.tiff");
    let pdf = common::text_pdf(&["Seite eins", "Seite zwei"]);
    assert_eq!(pdf_to_tiff(&pdf, &tiff, 10).unwrap(), 2);
    tiff
}

fn assert_received(outcome: Option<&Outcome>, remote: &str, received: &Path) {
    let outcome = outcome.expect("the receiver reached phase E");
    assert!(outcome.success, "receiver: {outcome:?}");
    assert_eq!(outcome.pages, 2);
    assert_eq!(outcome.code, 0);
    assert_eq!(outcome.remote_ident, remote);
    let pdf = tiff_to_pdf(received).unwrap();
    assert_eq!(pdf_pages(&pdf), 2);
}

#[test]
fn two_pages_over_audio() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received.tiff");
    let mut sender = AudioFax::new(
        Direction::Send {
            tiff: two_page_tiff(dir.path()),
        },
        true,
        "+49 30 1111",
    )
    .unwrap();
    let mut receiver = AudioFax::new(
        Direction::Receive {
            tiff: received.clone(),
        },
        false,
        "+49 30 2222",
    )
    .unwrap();
    let (mut to_receiver, mut to_sender) = ([0i16; STEP], [0i16; STEP]);
    let started = Instant::now();
    let mut steps = 0;
    while steps < MAX_STEPS && (sender.outcome().is_none() || receiver.outcome().is_none()) {
        sender.speak(&mut to_receiver);
        receiver.speak(&mut to_sender);
        receiver.hear(&to_receiver);
        sender.hear(&to_sender);
        steps += 1;
    }
    eprintln!(
        "audio: {:.1} s of fax in {:.2} s",
        (steps * STEP) as f64 / 8000.0,
        started.elapsed().as_secs_f64()
    );
    let sent = sender.outcome().expect("the sender reached phase E");
    assert!(sent.success, "sender: {sent:?}");
    assert_eq!((sent.pages, sender.pages()), (2, 2));
    assert_eq!(sent.remote_ident, "+49 30 2222");
    assert_eq!(receiver.pages(), 2);
    assert_received(receiver.outcome(), "+49 30 1111", &received);
}

/// Loses every tenth datagram, counted over both ways.
#[derive(Default)]
struct LossyNetwork {
    datagrams: usize,
    lost: usize,
}

impl LossyNetwork {
    fn carry(
        &mut self,
        from: &mut T38Fax,
        from_udptl: &mut Udptl,
        to: &mut T38Fax,
        to_udptl: &mut Udptl,
    ) {
        while let Some(ifp) = from.poll_ifp() {
            let datagram = from_udptl.encode(&ifp);
            self.datagrams += 1;
            if self.datagrams.is_multiple_of(10) {
                self.lost += 1;
                continue;
            }
            for (seq, ifp) in to_udptl.decode(&datagram).unwrap() {
                to.handle_ifp(seq, &ifp);
            }
        }
    }
}

#[test]
fn two_pages_over_t38_with_every_tenth_datagram_lost() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received.tiff");
    let mut sender = T38Fax::new(
        Direction::Send {
            tiff: two_page_tiff(dir.path()),
        },
        true,
        "+49 30 1111",
    )
    .unwrap();
    let mut receiver = T38Fax::new(
        Direction::Receive {
            tiff: received.clone(),
        },
        false,
        "+49 30 2222",
    )
    .unwrap();
    let (mut sender_udptl, mut receiver_udptl) = (Udptl::new(3), Udptl::new(3));
    let mut network = LossyNetwork::default();
    let started = Instant::now();
    let mut steps = 0;
    while steps < MAX_STEPS && (sender.outcome().is_none() || receiver.outcome().is_none()) {
        sender.advance(STEP);
        receiver.advance(STEP);
        // Each way through its own UDPTL pair.
        network.carry(
            &mut sender,
            &mut sender_udptl,
            &mut receiver,
            &mut receiver_udptl,
        );
        network.carry(
            &mut receiver,
            &mut receiver_udptl,
            &mut sender,
            &mut sender_udptl,
        );
        steps += 1;
    }
    eprintln!(
        "T.38: {:.1} s of fax in {:.2} s, {} datagrams, {} lost",
        (steps * STEP) as f64 / 8000.0,
        started.elapsed().as_secs_f64(),
        network.datagrams,
        network.lost
    );
    assert!(network.lost > 0);
    let sent = sender.outcome().expect("the sender reached phase E");
    assert!(sent.success, "sender: {sent:?}");
    assert_eq!(sent.pages, 2);
    assert_received(receiver.outcome(), "+49 30 1111", &received);
}

#[test]
fn a_receiver_that_hears_only_silence_gives_up() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received.tiff");
    let mut receiver = AudioFax::new(Direction::Receive { tiff: received }, false, "").unwrap();
    let silence = [0i16; STEP];
    let mut out = [0i16; STEP];
    let mut steps = 0;
    // T.30's T1 is 35 s; five minutes are plenty.
    while steps < 5 * 60 * 50 && receiver.outcome().is_none() {
        receiver.hear(&silence);
        receiver.speak(&mut out);
        steps += 1;
    }
    let outcome = receiver.outcome().expect("phase E after the T.30 timeouts");
    eprintln!(
        "silence: {outcome:?} after {:.1} s",
        (steps * STEP) as f64 / 8000.0
    );
    assert!(!outcome.success);
    assert_ne!(outcome.code, 0);
    assert!(!outcome.reason.is_empty());
    assert_eq!(outcome.pages, 0);
}

#[test]
fn a_t38_sender_whose_peer_never_answers_gives_up() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let mut sender = T38Fax::new(
        Direction::Send {
            tiff: two_page_tiff(dir.path()),
        },
        true,
        "1",
    )
    .unwrap();
    let mut steps = 0;
    while steps < 5 * 60 * 50 && sender.outcome().is_none() {
        sender.advance(STEP);
        while sender.poll_ifp().is_some() {}
        steps += 1;
    }
    let outcome = sender.outcome().expect("phase E after the T.30 timeouts");
    assert!(!outcome.success);
    assert!(!outcome.reason.is_empty());
}

#[test]
fn a_sender_without_its_tiff_fails_cleanly() {
    spandsp();
    let missing = PathBuf::from("/nonexistent/durchwahl/send.tiff");
    assert!(matches!(
        AudioFax::new(
            Direction::Send {
                tiff: missing.clone()
            },
            true,
            "1"
        ),
        Err(FaxError::Io(_))
    ));
    assert!(matches!(
        T38Fax::new(Direction::Send { tiff: missing }, true, "1"),
        Err(FaxError::Io(_))
    ));
}

#[test]
fn a_file_that_is_no_tiff_ends_in_an_outcome() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.tiff");
    std::fs::write(&bogus, b"not a tiff").unwrap();
    let received = dir.path().join("received.tiff");
    let mut sender = AudioFax::new(Direction::Send { tiff: bogus }, true, "1").unwrap();
    let mut receiver = AudioFax::new(Direction::Receive { tiff: received }, false, "2").unwrap();
    let (mut a, mut b) = ([0i16; STEP], [0i16; STEP]);
    let mut steps = 0;
    while steps < 5 * 60 * 50 && sender.outcome().is_none() {
        sender.speak(&mut a);
        receiver.speak(&mut b);
        receiver.hear(&a);
        sender.hear(&b);
        steps += 1;
    }
    let outcome = sender.outcome().expect("the sender reached phase E");
    eprintln!("bogus TIFF: {outcome:?}");
    assert!(!outcome.success);
    assert_eq!(outcome.pages, 0);
}

#[test]
fn hanging_up_ends_a_session_with_an_outcome() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let mut receiver = AudioFax::new(
        Direction::Receive {
            tiff: dir.path().join("r.tiff"),
        },
        false,
        "2",
    )
    .unwrap();
    receiver.hear(&[0; 800]);
    assert!(receiver.outcome().is_none());
    receiver.hang_up();
    let outcome = receiver.outcome().expect("phase E on hang-up").clone();
    assert!(!outcome.success);
    // A second hang-up changes nothing.
    receiver.hang_up();
    assert_eq!(receiver.outcome(), Some(&outcome));
}

#[test]
fn sessions_can_move_between_threads() {
    spandsp();
    let dir = tempfile::tempdir().unwrap();
    let mut receiver = AudioFax::new(
        Direction::Receive {
            tiff: dir.path().join("r.tiff"),
        },
        false,
        "2",
    )
    .unwrap();
    let mut receiver = std::thread::spawn(move || {
        receiver.hear(&[0; 160]);
        receiver
    })
    .join()
    .unwrap();
    let mut out = [1i16; 160];
    receiver.speak(&mut out);
}

#[test]
fn bad_station_idents_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("r.tiff");
    assert!(matches!(
        AudioFax::new(Direction::Receive { tiff }, false, "Bürgeramt"),
        Err(FaxError::Init(_))
    ));
}
