//! Our own audio into a leg: 20 ms of G.711 that no far side sent (a prompt's frame, a
//! mix), on the leg's own sequence numbers and timestamps.

use super::{Kind, LegId, Slot, Transmit};
use crate::rtp::{self, Rewritten};
use crate::webrtc_leg::Happened;
use crate::Socket;
use std::collections::VecDeque;
use std::time::Instant;

impl Slot {
    /// Sends 20 ms of our own G.711 audio (a prompt's, a mix's) into the leg, on its own
    /// sequence numbers and timestamps; a browser leg's datagrams land in `happened`.
    pub(super) fn send_own_frame(
        &mut self,
        now: Instant,
        leg: LegId,
        marker: bool,
        payload: &[u8],
        transmits: &mut VecDeque<Transmit>,
        happened: &mut Vec<Happened>,
    ) {
        let Some(n) = self.negotiated() else { return };
        let (sequence, timestamp) = self.out.next_own(now, 8000, false);
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
