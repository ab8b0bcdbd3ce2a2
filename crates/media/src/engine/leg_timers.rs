//! A leg's own timers, when they are due: its browser leg's (str0m: ICE, DTLS), the
//! telephone-events it generates, the prompt it plays on its 20 ms clock, and the RTCP
//! sender reports of a phone leg.

use super::{Engine, Event, Kind, LegId, Socket, Transmit};
use crate::codec::{convert_g711, Codec};
use crate::player::Played;
use crate::rtcp;
use crate::rtp::{self, Rewritten};
use std::time::{Instant, SystemTime};

impl Engine {
    pub(super) fn run_leg_timers(&mut self, now: Instant, leg: LegId) {
        let Some(slot) = self.legs.get_mut(&leg) else {
            return;
        };
        let mut out = std::mem::take(&mut self.scratch);
        if let Kind::WebRtc(l) = &mut slot.kind {
            l.handle_timeout(now, &mut out);
        }
        // Generated telephone-events.
        let clock = slot.negotiated().map_or(8000, |n| n.codec.clock_rate());
        while let Some(p) = slot.dtmf_out.poll_packet(now) {
            let Some(pt) = slot.negotiated().and_then(|n| n.events) else {
                break;
            };
            let (sequence, timestamp) = slot.out.next_own(now, clock, !p.new_event);
            if p.new_event {
                slot.dtmf_event_timestamp = timestamp;
            }
            let fields = Rewritten {
                marker: p.marker,
                payload_type: pt,
                sequence,
                timestamp: slot.dtmf_event_timestamp,
                ssrc: slot.out.ssrc(),
            };
            let payload = p.event.to_bytes();
            match &mut slot.kind {
                Kind::Rtp(l) => {
                    if let Some(to) = l.destination() {
                        self.transmits.push_back(Transmit {
                            leg,
                            socket: Socket::Rtp,
                            to,
                            bytes: rtp::packet(fields, &payload),
                        });
                    }
                }
                Kind::WebRtc(l) => l.send_rtp(
                    now,
                    pt,
                    sequence,
                    fields.timestamp,
                    fields.marker,
                    &payload,
                    &mut out,
                ),
            }
        }
        // A prompt's frames, on its own 20 ms clock.
        let mut finished = false;
        if let (Some(n), Some(mut player)) = (slot.negotiated(), slot.player.take()) {
            while let Some(played) = player.poll_frame(now) {
                let Played::Frame { frame, first } = played else {
                    finished = true;
                    break;
                };
                let mut payload = *frame;
                let law = if n.codec == Codec::Opus {
                    player.encoding()
                } else {
                    convert_g711(player.encoding(), n.codec, &mut payload);
                    n.codec
                };
                slot.send_own_frame(
                    now,
                    leg,
                    first,
                    law,
                    &payload,
                    &mut self.transmits,
                    &mut out,
                );
            }
            if !finished {
                slot.player = Some(player);
            }
        }
        if finished {
            self.events.push_back(Event::Played(leg));
        }
        slot.run_terminal(now, leg, &mut self.transmits, &mut out, &mut self.events);
        // RTCP sender reports on RTP legs.
        if slot.next_report.is_some_and(|t| t <= now) {
            slot.next_report = Some(now + rtcp::INTERVAL);
            if let Kind::Rtp(l) = &slot.kind {
                if let Some(to) = l.rtcp.destination() {
                    let bytes = rtcp::sender_report(
                        slot.out.ssrc(),
                        slot.sent,
                        SystemTime::now(),
                        &self.cname,
                    );
                    self.transmits.push_back(Transmit {
                        leg,
                        socket: Socket::Rtcp,
                        to,
                        bytes,
                    });
                }
            }
        }
        self.handle_happened(now, leg, &mut out);
        self.scratch = out;
    }
}
