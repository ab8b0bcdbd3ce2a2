//! Recording what a leg says (a caller leaving a voicemail): its audio is kept at 8 kHz
//! while it goes on being relayed as before; the recording ends at its limit, when it is
//! stopped, or when the leg goes, and comes out as [`Event::Recorded`].

use super::{Engine, EngineError, Event, LegId};
use crate::recorder::Recorder;

impl Engine {
    /// Records what `leg` says from now on, at most `max_samples` (8 kHz). A recording
    /// already under way starts again.
    pub fn record(&mut self, leg: LegId, max_samples: usize) -> Result<(), EngineError> {
        let slot = self.legs.get_mut(&leg).ok_or(EngineError::NoLeg(leg))?;
        if slot.negotiated().is_none() {
            return Err(EngineError::NotNegotiated(leg));
        }
        slot.recorder = Some(Box::new(Recorder::new(max_samples)));
        Ok(())
    }

    /// Ends a recording under way: [`Event::Recorded`] with what it holds.
    pub fn stop_recording(&mut self, leg: LegId) {
        self.finish_recording(leg, false);
    }

    /// Whether `leg` is being recorded.
    pub fn is_recording(&self, leg: LegId) -> bool {
        self.legs.get(&leg).is_some_and(|s| s.recorder.is_some())
    }

    pub(super) fn recording_full(&mut self, leg: LegId) {
        self.finish_recording(leg, true);
    }

    fn finish_recording(&mut self, leg: LegId, full: bool) {
        let Some(recorder) = self.legs.get_mut(&leg).and_then(|s| s.recorder.take()) else {
            return;
        };
        self.events.push_back(Event::Recorded {
            leg,
            samples: recorder.into_samples(),
            full,
        });
    }
}
