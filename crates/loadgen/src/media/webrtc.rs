//! The caller of a WebRTC ↔ RTP call: a browser stand-in on str0m (RTP mode, full ICE as
//! the controlling agent, DTLS in whichever role the relay's answer leaves, SRTP),
//! offering G.711 and telephone-events as a browser offers them. Sans-IO: the load
//! thread that owns it feeds it datagrams and the time and sends what it hands back, in
//! the same event loop as the plain phones (its socket in the epoll set, its deadline in
//! the thread's timer heap).
//!
//! The relay is asked to bridge DTLS-SRTP to plain RTP with rtpengine's keys
//! ([`offer_keys`], [`answer_keys`]); Durchwahl knows the caller's side from its SDP and
//! accepts the same keys.

use super::rtp::{Received, PAYLOAD_LEN, PAYLOAD_TYPE_PCMA};
use ng::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::config::DtlsCert;
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, SeqNo};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

/// The keys of the `offer` (its SDP goes to the callee, a phone): plain RTP without ICE,
/// and RTCP multiplexed towards the browser only (rtpengine's `demux`).
pub fn offer_keys() -> Vec<(&'static str, Value)> {
    vec![
        ("transport-protocol", "RTP/AVP".into()),
        ("ICE", "remove".into()),
        ("rtcp-mux", Value::List(vec!["demux".into()])),
    ]
}

/// The keys of the `answer` (its SDP goes to the browser): the relay as the browser's
/// only ICE candidate, DTLS passive (the browser, controlling, connects).
pub fn answer_keys() -> Vec<(&'static str, Value)> {
    vec![("ICE", "force".into()), ("DTLS", "passive".into())]
}

/// One certificate for all the load's browsers: generating one per peer would cost the
/// load tool set-up time and measure nothing of the relay.
pub fn certificate() -> anyhow::Result<DtlsCert> {
    str0m::crypto::from_feature_flags()
        .dtls_provider
        .generate_certificate()
        .ok_or_else(|| anyhow::anyhow!("str0m could not make a DTLS certificate"))
}

/// A browser's call leg, sans-IO.
pub struct Browser {
    rtc: Rtc,
    mid: Mid,
    local: SocketAddr,
    pending: Option<SdpPendingOffer>,
    payload_type: Option<u8>,
    /// The extended sequence number of the next packet (str0m wants the rollover count).
    sequence: u64,
    timeout: Instant,
    payload: [u8; PAYLOAD_LEN],
    failed: Option<String>,
    /// The SSRC arriving from the relay, once seen.
    rx_ssrc: Option<u32>,
}

