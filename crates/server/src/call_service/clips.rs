//! What a hotline's callers hear, as 20 ms A-law frames: the hotline's own announcements
//! (uploaded, from the store) where it has them, else the built-in German prompts
//! (`audio::prompts`); positions and waits composed from the spoken numbers.

use audio::prompts::{self, Language};
use media::player::Frame;
use queues::Clip;
use std::collections::HashMap;
use std::sync::Arc;
use store::{HotlineBook, Store};

/// The frames of every clip, ready to play (shared by all callers).
#[derive(Default)]
pub(super) struct Clips {
    /// Uploaded announcements by id.
    announcements: HashMap<i64, Arc<[Frame]>>,
    /// Built-in prompts by name.
    builtin: HashMap<&'static str, Arc<[Frame]>>,
    /// Per hotline: welcome, closed message, music on hold (announcement ids).
    hotlines: HashMap<i64, [Option<i64>; 3]>,
    /// Per queue: the periodic announcement.
    periodic: HashMap<i64, i64>,
    /// The tone an agent hears when a supervisor begins to listen in, made once.
    tone: Option<Arc<[Frame]>>,
}

impl Clips {
    /// The tone an agent hears when a supervisor begins to listen in.
    pub fn listening_tone(&mut self) -> Arc<[Frame]> {
        self.tone
            .get_or_insert_with(|| audio::tone::listening_tone().into())
            .clone()
    }

    /// Reads the announcements the hotlines use.
    pub async fn load(&mut self, store: &Store, book: &HotlineBook) {
        self.hotlines = book
            .hotlines
            .iter()
            .map(|h| {
                let ids = [h.welcome_announcement, h.closed_announcement, h.hold_music];
                (h.id, ids)
            })
            .collect();
        self.periodic = book
            .queues
            .iter()
            .filter_map(|q| Some((q.id, q.periodic_announcement?)))
            .collect();
        let wanted: Vec<i64> = self
            .hotlines
            .values()
            .flatten()
            .flatten()
            .chain(self.periodic.values())
            .copied()
            .collect();
        self.announcements.retain(|id, _| wanted.contains(id));
        for id in wanted {
            if self.announcements.contains_key(&id) {
                continue;
            }
            match store.announcement_audio(id).await {
                Ok(Some(alaw)) => {
                    self.announcements.insert(id, prompts::to_frames(&alaw));
                }
                Ok(None) => tracing::warn!(announcement = id, "an announcement is missing"),
                Err(e) => tracing::error!(error = %e, "an announcement could not be read"),
            }
        }
    }

    /// The frames of `clip` (`None`: nothing to play, e.g. no periodic announcement).
    pub fn frames(&mut self, clip: Clip) -> Option<Arc<[Frame]>> {
        let own = |i: usize, h: i64| self.hotlines.get(&h).and_then(|ids| ids[i]);
        let announcement = match clip {
            Clip::Welcome(h) => own(0, h),
            Clip::Closed(h) => own(1, h),
            Clip::HoldMusic(h) => own(2, h),
            Clip::Periodic(q) => Some(*self.periodic.get(&q.0)?),
            _ => None,
        };
        if let Some(frames) = announcement.and_then(|id| self.announcements.get(&id)) {
            return Some(frames.clone());
        }
        let name = match clip {
            Clip::Welcome(_) => "welcome",
            Clip::Closed(_) => "closed",
            Clip::HoldMusic(_) => prompts::HOLD_MUSIC,
            Clip::Menu(_) => "menu_hint",
            Clip::CallbackOffer => "callback_offer",
            Clip::CallbackConfirmed => "callback_confirmed",
            Clip::Overflow => "overflow",
            Clip::Periodic(_) => return None,
            Clip::Position { position, wait_ms } => {
                let minutes = wait_ms.map(|ms| ((ms + 59_999) / 60_000).clamp(1, 99) as u32);
                let alaw = prompts::position(Language::German, position, minutes);
                return Some(prompts::to_frames(&alaw));
            }
        };
        if let Some(frames) = self.builtin.get(name) {
            return Some(frames.clone());
        }
        let frames = prompts::to_frames(prompts::clip(Language::German, name)?);
        self.builtin.insert(name, frames.clone());
        Some(frames)
    }
}
