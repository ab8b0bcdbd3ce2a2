//! Browser-like WebRTC offers, made by str0m the way a Chromium tab makes them: audio
//! send-receive with Opus, PCMA, PCMU and telephone-events, ICE credentials, a DTLS
//! fingerprint and one host candidate. The benchmark never connects ICE, so the
//! candidate only has to be a real loopback address.

use anyhow::{anyhow, Context};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Instant;
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind};
use str0m::{Candidate, Rtc};

/// One fresh offer (its own ICE credentials and DTLS certificate) with a host
/// candidate at `local`.
pub fn browser_offer(local: SocketAddr) -> anyhow::Result<String> {
    let mut config = Rtc::builder()
        .set_rtp_mode(true)
        .clear_codecs()
        .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()));
    let params = config.codec_config();
    params.enable_opus(true, false);
    params.enable_pcma(true, false);
    params.enable_pcmu(true, false);
    for (pt, rate) in [
        (110, Frequency::FORTY_EIGHT_KHZ),
        (126, Frequency::EIGHT_KHZ),
    ] {
        params.add_config(
            pt.into(),
            None,
            Codec::Tele,
            rate,
            None,
            FormatParams::default(),
        );
    }
    let mut rtc = config.build(Instant::now());
    rtc.add_local_candidate(Candidate::host(local, "udp").context("host candidate")?);
    let mut change = rtc.sdp_api();
    change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, _pending) = change
        .apply()
        .ok_or_else(|| anyhow!("str0m made no offer"))?;
    Ok(offer.to_sdp_string())
}

/// `n` offers, one per call, and the socket whose address they carry (kept open for the
/// run, so the candidate is a bound port).
pub fn browser_offers(n: usize) -> anyhow::Result<(Vec<String>, UdpSocket)> {
    let socket = UdpSocket::bind("127.0.0.1:0").context("a loopback UDP port")?;
    let local = socket.local_addr()?;
    let offers = (0..n)
        .map(|_| browser_offer(local))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((offers, socket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_looks_like_a_browsers() {
        let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let (a, b) = (browser_offer(local).unwrap(), browser_offer(local).unwrap());
        for needle in [
            "v=0",
            "m=audio ",
            "a=sendrecv",
            "opus/48000/2",
            "PCMA/8000",
            "telephone-event/8000",
            "a=ice-ufrag:",
            "a=fingerprint:sha-256 ",
            "a=setup:actpass",
            "127.0.0.1 40000 typ host",
        ] {
            assert!(a.contains(needle), "{needle} missing in\n{a}");
        }
        let ufrag = |s: &str| {
            s.lines()
                .find(|l| l.starts_with("a=ice-ufrag:"))
                .map(str::to_string)
        };
        assert_ne!(ufrag(&a), ufrag(&b), "each call gets fresh ICE credentials");
    }
}
