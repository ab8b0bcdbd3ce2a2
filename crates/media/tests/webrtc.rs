//! A browser leg against a real WebRTC peer (a second str0m, full ICE, the controlling
//! side as browsers are), on a fake clock: ICE-lite and DTLS-SRTP come up, audio and
//! telephone-events are relayed to a phone leg and back, and a browser that stops
//! confirming consent ends its leg.

use media::rtp::{self, Rewritten, RtpHeader};
use media::{dtmf, Codec, Engine, Event, LegId, Socket};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::{Codec as Str0mCodec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, SeqNo};
use str0m::{Candidate, Input, Output, Rtc};

const BROWSER: &str = "10.0.0.1:50000";
const SERVER: &str = "10.0.0.2:40000";
const PHONE: &str = "10.0.0.3:4000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

struct Browser {
    rtc: Rtc,
    mid: Mid,
    pending: Option<SdpPendingOffer>,
    received: Vec<(u8, u16, u32, Vec<u8>)>,
    timeout: Instant,
}

fn browser(now: Instant, codecs: &[Str0mCodec]) -> (Browser, String) {
    let mut config = Rtc::builder()
        .set_rtp_mode(true)
        .clear_codecs()
        .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()));
    let params = config.codec_config();
    params.enable_opus(codecs.contains(&Str0mCodec::Opus), false);
    params.enable_pcma(codecs.contains(&Str0mCodec::PCMA), false);
    params.add_config(
        126.into(),
        None,
        Str0mCodec::Tele,
        Frequency::EIGHT_KHZ,
        None,
        FormatParams::default(),
    );
    params.add_config(
        110.into(),
        None,
        Str0mCodec::Tele,
        Frequency::FORTY_EIGHT_KHZ,
        None,
        FormatParams::default(),
    );
    let mut rtc = config.build(now);
    rtc.add_local_candidate(Candidate::host(addr(BROWSER), "udp").unwrap());
    let mut change = rtc.sdp_api();
    let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, pending) = change.apply().unwrap();
    let b = Browser {
        rtc,
        mid,
        pending: Some(pending),
        received: Vec::new(),
        timeout: now,
    };
    (b, offer.to_sdp_string())
}

/// Runs the browser and the engine against each other until `until`, in 5 ms steps.
/// `deliver` says whether the browser's datagrams reach the server.
fn run(
    now: &mut Instant,
    until: Instant,
    b: &mut Browser,
    e: &mut Engine,
    leg: LegId,
    deliver: bool,
    events: &mut Vec<Event>,
) -> Vec<media::Transmit> {
    let mut others = Vec::new();
    while *now < until {
        loop {
            match b.rtc.poll_output().unwrap() {
                Output::Timeout(t) => {
                    b.timeout = t;
                    break;
                }
                Output::Transmit(t) => {
                    if deliver {
                        let mut bytes = t.contents.to_vec();
                        e.handle_datagram(*now, leg, Socket::Rtp, addr(BROWSER), &mut bytes);
                    }
                }
                Output::Event(str0m::Event::RtpPacket(p)) => b.received.push((
                    *p.header.payload_type,
                    p.header.sequence_number,
                    p.header.timestamp,
                    p.payload.to_vec(),
                )),
                Output::Event(_) => {}
            }
        }
        while let Some(t) = e.poll_transmit() {
            if t.leg == leg {
                let r = Receive::new(Protocol::Udp, addr(SERVER), addr(BROWSER), &t.bytes).unwrap();
                b.rtc.handle_input(Input::Receive(*now, r)).unwrap();
            } else {
                others.push(t);
            }
        }
        events.extend(std::iter::from_fn(|| e.poll_event()));
        *now += Duration::from_millis(5);
        if b.timeout <= *now {
            b.rtc.handle_input(Input::Timeout(*now)).unwrap();
        }
        if e.poll_timeout().is_some_and(|t| t <= *now) {
            e.handle_timeout(*now);
        }
    }
    others
}

