//! Were the position announcements on time? Pure, from what a caller heard.
//!
//! The schedule, as `queues::queue` and the switchboard make it: on entering, the welcome
//! plays, and the first position announcement follows when the welcome has ended (the
//! media service reports the end, the switchboard starts the next clip), so it is due
//! the welcome's length after the welcome's first frame arrived. Then a position
//! announcement is due every `every` after entering (`next_position_ms = now + every`,
//! started at once over the music on hold). Entering is the caller's `since_ms` on the
//! wallboard (see `board::pair`). Each due time takes the earliest unused announcement
//! heard from 1 s before it to half an interval after it; none there is a miss.
//!
//! A prompt due while another plays waits for its end (`Switchboard::play`: at once only
//! over the music): the composed "position N, wait about M minutes" of a caller's first
//! announcement lasts 4–5 s once the queue can estimate waits, and may still play when
//! the next is due. Such an announcement is on time when it starts with the frame after
//! the other's last one; how far it slipped from its due time is kept apart.

use super::stream::{Heard1, Prompt};

/// The schedule.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// The welcome's length (ms).
    pub welcome_ms: i64,
    /// The interval of position announcements (ms).
    pub every_ms: i64,
    /// Nothing is due this close to the caller's end (ms): its first frame might still
    /// be on its way.
    pub margin_ms: i64,
}

/// One caller, as heard.
#[derive(Debug, Clone)]
pub struct Caller<'a> {
    /// When their 200 OK arrived (µs).
    pub from_us: i64,
    /// When they entered the queue (server ms), if paired with the board.
    pub entered_ms: Option<i64>,
    /// Until when announcements are due (µs): their hang-up, or when an agent's voice
    /// first arrived.
    pub until_us: i64,
    /// Prompts heard.
    pub prompts: &'a [Heard1],
}

/// The announcements of many callers.
#[derive(Debug, Clone, Default)]
pub struct Timeliness {
    /// Lateness of the first announcement after the welcome (ms).
    pub first_ms: Vec<f64>,
    /// Lateness of the periodic ones (ms).
    pub periodic_ms: Vec<f64>,
    /// Due but not heard.
    pub missed: u64,
    /// Callers who heard no welcome (their first announcement is not judged).
    pub no_welcome: u64,
    /// Callers without a board line (their periodic ones are not judged).
    pub unanchored: u64,
    /// Announcements heard that were not due.
    pub extra: u64,
    /// Periodic ones that waited for another prompt to end.
    pub queued: u64,
    /// How far those started after their due time (ms).
    pub queued_slip_ms: Vec<f64>,
}

impl Timeliness {
    /// Judges one caller's announcements.
    pub fn add(&mut self, s: &Schedule, c: &Caller) {
        let until = c.until_us - s.margin_ms * 1_000;
        let mut heard: Vec<(Heard1, bool)> = c
            .prompts
            .iter()
            .filter(|h| h.prompt == Prompt::Position && h.at_us < until)
            .map(|&h| (h, false))
            .collect();
        let mut take = |due_us: i64| -> Option<Heard1> {
            let window = due_us - 1_000_000..=due_us + s.every_ms * 500;
            let hit = heard
                .iter_mut()
                .find(|(h, used)| !*used && window.contains(&h.at_us))?;
            hit.1 = true;
            Some(hit.0)
        };
        let ms = |us: i64| us as f64 / 1_000.0;
        match c.prompts.iter().find(|h| h.prompt == Prompt::Welcome) {
            Some(welcome) => {
                let due = welcome.at_us + s.welcome_ms * 1_000;
                if due < until {
                    match take(due) {
                        Some(h) => self.first_ms.push(ms(h.at_us - due)),
                        None => self.missed += 1,
                    }
                }
            }
            // Bridged at once, the welcome may never play.
            None if c.until_us - c.from_us > 1_000_000 => self.no_welcome += 1,
            None => {}
        }
        match c.entered_ms {
            Some(entered) => {
                let mut due = (entered + s.every_ms) * 1_000;
                while due < until {
                    match take(due) {
                        Some(h) => {
                            // After another prompt: due with the frame after its last.
                            let free = h.after_us.map(|a| a + 20_000);
                            match free.filter(|&f| f > due) {
                                Some(f) => {
                                    self.queued += 1;
                                    self.queued_slip_ms.push(ms(h.at_us - due));
                                    self.periodic_ms.push(ms(h.at_us - f));
                                }
                                None => self.periodic_ms.push(ms(h.at_us - due)),
                            }
                        }
                        None => self.missed += 1,
                    }
                    due += s.every_ms * 1_000;
                }
            }
            // Only a caller who stayed an interval needed a line.
            None if c.until_us - c.from_us > s.every_ms * 1_000 => self.unanchored += 1,
            None => {}
        }
        self.extra += heard.iter().filter(|(_, used)| !used).count() as u64;
    }

