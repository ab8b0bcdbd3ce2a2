//! Legs that hear a mix instead of their peer: a supervisor listening in hears the
//! caller and the agent; an agent being whispered to hears the caller and the
//! supervisor. The sources go on being relayed as before; only a leg that hears a mix
//! gets its audio from the mix clock (see [`crate::mixer`]).

use super::{Engine, EngineError, LegId};
use crate::mixer::{Inbox, Sum};
use crate::player::FRAME_TIME;
use std::time::Instant;

/// The timer of the mix clock (no leg is ever numbered 0).
pub const MIX_CLOCK: LegId = LegId(0);

/// How late the mix clock may fall behind before it starts again from now.
const MAX_LAG: std::time::Duration = std::time::Duration::from_millis(100);

impl Engine {
    /// From now on `leg` hears the mix of `sources` instead of its peer (its own audio
    /// still goes to its peer); empty: its peer again. Every leg must speak G.711.
    pub fn hear(&mut self, now: Instant, leg: LegId, sources: &[LegId]) -> Result<(), EngineError> {
        for &l in sources.iter().chain([&leg]) {
            let slot = self.legs.get(&l).ok_or(EngineError::NoLeg(l))?;
            if !slot.speaks_g711() {
                return Err(EngineError::NotG711(l));
            }
        }
        let mut sources = sources.to_vec();
        sources.retain(|&s| s != leg);
        sources.sort_unstable();
        sources.dedup();
        if let Some(slot) = self.legs.get_mut(&leg) {
            slot.hears = sources;
        }
        self.refresh_inboxes();
        if self.mix_due.is_none() && self.legs.values().any(|s| !s.hears.is_empty()) {
            self.mix_due = Some(now);
            self.timers.insert((now, MIX_CLOCK));
        }
        Ok(())
    }

    /// `legs` hear their peers again, not a mix.
    pub(super) fn stop_hearing(&mut self, legs: &[LegId]) {
        let mut any = false;
        for leg in legs {
            if let Some(slot) = self.legs.get_mut(leg) {
                any |= !slot.hears.is_empty();
                slot.hears.clear();
            }
        }
        if any {
            self.refresh_inboxes();
        }
    }

    /// The legs `leg` hears in a mix (empty: its peer).
    pub fn hearing(&self, leg: LegId) -> &[LegId] {
        self.legs.get(&leg).map_or(&[], |s| &s.hears)
    }

    /// A source went away: nobody hears it any more; a leg left hearing only its own
    /// peer hears it directly again.
    pub(super) fn forget_source(&mut self, gone: LegId) {
        for slot in self.legs.values_mut() {
            slot.hears.retain(|&l| l != gone);
            if slot.hears.len() == 1 && slot.peer == Some(slot.hears[0]) {
                slot.hears.clear();
            }
        }
        self.refresh_inboxes();
    }

    /// Every leg someone hears in a mix keeps a buffer of its audio; no other leg does.
    fn refresh_inboxes(&mut self) {
        let heard: std::collections::HashSet<LegId> = self
            .legs
            .values()
            .flat_map(|s| s.hears.iter().copied())
            .collect();
        for (id, slot) in self.legs.iter_mut() {
            match (heard.contains(id), slot.inbox.is_some()) {
                (true, false) => slot.inbox = Some(Box::new(Inbox::default())),
                (false, true) => slot.inbox = None,
                _ => {}
            }
        }
    }

    /// One tick of the mix clock: every buffer moves on by 20 ms, every hearing leg gets
    /// the sum of its sources (unless it is held, sends digits or hears a prompt).
    pub(super) fn mix_tick(&mut self, now: Instant) {
        let Some(due) = self.mix_due else { return };
        for inbox in self.legs.values_mut().filter_map(|s| s.inbox.as_mut()) {
            inbox.advance();
        }
        let hearing: Vec<LegId> = self
            .legs
            .iter()
            .filter(|(_, s)| !s.hears.is_empty())
            .map(|(&id, _)| id)
            .collect();
        let mut happened = std::mem::take(&mut self.scratch);
        for leg in &hearing {
            let Some(slot) = self.legs.get(leg) else {
                continue;
            };
            let Some(n) = slot.negotiated() else { continue };
            if slot.held || slot.player.is_some() || slot.dtmf_out.poll_timeout().is_some() {
                continue;
            }
            let mut sum = Sum::default();
            for source in &slot.hears {
                if let Some(inbox) = self.legs.get(source).and_then(|s| s.inbox.as_deref()) {
                    sum.add(inbox.current());
                }
            }
            let frame = sum.encode(n.codec);
            if let Some(slot) = self.legs.get_mut(leg) {
                slot.send_own_frame(
                    now,
                    *leg,
                    false,
                    n.codec,
                    &frame,
                    &mut self.transmits,
                    &mut happened,
                );
            }
            self.handle_happened(now, *leg, &mut happened);
            // A browser leg's own timers (str0m) may be due sooner now.
            self.rearm(*leg, now);
        }
        self.scratch = happened;
        if hearing.is_empty() {
            self.mix_due = None;
            return;
        }
        // On the frame clock, not on the time of the wake-up; far behind: from now.
        let mut next = due + FRAME_TIME;
        if next + MAX_LAG < now {
            next = now + FRAME_TIME;
        }
        self.mix_due = Some(next);
        self.timers.insert((next, MIX_CLOCK));
    }
}
