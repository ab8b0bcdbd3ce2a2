//! T.38 legs: a phone leg's call switched to fax over UDPTL by a re-INVITE (ITU-T T.38
//! Annex D, RFC 3362). The leg's RTP socket carries UDPTL from then on; its datagrams
//! are not RTP to the engine but opaque bytes for the leg's terminal (the server's T.38
//! fax modem, which frames UDPTL itself), and what the terminal sends goes back to the
//! latched far end. Nothing is relayed, mixed, played, recorded or reported by RTCP.
//! A later audio offer or answer on the leg (`rtp_offer`, `rtp_answer`) makes it an
//! audio leg again.
//!
//! ```
//! use media::{Engine, Socket};
//! use std::time::Instant;
//! let now = Instant::now();
//! let mut engine = Engine::new("durchwahl");
//! let leg = engine.add_rtp_leg(40_000, "203.0.113.1".parse().unwrap());
//! let audio = "v=0\r\nc=IN IP4 192.0.2.7\r\nm=audio 5000 RTP/AVP 8\r\n";
//! engine.rtp_offer(leg, audio, &media::rtp_leg::PHONE_CODECS).unwrap();
//! // The fax machine's side switches to T.38 by re-INVITE; we answer on the same port.
//! let image = "v=0\r\nc=IN IP4 192.0.2.7\r\nm=image 5002 udptl t38\r\n\
//!     a=T38FaxRateManagement:transferredTCF\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n";
//! let answer = engine.t38_offer(now, leg, image).unwrap();
//! assert!(answer.contains("m=image 40000 udptl t38\r\n"));
//! assert!(engine.is_t38(leg));
//! let agreed = engine.t38_agreed(leg).unwrap(); // set the T.38 modem up with this,
//! // attach it with `attach_terminal`, then feed datagrams and drain as always:
//! let mut datagram = vec![0x00, 0x00, 0x01, 0x00, 0x00, 0x00];
//! let from = "192.0.2.7:5002".parse().unwrap();
//! assert!(engine.handle_datagram(now, leg, Socket::Rtp, from, &mut datagram).is_none());
//! while let Some(t) = engine.poll_transmit() { /* send t.bytes from t.leg's socket */ }
//! ```

use super::{Engine, EngineError, Kind, LegId, Socket};
use crate::dtmf;
use crate::latch::Verdict;
use crate::rtp::{self, RtpHeader};
use crate::rtp_leg::RtpLeg;
use crate::sdp::t38::{T38Agreed, T38Local, T38Offer};
use std::net::SocketAddr;
use std::time::Instant;

/// A leg in image mode.
#[derive(Debug, Clone)]
pub(super) struct Image {
    agreed: T38Agreed,
    /// Where the far end's SDP said it takes UDPTL.
    far: SocketAddr,
}

impl Engine {
    /// The far end's offer to switch `leg` (a phone leg) to T.38 (`m=image … udptl t38`,
    /// from a re-INVITE, or an INVITE that starts with fax); returns our answer, on the
    /// leg's own port. From now on the leg is a T.38 leg (see the module doc); a
    /// terminal already attached stays attached. An offer without a usable T.38 stream
    /// changes nothing and is an error ([`crate::sdp::SdpError::NoT38`],
    /// [`crate::sdp::SdpError::T38Declined`], …); a browser leg is
    /// [`EngineError::NotRtp`].
    pub fn t38_offer(
        &mut self,
        now: Instant,
        leg: LegId,
        sdp: &str,
    ) -> Result<String, EngineError> {
        let l = self.rtp_leg(leg)?;
        let offer = T38Offer::parse(sdp)?;
        let answer = T38Local::answer(l.next_session(), l.announced(), l.port(), &offer);
        self.switch_to_image(now, leg, offer.far(), offer.agreed());
        Ok(answer.render())
    }

    /// Our offer to switch `leg` (a phone leg) to T.38, for a re-INVITE of ours. The
    /// leg stays as it is until [`Engine::t38_answer`].
    pub fn t38_make_offer(&mut self, leg: LegId) -> Result<String, EngineError> {
        let l = self.rtp_leg(leg)?;
        Ok(T38Local::offer(l.next_session(), l.announced(), l.port()).render())
    }