    /// Every judged announcement's lateness.
    pub fn all_ms(&self) -> Vec<f64> {
        self.first_ms
            .iter()
            .chain(&self.periodic_ms)
            .copied()
            .collect()
    }
}

/// The `q` quantile (0–1) of `values` (nearest rank); `None` when empty.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use Prompt::{Position, Welcome};

    fn h(prompt: Prompt, at_us: i64, after_us: Option<i64>) -> Heard1 {
        Heard1 {
            prompt,
            at_us,
            after_us,
        }
    }

    const S: Schedule = Schedule {
        welcome_ms: 6_360,
        every_ms: 10_000,
        margin_ms: 1_000,
    };

    #[test]
    fn first_after_the_welcome_then_every_interval_after_entering() {
        // Entered at 1,000 ms; welcome heard at 1.010 s; first position 12 ms after its
        // end; periodic ones 5 ms and 30 ms late; the caller hangs up at 32 s.
        let prompts = [
            h(Welcome, 1_010_000, None),
            h(Position, 7_382_000, Some(7_350_000)),
            h(Position, 11_005_000, None),
            h(Position, 21_030_000, None),
            h(Position, 31_002_000, None),
        ];
        let c = Caller {
            from_us: 1_001_000,
            entered_ms: Some(1_000),
            until_us: 32_000_000,
            prompts: &prompts,
        };
        let mut t = Timeliness::default();
        t.add(&S, &c);
        assert_eq!(t.first_ms, [12.0]);
        assert_eq!(t.periodic_ms, [5.0, 30.0]);
        // 31 s is within the margin of the hang-up: neither due nor extra.
        assert_eq!(
            (t.missed, t.extra, t.no_welcome, t.unanchored),
            (0, 0, 0, 0)
        );
    }

    #[test]
    fn misses_and_callers_without_welcome_or_board_line() {
        let prompts = [
            h(Welcome, 0, None),
            h(Position, 6_400_000, Some(6_350_000)),
            h(Position, 25_000_000, None),
        ];
        let c = Caller {
            from_us: 0,
            entered_ms: Some(0),
            until_us: 40_000_000,
            prompts: &prompts,
        };
        let mut t = Timeliness::default();
        t.add(&S, &c);
        // Due at 10, 20, 30 s: 10 and 30 missed; 25 s is 5 s late for 20 s (in the window).
        assert_eq!((t.periodic_ms.clone(), t.missed), (vec![5_000.0], 2));
        let mut t = Timeliness::default();
        t.add(
            &S,
            &Caller {
                from_us: 0,
                entered_ms: None,
                until_us: 40_000_000,
                prompts: &[h(Position, 6_400_000, None)],
            },
        );
        assert_eq!((t.no_welcome, t.unanchored, t.extra), (1, 1, 1));
        assert_eq!(quantile(&[3.0, 1.0, 2.0, 10.0], 0.5), Some(2.0));
        assert_eq!(quantile(&[3.0, 1.0, 2.0, 10.0], 0.99), Some(10.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn an_announcement_behind_another_is_due_when_that_one_ends() {
        // Due at 10 s while the first (with its wait sentence) plays until 11.38 s: it
        // follows 22 ms after that one's last frame arrived (2 ms late), 1.4 s after due.
        let prompts = [
            h(Welcome, 0, None),
            h(Position, 6_361_000, Some(6_340_000)),
            h(Position, 11_402_000, Some(11_380_000)),
        ];
        let c = Caller {
            from_us: 0,
            entered_ms: Some(0),
            until_us: 15_000_000,
            prompts: &prompts,
        };
        let mut t = Timeliness::default();
        t.add(&S, &c);
        assert_eq!(
            (t.first_ms.clone(), t.periodic_ms.clone()),
            (vec![1.0], vec![2.0])
        );
        assert_eq!(
            (t.queued, t.queued_slip_ms.clone(), t.missed),
            (1, vec![1_402.0], 0)
        );
    }
}
