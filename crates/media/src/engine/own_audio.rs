//! Our own audio into a leg: 20 ms of G.711 that no far side sent (a prompt's frame, a
//! mix), on the leg's own sequence numbers and timestamps; encoded as Opus for a browser
//! leg that speaks it.

use super::{Kind, LegId, Slot, Transmit};
use crate::codec::Codec;
use crate::opus_voice::OpusVoice;
use crate::rtp::{self, Rewritten};
use crate::webrtc_leg::Happened;
use crate::Socket;
use std::collections::VecDeque;
use std::time::Instant;

impl Slot {
    /// Sends 20 ms of our own G.711 audio in `law` (a prompt's, a mix's) into the leg, on
    /// its own sequence numbers and timestamps; `law` is the leg's codec, or the frame's
    /// law when the leg speaks Opus. A browser leg's datagrams land in `happened`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_own_frame(
        &mut self,
        now: Instant,
        leg: LegId,
        marker: bool,
        law: Codec,
        payload: &[u8],
        transmits: &mut VecDeque<Transmit>,
        happened: &mut Vec<Happened>,
    ) {
        let Some(n) = self.negotiated() else { return };
        let encoded;
        let payload = if n.codec == Codec::Opus {
            if self.voice.is_none() {
                self.voice = OpusVoice::new().map(Box::new);
            }
            let Some(packet) = self.voice.as_mut().and_then(|v| v.encode(law, payload)) else {
                return;
            };
            encoded = packet;
            &encoded[..]
        } else {
            payload
        };
        let (sequence, timestamp) = self.out.next_own(now, n.codec.clock_rate(), false);
        let fields = Rewritten {
            marker,
            payload_type: n.payload_type,
            sequence,
            timestamp,
            ssrc: self.out.ssrc(),
        };
        self.sent.packets = self.sent.packets.wrapping_add(1);
        self.sent.octets = self.sent.octets.wrapping_add(payload.len() as u32);
        self.sent.timestamp = timestamp;
        match &mut self.kind {
            Kind::Rtp(l) => {
                if let Some(to) = l.destination() {
                    transmits.push_back(Transmit {
                        leg,
                        socket: Socket::Rtp,
                        to,
                        bytes: rtp::packet(fields, payload),
                    });
                }
            }
            Kind::WebRtc(l) => l.send_rtp(
                now,
                n.payload_type,
                sequence,
                timestamp,
                marker,
                payload,
                happened,
            ),
        }
    }
}