impl Browser {
    /// A browser on the socket bound at `local`, and its SDP offer.
    pub fn offer(now: Instant, local: SocketAddr, cert: &DtlsCert) -> (Browser, String) {
        let mut config = Rtc::builder()
            .set_rtp_mode(true)
            .clear_codecs()
            .set_dtls_cert(cert.clone())
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()));
        let params = config.codec_config();
        params.enable_pcma(true, false);
        params.enable_pcmu(true, false);
        params.add_config(
            126.into(),
            None,
            Codec::Tele,
            Frequency::EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        let mut rtc = config.build(now);
        if let Ok(host) = Candidate::host(local, "udp") {
            rtc.add_local_candidate(host);
        }
        let mut change = rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change
            .apply()
            .expect("a change with one media always makes an offer");
        let mut payload = [0xD5; PAYLOAD_LEN]; // A-law silence after the send time
        payload[..8].fill(0);
        let browser = Browser {
            rtc,
            mid,
            local,
            pending: Some(pending),
            payload_type: None,
            // Any 16-bit start, rollover count 0: the SRTP receiver assumes ROC 0 at first
            // (RFC 3711 §3.3.1).
            sequence: u64::from(local.port()),
            timeout: now,
            payload,
            failed: None,
            rx_ssrc: None,
        };
        (browser, offer.to_sdp_string())
    }

    /// Takes the relay's answer; ICE and DTLS start at the next input.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), String> {
        let sdp = with_bundle(sdp, &self.mid.to_string());
        let answer = SdpAnswer::from_sdp_string(&sdp).map_err(|e| format!("answer: {e}"))?;
        let pending = self.pending.take().ok_or("answered twice")?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| format!("answer not accepted: {e}"))
    }

    /// Whether ICE and DTLS are done and the answer left PCMA.
    pub fn is_connected(&self) -> bool {
        self.payload_type.is_some()
    }

    /// Why the leg ended, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// When the peer next needs the time.
    pub fn poll_timeout(&self) -> Instant {
        self.timeout
    }

    /// A datagram from `from` arrived at `now`: `transmit` sends what str0m answers,
    /// `rtp` gets each audio packet of the load, decrypted.
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        from: SocketAddr,
        bytes: &[u8],
        transmit: &mut impl FnMut(SocketAddr, &[u8]),
        rtp: &mut impl FnMut(Received),
    ) {
        self.learn_ssrc(bytes);
        let Ok(receive) = Receive::new(Protocol::Udp, from, self.local, bytes) else {
            return;
        };
        if let Err(e) = self.rtc.handle_input(Input::Receive(now, receive)) {
            self.failed.get_or_insert(e.to_string());
        }
        self.drain(transmit, rtp);
    }

    /// The time: ICE checks, DTLS retransmissions, RTCP reports.
    pub fn handle_timeout(
        &mut self,
        now: Instant,
        transmit: &mut impl FnMut(SocketAddr, &[u8]),
        rtp: &mut impl FnMut(Received),
    ) {
        if now < self.timeout {
            return;
        }
        if let Err(e) = self.rtc.handle_input(Input::Timeout(now)) {
            self.failed.get_or_insert(e.to_string());
        }
        self.drain(transmit, rtp);
    }

    /// Sends one 20 ms packet carrying `sent_ns` (str0m encrypts it); false when not
    /// connected.
    pub fn send(
        &mut self,
        now: Instant,
        timestamp: u32,
        sent_ns: u64,
        transmit: &mut impl FnMut(SocketAddr, &[u8]),
        rtp: &mut impl FnMut(Received),
    ) -> bool {
        let Some(pt) = self.payload_type else {
            return false;
        };
        self.payload[..8].copy_from_slice(&sent_ns.to_be_bytes());
        let mid = self.mid;
        let mut api = self.rtc.direct_api();
        let Some(stream) = api.stream_tx_by_mid(mid, None) else {
            return false;
        };
        stream.write_rtp(RtpWrite::new(
            pt.into(),
            SeqNo::from(self.sequence),
            timestamp,
            now,
            self.payload.to_vec(),
        ));
        self.sequence += 1;
        // str0m's pacer (even the null one) releases new media only at its next timeout,
        // which it asks for at once: giving it the time here sends the packet now instead
        // of one more turn of the event loop per packet.
        if let Err(e) = self.rtc.handle_input(Input::Timeout(now)) {
            self.failed.get_or_insert(e.to_string());
        }
        self.drain(transmit, rtp);
        true
    }

    fn drain(
        &mut self,
        transmit: &mut impl FnMut(SocketAddr, &[u8]),
        rtp: &mut impl FnMut(Received),
    ) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.timeout = t;
                    return;
                }
                Ok(Output::Transmit(t)) => transmit(t.destination, &t.contents),
                Ok(Output::Event(Event::Connected)) => self.on_connected(),
                Ok(Output::Event(Event::IceConnectionStateChange(
                    IceConnectionState::Disconnected,
                ))) => {
                    self.failed.get_or_insert("ICE disconnected".into());
                }
                Ok(Output::Event(Event::RtpPacket(p))) => {
                    let payload = &p.payload;
                    if *p.header.payload_type != PAYLOAD_TYPE_PCMA || payload.len() < 8 {
                        continue;
                    }
                    let mut sent = [0; 8];
                    sent.copy_from_slice(&payload[..8]);
                    rtp(Received {
                        seq: p.header.sequence_number,
                        timestamp: p.header.timestamp,
                        ssrc: *p.header.ssrc,
                        sent_ns: u64::from_be_bytes(sent),
                    });
                }
                Ok(Output::Event(_)) => {}
                Err(e) => {
                    self.failed.get_or_insert(e.to_string());
                    // str0m stays in error: wake again in a while, not at once.
                    self.timeout = Instant::now() + std::time::Duration::from_secs(1);
                    return;
                }
            }
        }
    }

    /// A browser takes RTP of an SSRC the answer did not announce (rtpengine announces
    /// none, and the phone's packets carry no RFC 9143 mid extension) as the stream of its
    /// one audio section, as Chromium does with an unsignalled SSRC; str0m needs to be
    /// told. The SRTP header is in the clear (RFC 3711 §3.1); RFC 7983 §7: a first byte
    /// of 128–191 is RTP or RTCP, and RTCP's packet types leave 64–95 in the RTP field.
    fn learn_ssrc(&mut self, bytes: &[u8]) {
        if bytes.len() < 12 || !(128..=191).contains(&bytes[0]) || self.payload_type.is_none() {
            return;
        }
        if (64..=95).contains(&(bytes[1] & 0x7f)) {
            return;
        }
        let ssrc = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if self.rx_ssrc == Some(ssrc) {
            return;
        }
        self.rx_ssrc = Some(ssrc);
        let mid = self.mid;
        let mut api = self.rtc.direct_api();
        if api.stream_rx(&ssrc.into()).is_none() {
            api.expect_stream_rx(ssrc.into(), None, mid, None);
        }
    }

    /// The answered codec must be PCMA: the load's packets are A-law, as for the phones.
    fn on_connected(&mut self) {
        let answered = self.rtc.media(self.mid).and_then(|m| {
            m.remote_pts()
                .iter()
                .copied()
                .find(|pt| **pt == PAYLOAD_TYPE_PCMA)
        });
        match answered {
            Some(pt) => self.payload_type = Some(*pt),
            None => {
                self.failed
                    .get_or_insert("the relay's answer has no PCMA".into());
            }
        }
    }
}

/// The answer with a BUNDLE group of the one audio section if it has none. str0m insists
/// on one (RFC 8843); rtpengine 10.5 does not write it, and a browser takes such an
/// answer (each section on its own transport, here the only one).
fn with_bundle(sdp: &str, mid: &str) -> String {
    if sdp.contains("a=group:BUNDLE") {
        return sdp.to_string();
    }
    let mut out = String::with_capacity(sdp.len() + 32);
    let mut added = false;
    for line in sdp.split_inclusive('\n') {
        if !added && line.starts_with("m=") {
            out.push_str(&format!("a=group:BUNDLE {mid}\r\n"));
            added = true;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_group_goes_before_the_first_section_once() {
        let sdp = "v=0\r\nt=0 0\r\nm=audio 1 UDP/TLS/RTP/SAVPF 8\r\na=mid:0\r\n";
        let bundled = with_bundle(sdp, "0");
        assert_eq!(
            bundled,
            "v=0\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 1 UDP/TLS/RTP/SAVPF 8\r\na=mid:0\r\n"
        );
        assert_eq!(with_bundle(&bundled, "0"), bundled);
    }
}
