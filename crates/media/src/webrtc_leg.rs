//! A browser's leg: WebRTC through str0m in RTP mode, ICE-lite on our side (the browser
//! checks, we answer; consent freshness per RFC 7675 is the browser's checks arriving),
//! DTLS-SRTP and RTCP handled by str0m. The browser always offers; we answer with the
//! one codec the call needs (Opus between browsers, G.711 towards phones) and
//! telephone-events at its clock rate.

use crate::codec::{Codec, Negotiated};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use str0m::change::SdpOffer;
use str0m::format::{Codec as Str0mCodec, FormatParams};
use str0m::media::{Frequency, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, SeqNo};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

/// Why an offer was not answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebRtcError {
    /// str0m could not read or accept the offer.
    #[error("the browser's offer was not accepted: {0}")]
    Offer(String),
    /// The offer has no audio we can use.
    #[error("the browser offered no usable audio")]
    NoAudio,
}

/// What the leg has to say after an input.
#[derive(Debug)]
pub enum Happened {
    /// A datagram to send from the leg's socket.
    Transmit {
        /// Where to.
        to: SocketAddr,
        /// The bytes (already SRTP-protected or STUN/DTLS).
        bytes: Vec<u8>,
    },
    /// ICE and DTLS are done: media can flow.
    Connected,
    /// The browser stopped confirming consent (RFC 7675): the leg is gone.
    ConsentLost,
    /// An RTP packet from the browser, decrypted.
    Rtp(Incoming),
}

/// One decrypted RTP packet from the browser.
#[derive(Debug)]
pub struct Incoming {
    /// The payload type.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence: u16,
    /// The timestamp.
    pub timestamp: u32,
    /// The SSRC.
    pub ssrc: u32,
    /// The marker bit.
    pub marker: bool,
    /// The payload.
    pub payload: Arc<[u8]>,
}

/// A WebRTC leg.
pub struct WebRtcLeg {
    rtc: Rtc,
    mid: Mid,
    local: SocketAddr,
    negotiated: Negotiated,
    extended_sequence: Option<u64>,
    timeout: Option<Instant>,
    connected: bool,
    closed: bool,
}

impl std::fmt::Debug for WebRtcLeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebRtcLeg")
            .field("local", &self.local)
            .field("negotiated", &self.negotiated)
            .field("connected", &self.connected)
            .finish_non_exhaustive()
    }
}

/// How long a leg lives without consent from the browser. str0m's ICE-lite agent
/// declares the pair disconnected after its own timeout; this is our hard limit.
pub const CONSENT_TIMEOUT: Duration = Duration::from_secs(30);