fn init_log() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn connect(codecs: &[Str0mCodec], ours: &[Codec]) -> (Instant, Browser, Engine, LegId, String) {
    init_log();
    let mut now = Instant::now();
    let (mut b, offer) = browser(now, codecs);
    let mut e = Engine::new("test");
    let (leg, answer) = e
        .add_webrtc_leg(now, addr(SERVER), addr(SERVER), &offer, ours)
        .unwrap();
    let pending = b.pending.take().unwrap();
    b.rtc
        .sdp_api()
        .accept_answer(pending, SdpAnswer::from_sdp_string(&answer).unwrap())
        .unwrap();
    let mut events = Vec::new();
    let until = now + Duration::from_secs(2);
    run(&mut now, until, &mut b, &mut e, leg, true, &mut events);
    assert!(events.contains(&Event::Connected(leg)), "{events:?}");
    (now, b, e, leg, answer)
}

#[test]
fn the_answer_is_ice_lite_with_the_codec_the_call_needs() {
    let (_, _, e, leg, answer) = connect(&[Str0mCodec::Opus, Str0mCodec::PCMA], &[Codec::Pcma]);
    assert!(answer.contains("a=ice-lite"), "{answer}");
    assert!(
        answer.contains("PCMA/8000") && !answer.to_lowercase().contains("opus/48000"),
        "{answer}"
    );
    assert!(answer.contains("telephone-event/8000"), "{answer}");
    assert_eq!(e.negotiated(leg).unwrap().codec, Codec::Pcma);
    let (_, _, e, leg, _) = connect(
        &[Str0mCodec::Opus, Str0mCodec::PCMA],
        &[Codec::Opus, Codec::Pcma],
    );
    assert_eq!(e.negotiated(leg).unwrap().codec, Codec::Opus);
}

