//! The wallboard as a supervisor's browser sees it: every `queue.board` frame of the
//! hotline on the supervisor's WebSocket. Each waiting caller is a line with the time
//! they entered the queue (`since_ms`, the server's clock, the same machine's); the log
//! keeps when each line was first seen. Callers are paired with their lines afterwards
//! ([`pair`]), which gives both the wallboard's delay and the exact time each caller
//! entered (the schedule of their position announcements counts from it).

use crate::client::Socket;
use futures_util::StreamExt;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tokio_tungstenite::tungstenite::Message;

/// What the supervisor saw.
#[derive(Debug, Default)]
pub struct BoardLog {
    /// Each waiting line when first seen: (since_ms, seen at µs since the epoch).
    pub entries: Vec<(i64, i64)>,
    /// The most lines with each `since_ms` in one frame so far.
    seen: HashMap<i64, usize>,
    /// `queue.board` frames of the hotline.
    pub frames: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Waiting lines in the latest frame.
    pub waiting_now: usize,
    /// Why the socket ended, if it did.
    pub ended: Option<String>,
}

impl BoardLog {
    /// Takes a frame that arrived at `now_us`.
    pub fn on_frame(&mut self, hotline: i64, text: &str, now_us: i64) {
        // Cheap test first: most other frames are presence.
        if !text.contains("\"queue.board\"") {
            return;
        }
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            return;
        };
        if frame["type"] != "queue.board" || frame["hotline"].as_i64() != Some(hotline) {
            return;
        }
        self.frames += 1;
        self.bytes += text.len() as u64;
        let Some(waiting) = frame["board"]["waiting"].as_array() else {
            return;
        };
        self.waiting_now = waiting.len();
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for since in waiting.iter().filter_map(|w| w["since_ms"].as_i64()) {
            *counts.entry(since).or_default() += 1;
        }
        for (since, n) in counts {
            let before = self.seen.entry(since).or_default();
            for _ in *before..n {
                self.entries.push((since, now_us));
            }
            *before = (*before).max(n);
        }
    }
}

/// Reads the supervisor's socket into `log` until it ends.
pub async fn watch(mut socket: Socket, hotline: i64, log: Rc<RefCell<BoardLog>>) {
    let why = loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                let now = super::media::wall_us();
                log.borrow_mut().on_frame(hotline, text.as_str(), now);
            }
            Some(Ok(Message::Close(frame))) => break format!("closed: {frame:?}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => break format!("read error: {e}"),
            None => break "connection ended".into(),
        }
    };
    log.borrow_mut().ended = Some(why);
}

/// Pairs callers who waited (their id and when their 200 OK arrived, µs) with the board's
/// lines (since_ms, first seen µs) of the same period: by order, from the end. Callers an
/// agent took at once may or may not have been on a board frame, but they come first in
/// the phases that have them, so the last `k` callers and the last `k` lines belong
/// together. A pair more than a second apart is not trusted. Returns (caller id,
/// since_ms, seen µs).
pub fn pair(callers: &[(u32, i64)], entries: &[(i64, i64)]) -> Vec<(u32, i64, i64)> {
    let mut callers = callers.to_vec();
    callers.sort_by_key(|&(id, at)| (at, id));
    let mut entries = entries.to_vec();
    entries.sort_unstable();
    let k = callers.len().min(entries.len());
    callers[callers.len() - k..]
        .iter()
        .zip(&entries[entries.len() - k..])
        .filter(|((_, at), (since, _))| (at / 1000 - since).abs() <= 1_000)
        .map(|(&(id, _), &(since, seen))| (id, since, seen))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(hotline: i64, since: &[i64]) -> String {
        let waiting: Vec<Value> = since
            .iter()
            .map(|s| serde_json::json!({"queue": 1, "since_ms": s, "callback": false}))
            .collect();
        serde_json::json!({"type": "queue.board", "hotline": hotline,
                           "board": {"waiting": waiting, "agents": []}})
        .to_string()
    }

    #[test]
    fn lines_are_logged_when_first_seen_twins_included() {
        let mut log = BoardLog::default();
        log.on_frame(3, &frame(3, &[100]), 1_000);
        log.on_frame(3, &frame(3, &[100, 120, 120]), 2_000);
        log.on_frame(3, &frame(4, &[130]), 2_500);
        log.on_frame(3, r#"{"type":"presence","x":1}"#, 2_600);
        log.on_frame(3, &frame(3, &[120, 120, 140]), 3_000);
        assert_eq!(
            log.entries,
            [(100, 1_000), (120, 2_000), (120, 2_000), (140, 3_000)]
        );
        assert_eq!((log.frames, log.waiting_now), (3, 3));
    }

    #[test]
    fn pairs_from_the_end_and_refuses_far_pairs() {
        // Caller 1 left at once and never showed; 2 and 3 did.
        let callers = [(3, 1_060_000), (1, 1_000_000), (2, 1_020_000)];
        let entries = [(1_018, 5), (1_059, 6)];
        assert_eq!(pair(&callers, &entries), [(2, 1_018, 5), (3, 1_059, 6)]);
        assert!(pair(&callers, &[(5_000, 1)]).is_empty(), "4 s apart");
    }
}