impl WebRtcLeg {
    /// Answers `offer` for a leg on the socket bound at `local`, announcing the host
    /// candidate `candidate` (the public address behind a router, else `local`), with
    /// the first of `codecs` the browser offers.
    pub fn accept(
        now: Instant,
        local: SocketAddr,
        candidate: SocketAddr,
        offer: &str,
        codecs: &[Codec],
        identity: &Identity,
    ) -> Result<(WebRtcLeg, String), WebRtcError> {
        let offer =
            SdpOffer::from_sdp_string(offer).map_err(|e| WebRtcError::Offer(e.to_string()))?;
        let offered_text = offer.to_sdp_string();
        let offered = offered_text.to_ascii_lowercase();
        let codec = codecs
            .iter()
            .copied()
            .find(|c| {
                offered.contains(&format!(
                    " {}/{}",
                    c.name().to_ascii_lowercase(),
                    c.clock_rate()
                ))
            })
            .ok_or(WebRtcError::NoAudio)?;
        let mut config = Rtc::builder()
            .set_ice_lite(true)
            .set_rtp_mode(true)
            .clear_codecs()
            // No RTP header extensions (abs-send-time, transport-cc, …): a relayed audio
            // call needs none, and each costs work on every packet.
            .clear_extension_map()
            .set_crypto_provider(identity.provider.clone())
            .set_dtls_cert(identity.cert.clone());
        let params = config.codec_config();
        match codec {
            Codec::Opus => params.enable_opus(true, false),
            Codec::Pcma => params.enable_pcma(true, false),
            Codec::Pcmu => params.enable_pcmu(true, false),
        }
        let events_rate = if codec == Codec::Opus {
            Frequency::FORTY_EIGHT_KHZ
        } else {
            Frequency::EIGHT_KHZ
        };
        params.add_config(
            101.into(),
            None,
            Str0mCodec::Tele,
            events_rate,
            None,
            FormatParams::default(),
        );
        let mut rtc = config.build(now);
        let host =
            Candidate::host(candidate, "udp").map_err(|e| WebRtcError::Offer(e.to_string()))?;
        rtc.add_local_candidate(host);
        let answer = rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| WebRtcError::Offer(e.to_string()))?;
        let str0m_codec = match codec {
            Codec::Opus => Str0mCodec::Opus,
            Codec::Pcma => Str0mCodec::PCMA,
            Codec::Pcmu => Str0mCodec::PCMU,
        };
        let payload_type = rtc
            .codec_config()
            .find(|p| p.spec().codec == str0m_codec)
            .map(|p| *p.pt())
            .ok_or(WebRtcError::NoAudio)?;
        let events = rtc
            .codec_config()
            .find(|p| p.spec().codec == Str0mCodec::Tele)
            .map(|p| *p.pt());
        let mid = audio_mid(&offered_text)
            .filter(|m| rtc.media(*m).is_some())
            .ok_or(WebRtcError::NoAudio)?;
        let leg = WebRtcLeg {
            rtc,
            mid,
            local,
            negotiated: Negotiated {
                codec,
                payload_type,
                events,
            },
            extended_sequence: None,
            timeout: Some(now),
            connected: false,
            closed: false,
        };
        Ok((leg, answer.to_sdp_string()))
    }

    /// The codec and payload types of this leg.
    pub fn negotiated(&self) -> Negotiated {
        self.negotiated
    }

    /// Whether ICE and DTLS are done.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Whether the leg has ended (consent lost or closed).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Feeds a datagram that arrived on the leg's socket.
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        from: SocketAddr,
        bytes: &[u8],
        out: &mut Vec<Happened>,
    ) {
        if self.closed {
            return;
        }
        let Ok(receive) = Receive::new(Protocol::Udp, from, self.local, bytes) else {
            return;
        };
        if self.rtc.handle_input(Input::Receive(now, receive)).is_err() {
            return;
        }
        self.drain(now, out);
    }

    /// Feeds the time.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Vec<Happened>) {
        if self.closed || self.timeout.is_some_and(|t| now < t) {
            return;
        }
        if self.rtc.handle_input(Input::Timeout(now)).is_err() {
            self.close(out);
            return;
        }
        self.drain(now, out);
    }

    /// When the leg next needs the time.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            None
        } else {
            self.timeout
        }
    }

    /// Sends one RTP packet to the browser (str0m encrypts it).
    #[allow(clippy::too_many_arguments)]
    pub fn send_rtp(
        &mut self,
        now: Instant,
        payload_type: u8,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
        out: &mut Vec<Happened>,
    ) {
        if !self.connected || self.closed {
            return;
        }
        // Extend the 16-bit sequence number (str0m needs the rollover counter).
        let extended = match self.extended_sequence {
            None => u64::from(sequence),
            Some(previous) => {
                let delta = sequence.wrapping_sub(previous as u16) as i16;
                previous.saturating_add_signed(i64::from(delta))
            }
        };
        if self.extended_sequence.is_none_or(|p| extended > p) {
            self.extended_sequence = Some(extended);
        }
        let mid = self.mid;
        let mut api = self.rtc.direct_api();
        let Some(stream) = api.stream_tx_by_mid(mid, None) else {
            return;
        };
        stream.write_rtp(
            RtpWrite::new(
                payload_type.into(),
                SeqNo::from(extended),
                timestamp,
                now,
                payload.to_vec(),
            )
            .marker(marker),
        );
        // str0m sends what was written at its next timeout: give it the time now, so the
        // packet leaves with this input instead of at a timer wake-up of its own.
        if self.rtc.handle_input(Input::Timeout(now)).is_err() {
            self.close(out);
            return;
        }
        self.drain(now, out);
    }

    /// Ends the leg.
    pub fn close(&mut self, out: &mut Vec<Happened>) {
        if !self.closed {
            self.closed = true;
            self.rtc.disconnect();
            out.push(Happened::ConsentLost);
        }
    }

    fn drain(&mut self, now: Instant, out: &mut Vec<Happened>) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.timeout = Some(t.max(now));
                    return;
                }
                Ok(Output::Transmit(t)) => out.push(Happened::Transmit {
                    to: t.destination,
                    bytes: t.contents.into(),
                }),
                Ok(Output::Event(Event::Connected)) => {
                    self.connected = true;
                    out.push(Happened::Connected);
                }
                Ok(Output::Event(Event::IceConnectionStateChange(
                    IceConnectionState::Disconnected,
                ))) => {
                    self.close(out);
                    return;
                }
                Ok(Output::Event(Event::RtpPacket(p))) => out.push(Happened::Rtp(Incoming {
                    payload_type: *p.header.payload_type,
                    sequence: p.header.sequence_number,
                    timestamp: p.header.timestamp,
                    ssrc: *p.header.ssrc,
                    marker: p.header.marker,
                    payload: p.payload,
                })),
                Ok(Output::Event(_)) => {}
                Err(_) => {
                    self.close(out);
                    return;
                }
            }
        }
    }
}

/// The `a=mid` of the first audio section of an SDP.
fn audio_mid(sdp: &str) -> Option<Mid> {
    let mut in_audio = false;
    for line in sdp.lines() {
        if let Some(m) = line.strip_prefix("m=") {
            in_audio = m.starts_with("audio");
        } else if let Some(mid) = line.strip_prefix("a=mid:").filter(|_| in_audio) {
            return Some(Mid::from(mid.trim()));
        }
    }
    None
}

/// The DTLS identity of the server's browser legs: one certificate (and crypto provider)
/// made once per engine and shared by its legs, as browsers share theirs. Making a
/// certificate for every leg cost more than the rest of answering an offer.
#[derive(Clone)]
pub struct Identity {
    provider: Arc<str0m::config::CryptoProvider>,
    cert: str0m::config::DtlsCert,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(..)")
    }
}

impl Identity {
    /// A new self-signed certificate.
    pub fn new() -> Result<Identity, WebRtcError> {
        let provider = str0m::crypto::from_feature_flags();
        let cert = provider
            .dtls_provider
            .generate_certificate()
            .ok_or_else(|| WebRtcError::Offer("no DTLS certificate could be made".into()))?;
        Ok(Identity {
            provider: Arc::new(provider),
            cert,
        })
    }
}
