//! A SIP phone's (or the trunk's) leg: plain RTP/AVP on a port pair of ours, RTCP on
//! the next port, with symmetric RTP latching on both. It holds the SDP state of the leg:
//! what we offered or answered, what the other side announced, what was negotiated.

use crate::codec::{Codec, Negotiated};
use crate::latch::Latch;
use crate::sdp::{Audio, Direction, Local, SdpError};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// An RTP/AVP leg.
#[derive(Debug, Clone)]
pub struct RtpLeg {
    /// The port pair's RTP address (RTCP is the next port).
    port: u16,
    /// The address in our SDP (the public address behind a router).
    announce: IpAddr,
    session: (u64, u64),
    negotiated: Option<Negotiated>,
    remote_direction: Direction,
    /// Where RTP goes and from where it is taken.
    pub rtp: Latch,
    /// The same for RTCP.
    pub rtcp: Latch,
    last_heard: Option<Instant>,
}

/// The codecs an RTP leg speaks, preferred first.
pub const PHONE_CODECS: [Codec; 2] = [Codec::Pcma, Codec::Pcmu];

impl RtpLeg {
    /// A leg on our port `port`, announcing `announce` in SDP; `session` is the `o=` id.
    pub fn new(port: u16, announce: IpAddr, session: u64) -> RtpLeg {
        RtpLeg {
            port,
            announce,
            session: (session, 0),
            negotiated: None,
            remote_direction: Direction::SendRecv,
            rtp: Latch::new(None),
            rtcp: Latch::new(None),
            last_heard: None,
        }
    }

    /// The `o=` id and version for our next SDP on this leg (RFC 3264 §8: the version
    /// goes up with each new one), whatever its streams (audio, or T.38).
    pub fn next_session(&mut self) -> (u64, u64) {
        self.session.1 += 1;
        self.session
    }

    /// The address in our SDP.
    pub fn announced(&self) -> IpAddr {
        self.announce
    }

    /// Our offer (PCMA, PCMU, telephone-events), `direction` `sendonly` to hold.
    pub fn offer(&mut self, direction: Direction) -> String {
        let mut local = Local::offer(self.next_session(), self.announce, self.port);
        if let Some(n) = self.negotiated {
            // A re-offer keeps what was agreed (RFC 3264 §8.3.2).
            local.formats = vec![(n.codec, n.payload_type)];
            local.events = n.events.or(local.events);
        }
        local.direction = direction;
        local.render()
    }

    /// Takes the other side's answer to our offer.
    pub fn handle_answer(&mut self, sdp: &str) -> Result<Negotiated, SdpError> {
        let audio = Audio::parse(sdp)?;
        let negotiated = audio.negotiate(&PHONE_CODECS)?;
        self.take(&audio, negotiated);
        Ok(negotiated)
    }

    /// Takes the other side's offer and answers it with the first of `allowed` it
    /// offers (the codec the other leg of the call speaks, to avoid transcoding).
    pub fn handle_offer(
        &mut self,
        sdp: &str,
        allowed: &[Codec],
    ) -> Result<(Negotiated, String), SdpError> {
        let audio = Audio::parse(sdp)?;
        let negotiated = audio.negotiate(allowed)?;
        self.take(&audio, negotiated);
        let answer = Local::answer(
            self.next_session(),
            self.announce,
            self.port,
            negotiated,
            audio.direction,
        );
        Ok((negotiated, answer.render()))
    }

    fn take(&mut self, audio: &Audio, negotiated: Negotiated) {
        self.negotiated = Some(negotiated);
        self.remote_direction = audio.direction;
        self.rtp.announce(audio.rtp);
        self.rtcp.announce(audio.rtcp);
    }

    /// What was negotiated, once an offer/answer is complete.
    pub fn negotiated(&self) -> Option<Negotiated> {
        self.negotiated
    }

    /// Whether the other side wants to receive (not holding us with `sendonly`).
    pub fn remote_receives(&self) -> bool {
        self.remote_direction.receives()
    }

    /// Our RTP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Notes that media arrived.
    pub fn heard(&mut self, now: Instant) {
        self.last_heard = Some(now);
    }

    /// When media last arrived.
    pub fn last_heard(&self) -> Option<Instant> {
        self.last_heard
    }

    /// Where RTP goes now.
    pub fn destination(&self) -> Option<SocketAddr> {
        self.rtp.destination()
    }
}