#[test]
fn audio_and_digits_flow_between_a_browser_and_a_phone() {
    let (mut now, mut b, mut e, leg, _) = connect(&[Str0mCodec::PCMA], &[Codec::Pcma]);
    let phone = e.add_rtp_leg(40_002, "10.0.0.2".parse().unwrap());
    let phone_offer = "v=0\r\nc=IN IP4 10.0.0.3\r\nm=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
    e.rtp_offer(phone, phone_offer, &[Codec::Pcma]).unwrap();
    e.bridge(leg, phone).unwrap();
    let n = e.negotiated(leg).unwrap();
    // The browser speaks: a voice packet and the start of a telephone-event "7".
    let ssrc = b
        .rtc
        .direct_api()
        .stream_tx_by_mid(b.mid, None)
        .unwrap()
        .ssrc();
    let ev = dtmf::Event {
        code: 7,
        end: false,
        volume: 10,
        duration: 160,
    }
    .to_bytes();
    for (i, (pt, payload)) in [
        (n.payload_type, vec![0xd5u8; 160]),
        (n.events.unwrap(), ev.to_vec()),
    ]
    .into_iter()
    .enumerate()
    {
        let w = RtpWrite::new(
            pt.into(),
            SeqNo::from(1000 + i as u64),
            160 * i as u32,
            now,
            payload,
        );
        b.rtc.direct_api().stream_tx(&ssrc).unwrap().write_rtp(w);
    }
    let mut events = Vec::new();
    let mut to_phone = Vec::new();
    let until = now + Duration::from_millis(200);
    while now < until {
        let step = now + Duration::from_millis(5);
        for t in run(&mut now, step, &mut b, &mut e, leg, true, &mut events) {
            if t.leg == phone {
                assert_eq!(t.to, addr(PHONE));
                to_phone.push(t.bytes);
            }
        }
    }
    let headers: Vec<_> = to_phone
        .iter()
        .map(|p| RtpHeader::parse(p).unwrap())
        .collect();
    assert_eq!(
        headers.iter().map(|h| h.payload_type).collect::<Vec<_>>(),
        [8, 101],
        "{headers:?}"
    );
    assert_eq!(&to_phone[1][12..], &ev);
    assert_eq!(headers[1].sequence, headers[0].sequence.wrapping_add(1));
    assert!(events.contains(&Event::Dtmf { leg, digit: '7' }));
    // The phone answers with voice and a "#": both reach the browser, encrypted.
    for (i, (pt, payload)) in [
        (8u8, vec![0x55u8; 160]),
        (8, vec![0x55; 160]),
        (8, vec![0x55; 160]),
        (
            101,
            dtmf::Event {
                code: 11,
                end: false,
                volume: 10,
                duration: 160,
            }
            .to_bytes()
            .to_vec(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = rtp::packet(
            Rewritten {
                marker: false,
                payload_type: pt,
                sequence: 5 + i as u16,
                timestamp: 160 * i as u32,
                ssrc: 77,
            },
            &payload,
        );
        assert_eq!(
            e.handle_datagram(now, phone, Socket::Rtp, addr(PHONE), &mut p),
            None
        );
        let step = now + Duration::from_millis(20);
        run(&mut now, step, &mut b, &mut e, leg, true, &mut events);
    }
    let until = now + Duration::from_millis(200);
    run(&mut now, until, &mut b, &mut e, leg, true, &mut events);
    let got: Vec<_> = b
        .received
        .iter()
        .map(|(pt, _, _, payload)| (*pt, payload.len()))
        .collect();
    let voice = got.iter().filter(|g| **g == (n.payload_type, 160)).count();
    assert_eq!(voice, 3, "{got:?}");
    assert_eq!(got.last(), Some(&(n.events.unwrap(), 4)), "{got:?}");
    assert!(events.contains(&Event::Dtmf {
        leg: phone,
        digit: '#'
    }));
    // Digits typed for the browser are generated as events towards it.
    assert!(e.send_dtmf(now, leg, "9"));
    b.received.clear();
    let until = now + Duration::from_millis(400);
    run(&mut now, until, &mut b, &mut e, leg, true, &mut events);
    assert!(b.received.iter().all(|(pt, ..)| *pt == n.events.unwrap()));
    assert!(
        b.received
            .iter()
            .any(|(.., p)| p[0] == 9 && p[1] & 0x80 != 0),
        "an end packet of 9"
    );
}

#[test]
fn a_browser_that_stops_confirming_consent_ends_its_leg() {
    let (mut now, mut b, mut e, leg, _) = connect(&[Str0mCodec::PCMA], &[Codec::Pcma]);
    let mut events = Vec::new();
    // Still alive after 20 s of normal consent checks (while ringing, nothing else flows).
    let until = now + Duration::from_secs(20);
    run(&mut now, until, &mut b, &mut e, leg, true, &mut events);
    assert!(!events.contains(&Event::Closed(leg)), "{events:?}");
    // The browser vanishes: nothing of it arrives any more.
    let until = now + Duration::from_secs(60);
    run(&mut now, until, &mut b, &mut e, leg, false, &mut events);
    assert!(events.contains(&Event::Closed(leg)), "{events:?}");
}

#[test]
fn a_browser_leg_is_not_switched_to_t38() {
    let now = Instant::now();
    let (_, offer) = browser(now, &[Str0mCodec::PCMA]);
    let mut e = Engine::new("test");
    let (leg, _) = e
        .add_webrtc_leg(now, addr(SERVER), addr(SERVER), &offer, &[Codec::Pcma])
        .unwrap();
    let t38 = "v=0\r\nc=IN IP4 10.0.0.3\r\nm=image 4446 udptl t38\r\n\
a=T38FaxRateManagement:transferredTCF\r\n";
    assert_eq!(
        e.t38_offer(now, leg, t38),
        Err(media::EngineError::NotRtp(leg))
    );
    assert_eq!(e.t38_make_offer(leg), Err(media::EngineError::NotRtp(leg)));
    assert!(!e.is_t38(leg));
    assert_eq!(e.negotiated(leg).unwrap().codec, Codec::Pcma);
}
