use super::*;

/// Asterisk (chan_pjsip) switching a call to T.38.
const ASTERISK: &str = "v=0\r\no=- 1713 1715 IN IP4 192.0.2.10\r\ns=Asterisk\r\n\
c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=image 4446 udptl t38\r\nc=IN IP4 192.0.2.10\r\n\
a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\n\
a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n";

/// FreeSWITCH: fill bit removal as a bare flag, a larger buffer.
const FREESWITCH: &str = "v=0\r\no=FreeSWITCH 1713 1714 IN IP4 198.51.100.4\r\n\
s=FreeSWITCH\r\nc=IN IP4 198.51.100.4\r\nt=0 0\r\nm=image 16384 udptl t38\r\n\
a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxFillBitRemoval\r\n\
a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:2000\r\n\
a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n";

/// A Cisco/Patton-style gateway: the audio stream kept at port 0 before the image one,
/// booleans written `:0`, version 3 and V.34's rate, other spellings.
const GATEWAY: &str = "v=0\r\no=CiscoSystemsSIP-GW-UserAgent 4242 9043 IN IP4 203.0.113.50\r\n\
s=SIP Call\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\nm=audio 0 RTP/AVP 8 101\r\n\
c=IN IP4 203.0.113.50\r\nm=image 17012 UDPTL T38\r\nc=IN IP4 203.0.113.51\r\n\
a=T38FaxVersion:3\r\na=T38MaxBitrate:33600\r\na=T38FaxFillBitRemoval:0\r\n\
a=T38FaxTranscodingMMR:0\r\na=T38FaxTranscodingJBIG:0\r\n\
a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:200\r\n\
a=T38FaxMaxDatagram:320\r\na=T38FaxUdpEc:t38UDPRedundancy\r\n";

#[test]
fn asterisks_offer_is_read() {
    let offer = T38Offer::parse(ASTERISK).unwrap();
    assert_eq!(offer.far(), "192.0.2.10:4446".parse().unwrap());
    assert_eq!(offer.version, 0);
    assert_eq!(offer.max_bit_rate, Some(14_400));
    assert_eq!(offer.rate_management, RateManagement::TransferredTcf);
    assert_eq!((offer.max_buffer, offer.max_datagram), (None, Some(400)));
    assert_eq!(offer.error_correction, ErrorCorrection::Redundancy);
    assert!(offer.before.is_empty() && offer.after.is_empty());
}

#[test]
fn freeswitchs_offer_is_read() {
    let offer = T38Offer::parse(FREESWITCH).unwrap();
    assert_eq!(offer.far(), "198.51.100.4:16384".parse().unwrap());
    assert!(offer.fill_bit_removal);
    assert!(!offer.transcoding_mmr);
    assert_eq!(
        (offer.max_buffer, offer.max_datagram),
        (Some(2000), Some(400))
    );
    let agreed = offer.agreed();
    assert_eq!(
        agreed,
        T38Agreed {
            version: 0,
            max_bit_rate: 14_400,
            error_correction: ErrorCorrection::Redundancy,
            far_max_datagram: Some(400),
            far_max_buffer: Some(2000),
        }
    );
}

#[test]
fn a_gateways_offer_with_a_disabled_audio_stream_is_read() {
    let offer = T38Offer::parse(GATEWAY).unwrap();
    // The stream's own c= line wins over the session's.
    assert_eq!(offer.far(), "203.0.113.51:17012".parse().unwrap());
    assert_eq!((offer.version, offer.max_bit_rate), (3, Some(33_600)));
    assert!(!offer.fill_bit_removal && !offer.transcoding_jbig);
    assert_eq!(offer.error_correction, ErrorCorrection::Redundancy);
    assert_eq!(
        offer.before,
        vec![MediaLine {
            media: "audio".into(),
            proto: "RTP/AVP".into(),
            formats: "8 101".into(),
        }]
    );
    // We speak version 0 at up to 14400 bit/s.
    let agreed = offer.agreed();
    assert_eq!((agreed.version, agreed.max_bit_rate), (0, 14_400));
}

#[test]
fn our_answer_keeps_the_offers_streams_in_order_and_reads_back() {
    let offer = T38Offer::parse(GATEWAY).unwrap();
    let ip: IpAddr = "203.0.113.1".parse().unwrap();
    let answer = T38Local::answer((7, 3), ip, 40_000, &offer).render();
    let audio_at = answer.find("m=audio 0 RTP/AVP 8 101\r\n").expect(&answer);
    let image_at = answer.find("m=image 40000 udptl t38\r\n").expect(&answer);
    assert!(audio_at < image_at, "{answer}");
    assert!(answer.starts_with("v=0\r\no=durchwahl 7 3 IN IP4 203.0.113.1\r\n"));
    for line in [
        "a=T38FaxVersion:0\r\n",
        "a=T38MaxBitRate:14400\r\n",
        "a=T38FaxRateManagement:transferredTCF\r\n",
        "a=T38FaxMaxBuffer:2000\r\n",
        "a=T38FaxMaxDatagram:400\r\n",
        "a=T38FaxUdpEC:t38UDPRedundancy\r\n",
    ] {
        assert!(answer.contains(line), "{line} missing in {answer}");
    }
    let back = T38Offer::parse(&answer).unwrap();
    assert_eq!(back.far(), "203.0.113.1:40000".parse().unwrap());
    assert_eq!(back.before, offer.before);
    assert_eq!(
        (back.version, back.max_bit_rate, back.max_datagram),
        (0, Some(14_400), Some(MAX_DATAGRAM))
    );
}

