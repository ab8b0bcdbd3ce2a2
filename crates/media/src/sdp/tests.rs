use super::*;

const BARESIP: &str =
    "v=0\r\no=- 1 2 IN IP4 192.168.178.20\r\ns=-\r\nc=IN IP4 192.168.178.20\r\nt=0 0\r\n\
m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";

#[test]
fn a_phones_offer_is_read() {
    let audio = Audio::parse(BARESIP).unwrap();
    assert_eq!(audio.rtp, Some("192.168.178.20:4000".parse().unwrap()));
    assert_eq!(audio.rtcp, Some("192.168.178.20:4001".parse().unwrap()));
    assert_eq!(audio.direction, Direction::SendRecv);
    assert_eq!(audio.formats.len(), 3);
    assert_eq!(audio.ptime, Some(20));
}

#[test]
fn the_offerers_order_decides_among_what_we_allow() {
    let audio = Audio::parse(BARESIP).unwrap();
    let n = audio.negotiate(&[Codec::Pcma, Codec::Pcmu]).unwrap();
    assert_eq!(
        (n.codec, n.payload_type, n.events),
        (Codec::Pcmu, 0, Some(101))
    );
    let n = audio.negotiate(&[Codec::Pcma]).unwrap();
    assert_eq!((n.codec, n.payload_type), (Codec::Pcma, 8));
    assert_eq!(
        audio.negotiate(&[Codec::Opus]),
        Err(SdpError::NoCommonCodec)
    );
}

#[test]
fn static_payload_types_need_no_rtpmap() {
    let body = "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5004 RTP/AVP 8\r\n";
    let n = Audio::parse(body)
        .unwrap()
        .negotiate(&[Codec::Pcma])
        .unwrap();
    assert_eq!((n.codec, n.events), (Codec::Pcma, None));
}

#[test]
fn hold_is_recognised_in_both_styles() {
    let new_style = BARESIP.replace("a=sendrecv", "a=sendonly");
    assert_eq!(
        Audio::parse(&new_style).unwrap().direction,
        Direction::SendOnly
    );
    let old_style = BARESIP.replace("c=IN IP4 192.168.178.20", "c=IN IP4 0.0.0.0");
    let audio = Audio::parse(&old_style).unwrap();
    assert_eq!((audio.rtp, audio.direction), (None, Direction::SendOnly));
}

#[test]
fn bad_bodies_get_a_reason() {
    assert_eq!(
        Audio::parse("v=0\r\nc=IN IP4 10.0.0.1\r\n"),
        Err(SdpError::NoAudio)
    );
    assert_eq!(
        Audio::parse("v=0\r\nm=audio 5 RTP/AVP 8\r\n"),
        Err(SdpError::NoConnection)
    );
    assert!(matches!(
        Audio::parse("v=0\r\nm=audio x RTP/AVP 8\r\n"),
        Err(SdpError::Line(_))
    ));
    assert!(matches!(Audio::parse("garbage"), Err(SdpError::Line(_))));
}

#[test]
fn our_answer_reads_back_as_what_we_chose() {
    let offer = Audio::parse(BARESIP).unwrap();
    let chosen = offer.negotiate(&[Codec::Pcma]).unwrap();
    let answer = Local::answer(
        (1, 1),
        "203.0.113.1".parse().unwrap(),
        40_000,
        chosen,
        Direction::SendOnly,
    );
    let back = Audio::parse(&answer.render()).unwrap();
    assert_eq!(back.rtp, Some("203.0.113.1:40000".parse().unwrap()));
    assert_eq!(back.direction, Direction::RecvOnly);
    assert_eq!(back.negotiate(&[Codec::Pcma]).unwrap(), chosen);
}

#[test]
fn our_offer_puts_pcma_first() {
    let offer = Local::offer((1, 1), "127.0.0.1".parse().unwrap(), 40_002).render();
    assert!(
        offer.contains("m=audio 40002 RTP/AVP 8 0 101\r\n"),
        "{offer}"
    );
    let n = Audio::parse(&offer)
        .unwrap()
        .negotiate(&[Codec::Pcmu, Codec::Pcma])
        .unwrap();
    assert_eq!(n.codec, Codec::Pcma);
}

proptest::proptest! {
    #[test]
    fn any_text_is_parsed_or_refused_without_panicking(body in "\\PC{0,300}") {
        let _ = Audio::parse(&body);
    }
}