    /// The far end's answer to [`Engine::t38_make_offer`]: the leg becomes a T.38 leg,
    /// as with [`Engine::t38_offer`]. An answer that declines (the image stream at port
    /// 0: [`crate::sdp::SdpError::T38Declined`]) or has no T.38 stream leaves the leg as
    /// it was.
    pub fn t38_answer(
        &mut self,
        now: Instant,
        leg: LegId,
        sdp: &str,
    ) -> Result<T38Agreed, EngineError> {
        self.rtp_leg(leg)?;
        let answer = T38Offer::parse(sdp)?;
        let agreed = answer.agreed();
        self.switch_to_image(now, leg, answer.far(), agreed);
        Ok(agreed)
    }

    /// Whether `leg` was switched to T.38.
    pub fn is_t38(&self, leg: LegId) -> bool {
        self.legs.get(&leg).is_some_and(|s| s.image.is_some())
    }

    /// What `leg`'s T.38 stream agreed (the T.38 modem's settings); `None` for a leg
    /// that is not a T.38 leg.
    pub fn t38_agreed(&self, leg: LegId) -> Option<T38Agreed> {
        Some(self.legs.get(&leg)?.image.as_ref()?.agreed)
    }

    fn switch_to_image(&mut self, now: Instant, leg: LegId, far: SocketAddr, agreed: T38Agreed) {
        self.unbridge(leg);
        self.stop_hearing(&[leg]);
        self.stop_recording(leg);
        let Some(slot) = self.legs.get_mut(&leg) else {
            return;
        };
        let heard_in_a_mix = slot.inbox.is_some();
        slot.player = None;
        slot.dtmf_out = dtmf::Sender::new(8000);
        // RTCP belongs to the audio stream (RFC 3550): no more sender reports.
        slot.next_report = None;
        let same_far = slot.image.as_ref().is_some_and(|i| i.far == far);
        if let Kind::Rtp(l) = &mut slot.kind {
            l.rtp.announce(Some(far));
            // A new stream, usually from another port: learnt from its first datagram.
            // A repeated offer (a session refresh) keeps what was learnt.
            if !same_far {
                l.rtp.forget();
            }
        }
        slot.image = Some(Box::new(Image { agreed, far }));
        if heard_in_a_mix {
            self.forget_source(leg);
        }
        self.rearm(leg, now);
    }

    /// An audio offer or answer was taken on `leg`: an image leg is an audio leg again,
    /// its RTP learnt afresh.
    pub(super) fn leave_image(&mut self, leg: LegId) {
        let Some(slot) = self.legs.get_mut(&leg) else {
            return;
        };
        if slot.image.take().is_some() {
            if let Kind::Rtp(l) = &mut slot.kind {
                l.rtp.forget();
            }
        }
    }

    /// A datagram on a T.38 leg: from the latched far end, to its terminal unchanged.
    pub(super) fn handle_image_datagram(
        &mut self,
        now: Instant,
        leg: LegId,
        socket: Socket,
        from: SocketAddr,
        bytes: &[u8],
    ) {
        let Some(slot) = self.legs.get_mut(&leg) else {
            return;
        };
        let Kind::Rtp(l) = &mut slot.kind else {
            return;
        };
        // No RTCP with T.38; a stray report on the RTCP port is dropped.
        if socket == Socket::Rtcp || stale_audio(l, bytes) {
            return;
        }
        if l.rtp.handle_packet(now, from) == Verdict::Refused {
            return;
        }
        l.heard(now);
        let to = l.destination();
        if let Some(attached) = slot.terminal.as_mut() {
            attached.datagram(leg, bytes, to, &mut self.transmits);
            attached.tell_if_done(leg, &mut self.events);
        }
    }
}

/// Audio still in flight from before the switch (RTP of the leg's old codec or events,
/// or RTCP) must not latch the image stream onto the old RTP port: before the first
/// UDPTL datagram is latched, such a datagram is dropped. A UDPTL datagram never looks
/// like one then: its first octet is the high octet of a sequence number that starts
/// at 0, far from RTP's version bits. Once latched, everything from the far end is
/// handed on as it came.
fn stale_audio(l: &RtpLeg, bytes: &[u8]) -> bool {
    if l.rtp.latched().is_some() {
        return false;
    }
    if rtp::is_rtcp(bytes) {
        return true;
    }
    let (Ok(header), Some(audio)) = (RtpHeader::parse(bytes), l.negotiated()) else {
        return false;
    };
    header.payload_type == audio.payload_type || Some(header.payload_type) == audio.events
}