#[test]
fn redundancy_is_answered_only_when_offered() {
    let ip: IpAddr = "203.0.113.1".parse().unwrap();
    for (ec, written) in [
        ("a=T38FaxUdpEC:t38UDPFEC\r\n", ErrorCorrection::Fec),
        ("", ErrorCorrection::None),
    ] {
        let body = ASTERISK.replace("a=T38FaxUdpEC:t38UDPRedundancy\r\n", ec);
        let offer = T38Offer::parse(&body).unwrap();
        assert_eq!(offer.error_correction, written);
        assert_eq!(offer.agreed().error_correction, ErrorCorrection::None);
        let answer = T38Local::answer((1, 1), ip, 40_000, &offer).render();
        assert!(!answer.contains("T38FaxUdpEC"), "{answer}");
    }
}

#[test]
fn a_lower_offered_rate_caps_ours() {
    let body = ASTERISK.replace("T38MaxBitRate:14400", "T38MaxBitRate:9600");
    let offer = T38Offer::parse(&body).unwrap();
    let ip: IpAddr = "203.0.113.1".parse().unwrap();
    let answer = T38Local::answer((1, 1), ip, 40_000, &offer).render();
    assert!(answer.contains("a=T38MaxBitRate:9600\r\n"), "{answer}");
    // A rate of 0 (some gateways write it) says nothing.
    let body = ASTERISK.replace("T38MaxBitRate:14400", "T38MaxBitRate:0");
    assert_eq!(
        T38Offer::parse(&body).unwrap().agreed().max_bit_rate,
        14_400
    );
}

#[test]
fn our_offer_reads_back() {
    let ip: IpAddr = "2001:db8::1".parse().unwrap();
    let offer = T38Local::offer((5, 9), ip, 40_010).render();
    assert!(offer.contains("c=IN IP6 2001:db8::1\r\n"), "{offer}");
    let back = T38Offer::parse(&offer).unwrap();
    assert_eq!(back.far(), "[2001:db8::1]:40010".parse().unwrap());
    assert_eq!(back.error_correction, ErrorCorrection::Redundancy);
    assert_eq!(back.rate_management, RateManagement::TransferredTcf);
    assert_eq!(back.max_buffer, Some(MAX_BUFFER));
}

#[test]
fn a_port_0_image_stream_is_a_decline() {
    // An answer refusing our switch: the audio stream stays.
    let body = "v=0\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n\
m=image 0 udptl t38\r\n";
    assert_eq!(T38Offer::parse(body), Err(SdpError::T38Declined));
    let hold = ASTERISK.replace("IN IP4 192.0.2.10", "IN IP4 0.0.0.0");
    assert_eq!(T38Offer::parse(&hold), Err(SdpError::T38Declined));
}

#[test]
fn bodies_without_t38_over_udptl_are_refused() {
    let audio = "v=0\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";
    assert_eq!(T38Offer::parse(audio), Err(SdpError::NoT38));
    let tcp = ASTERISK.replace("udptl t38", "tcp t38");
    assert_eq!(T38Offer::parse(&tcp), Err(SdpError::NoT38));
    assert_eq!(T38Offer::parse(""), Err(SdpError::NoT38));
    assert_eq!(
        T38Offer::parse("v=0\r\nm=image 4446 udptl t38\r\n"),
        Err(SdpError::NoConnection)
    );
    assert!(matches!(
        T38Offer::parse("this is no SDP"),
        Err(SdpError::Line(_))
    ));
    assert!(matches!(
        T38Offer::parse("v=0\r\nc=IN IP4 192.0.2.10\r\nm=image x udptl t38\r\n"),
        Err(SdpError::Line(_))
    ));
    let bad_version = ASTERISK.replace("T38FaxVersion:0", "T38FaxVersion:zero");
    assert!(matches!(
        T38Offer::parse(&bad_version),
        Err(SdpError::Line(l)) if l == "a=T38FaxVersion:zero"
    ));
    let bad_rate = ASTERISK.replace("transferredTCF", "sometimesTCF");
    assert!(matches!(T38Offer::parse(&bad_rate), Err(SdpError::Line(_))));
}

proptest::proptest! {
    #[test]
    fn any_text_is_parsed_or_refused_without_panicking(body in "\\PC{0,300}") {
        let _ = T38Offer::parse(&body);
    }

    #[test]
    fn any_text_after_an_image_line_is_parsed_or_refused(tail in "(a=T38[A-Za-z]{0,20}(:[ -~]{0,12})?\r\n){0,6}") {
        let body = format!("v=0\r\nc=IN IP4 192.0.2.1\r\nm=image 5000 udptl t38\r\n{tail}");
        if let Ok(offer) = T38Offer::parse(&body) {
            let ip: IpAddr = "203.0.113.1".parse().unwrap();
            let answer = T38Local::answer((1, 1), ip, 40_000, &offer).render();
            let (back, sent) = (T38Offer::parse(&answer).unwrap().agreed(), offer.agreed());
            proptest::prop_assert_eq!(
                (back.version, back.max_bit_rate, back.error_correction),
                (sent.version, sent.max_bit_rate, sent.error_correction)
            );
        }
    }
}
