//! The goals against what the callers heard and what the boxes hold: each row a
//! figure, its goal and a ratio that passes at ≥ 1.00 (as the hotline load's), and the
//! CPU figures for information.

use super::boxes::Stored;
use super::cpu::Usage;
use super::rtp::Report;
use crate::hotline::announce::quantile;
use crate::hotline::carrier::Outcome;
use crate::hotline::goals::row;
use serde_json::{json, Value};

/// What a stored recording should be.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The caller's number ends with this.
    pub caller_suffix: String,
    /// How long the caller spoke (ms).
    pub talk_ms: f64,
    /// The silence the trim keeps after the last sound (ms, `voicemail::trim::MARGIN`).
    pub margin_ms: f64,
    /// The tone may be this much shorter than said (ms): the recording begins when the
    /// server has seen the signal's end, a moment after the caller heard it.
    pub start_slack_ms: f64,
}

/// Whether a box holds what the caller left: one message from this caller, decodable,
/// as long as its row says, holding the caller's own tone for (about) as long as it was
/// said, and the silence after it trimmed to the margin. Holes in the tone are counted as
/// loss, not here.
pub fn verdict(s: &Stored, e: &Expect) -> Result<(), String> {
    if let Some(error) = &s.error {
        return Err(error.clone());
    }
    if s.messages != 1 {
        return Err(format!("{} messages in the box", s.messages));
    }
    let number = s.caller_number.as_deref().unwrap_or_default();
    if !number.ends_with(&e.caller_suffix) {
        return Err(format!("the message is from {number:?}"));
    }
    let a = s.audio.ok_or("not decoded")?;
    let row = s.row_ms.unwrap_or_default() as f64;
    if (a.duration_ms - row).abs() > 40.0 {
        return Err(format!(
            "its row says {row} ms, the file holds {} ms",
            a.duration_ms
        ));
    }
    if !a.is_own() {
        return Err(format!("not the caller's pitch (share {:.2})", a.own_share));
    }
    let (Some(from), Some(until)) = (a.tone_from_ms, a.tone_until_ms) else {
        return Err("no tone in it".into());
    };
    let span = until - from;
    if span < e.talk_ms - e.start_slack_ms || span > e.talk_ms + 40.0 {
        return Err(format!("{span} ms of tone, {} ms said", e.talk_ms));
    }
    let tail = a.duration_ms - until;
    if (tail - e.margin_ms).abs() > 100.0 {
        return Err(format!(
            "{tail} ms kept after the tone (the trim keeps {} ms)",
            e.margin_ms
        ));
    }
    Ok(())
}

/// The most intervals `[from, until)` open at once.
pub fn most_at_once(intervals: &[(i64, i64)]) -> usize {
    let mut edges: Vec<(i64, i32)> = intervals
        .iter()
        .filter(|(f, u)| u > f)
        .flat_map(|&(f, u)| [(f, 1), (u, -1)])
        .collect();
    // An interval that ends where another begins does not overlap it.
    edges.sort();
    let mut open = 0i32;
    let mut most = 0i32;
    for (_, d) in edges {
        open += d;
        most = most.max(open);
    }
    most as usize
}

/// p50, p99, min and max of `values`.
pub fn spread(values: &[f64]) -> Value {
    json!({
        "n": values.len(),
        "min": quantile(values, 0.0), "p50": quantile(values, 0.5),
        "p99": quantile(values, 0.99), "max": quantile(values, 1.0),
    })
}

/// Everything the run saw.
pub struct Seen<'a> {
    /// The callers planned.
    pub callers: usize,
    /// Frames each caller should have heard (greeting and signal), by caller id.
    pub expected_frames: &'a [u64],
    /// The carrier's outcomes.
    pub outcomes: &'a [Outcome],
    /// The callers' reports.
    pub reports: &'a [Report],
    /// Each box, by caller id.
    pub stored: &'a [Stored],
    /// What each recording should be, by caller id.
    pub expect: &'a [Expect],
    /// CPU while all heard their greeting, while all were recorded, from the first
    /// hang-up to the last file, over the whole run.
    pub usage: [Option<Usage>; 4],
    /// The goal for loss (%).
    pub goal_loss_pct: f64,
    /// The settings, as given.
    pub settings: Value,
}

/// Judges the run: the JSON summary with `pass`, `goals`, `cpu`, and the figures.
pub fn judge(seen: &Seen) -> Value {
    let n = seen.callers;
    let report = |id: usize| seen.reports.iter().find(|r| r.id as usize == id);
    // Downstream: frames of greeting and signal that did not arrive intact (a caller
    // without a report heard nothing of its whole script).
    let expected: u64 = seen.expected_frames.iter().sum();
    let intact: u64 = (0..n)
        .filter_map(|id| report(id).map(|r| r.caller.intact_frames))
        .sum();
    let (seq_expected, seq_received) = seen.reports.iter().fold((0, 0), |(e, r), x| {
        (e + x.caller.seq_expected, r + x.caller.seq_received)
    });
    let pct = |lost: f64, of: f64| (of > 0.0).then(|| 100.0 * lost / of);
    let down_loss = pct(expected.saturating_sub(intact) as f64, expected as f64);
    // Upstream: holes in the recordings' tone.
    let audio: Vec<_> = seen.stored.iter().filter_map(|s| s.audio).collect();
    let holes: f64 = audio.iter().map(|a| a.holes_ms).sum();
    let tone: f64 = audio.iter().map(|a| a.tone_ms + a.holes_ms).sum();
    let up_loss = pct(holes, tone);
    let verdicts: Vec<Result<(), String>> = (0..n)
        .map(|id| match seen.stored.get(id) {
            Some(s) => verdict(s, &seen.expect[id]),
            None => Err("not read".into()),
        })
        .collect();
    let complete = verdicts.iter().filter(|v| v.is_ok()).count();
    let speaking: Vec<(i64, i64)> = seen
        .reports
        .iter()
        .filter_map(|r| Some((r.caller.talk_from_us?, r.caller.quiet_from_us?)))
        .collect();
    let at_once = most_at_once(&speaking);
    let goals = vec![
        row(
            "callers speaking to the boxes at once",
            Some(at_once as f64),
            n as f64,
            false,
            "callers",
        ),
        row(
            "RTP loss on what the callers hear (greeting, signal tone)",
            down_loss.or(Some(100.0)),
            seen.goal_loss_pct,
            true,
            "%",
        ),
        row(
            "RTP loss on what the callers say (holes in the recordings)",
            up_loss.or(Some(100.0)),
            seen.goal_loss_pct,
            true,
            "%",
        ),
        row(
            "recordings stored, decodable, of the right length, the caller's tone",
            Some(complete as f64),
            n as f64,
            false,
            "messages",
        ),
    ];
    let pass = goals.iter().all(|g| g["pass"] == true);
    let mut problems: Vec<String> = verdicts
        .iter()
        .enumerate()
        .filter_map(|(id, v)| v.as_ref().err().map(|e| format!("caller {id}: {e}")))
        .collect();
    let problem_count = problems.len();
    problems.truncate(10);
    // Per channel: ms of CPU per second per caller; per message: ms of CPU.
    let per_caller = |u: &Option<Usage>| {
        u.and_then(|u| u.server_cores)
            .map(|c| c * 1000.0 / n.max(1) as f64)
    };
    let per_message = |u: &Option<Usage>| {
        u.and_then(|u| u.server_cpu_s)
            .map(|c| c * 1000.0 / complete.max(1) as f64)
    };
    let [greeting, recording, storing, whole] = &seen.usage;
    let outcomes = seen.outcomes;
    let failed = outcomes.iter().filter(|o| o.failed.is_some()).count();
    let by_server = outcomes.iter().filter(|o| o.ended_by_server).count();
    let stored_after: Vec<f64> = (0..n)
        .filter_map(|id| {
            let done = report(id)?.caller.done_us?;
            Some((seen.stored.get(id)?.written_us? - done) as f64 / 1000.0)
        })
        .collect();
    // Call control's answers: INVITE to 200 OK, the caller's last frame to the 200 OK
    // of its BYE (the carrier hangs up at once).
    let setup: Vec<f64> = outcomes
        .iter()
        .filter_map(|o| Some((o.answered_us? - o.placed_us) as f64 / 1000.0))
        .collect();
    let bye: Vec<f64> = outcomes
        .iter()
        .filter_map(|o| {
            let done = report(o.id as usize)?.caller.done_us?;
            Some((o.ended_us? - done) as f64 / 1000.0)
        })
        .collect();
    let talk_ms = seen.expect.first().map_or(0.0, |e| e.talk_ms);
    let missing_at_start: Vec<f64> = audio
        .iter()
        .filter_map(|a| Some(talk_ms - (a.tone_until_ms? - a.tone_from_ms?)))
        .collect();
    json!({
        "pass": pass,
        "goals": goals,
        "cpu_ms_per_s": {
            "greeting_caller": per_caller(greeting),
            "recording_channel": per_caller(recording),
        },
        "cpu_ms_per_message": {
            "storing": per_message(storing),
            "whole_call": per_message(whole),
        },
        "usage": {
            "greeting": greeting, "recording": recording, "storing": storing, "whole": whole,
        },
        "calls": {
            "placed": outcomes.len(),
            "answered": outcomes.iter().filter(|o| o.answered_us.is_some()).count(),
            "failed": failed, "ended_by_server": by_server,
            "callers_done": seen.reports.iter().filter(|r| r.caller.done_us.is_some()).count(),
            "packets_sent": seen.reports.iter().map(|r| r.sent).sum::<u64>(),
            "send_errors": seen.reports.iter().map(|r| r.send_errors).sum::<u64>(),
            "setup_ms": spread(&setup),
            "bye_answered_ms": spread(&bye),
        },
        "heard": {
            "frames_expected": expected, "frames_intact": intact, "loss_pct": down_loss,
            "seq_expected": seq_expected, "seq_received": seq_received,
            "seq_loss_pct": pct(seq_expected.saturating_sub(seq_received) as f64, seq_expected as f64),
        },
        "recordings": {
            "boxes_with_a_message": seen.stored.iter().filter(|s| s.messages > 0).count(),
            "complete": complete,
            "problems": problem_count,
            "first_problems": problems,
            "duration_ms": spread(&audio.iter().map(|a| a.duration_ms).collect::<Vec<_>>()),
            "tone_ms": spread(&audio.iter().map(|a| a.tone_ms).collect::<Vec<_>>()),
            "holes_ms_total": holes,
            "tail_ms": spread(&audio.iter().filter_map(|a| a.tail_ms()).collect::<Vec<_>>()),
            "tone_missing_at_start_ms": spread(&missing_at_start),
            "stored_after_hang_up_ms": spread(&stored_after),
            "file_bytes": spread(&seen.stored.iter().filter_map(|s| s.file_bytes.map(|b| b as f64)).collect::<Vec<_>>()),
        },
        "settings": seen.settings,
    })
}

#[cfg(test)]
mod tests {
    use super::super::recording::Audio;
    use super::*;

    fn good() -> Stored {
        Stored {
            messages: 1,
            caller_number: Some("+493050000007".into()),
            row_ms: Some(10_260),
            file_bytes: Some(20_000),
            written_us: Some(0),
            audio: Some(Audio {
                duration_ms: 10_260.0,
                tone_ms: 9_960.0,
                tone_from_ms: Some(0.0),
                tone_until_ms: Some(9_960.0),
                holes_ms: 0.0,
                own_share: 0.99,
            }),
            error: None,
        }
    }

    fn expect() -> Expect {
        Expect {
            caller_suffix: "0000007".into(),
            talk_ms: 10_000.0,
            margin_ms: 300.0,
            start_slack_ms: 500.0,
        }
    }

    #[test]
    fn a_recording_is_judged_by_box_caller_length_pitch_and_trim() {
        assert_eq!(verdict(&good(), &expect()), Ok(()));
        let bad = |f: fn(&mut Stored)| {
            let mut s = good();
            f(&mut s);
            verdict(&s, &expect()).unwrap_err()
        };
        assert_eq!(bad(|s| s.messages = 2), "2 messages in the box");
        assert!(bad(|s| s.caller_number = Some("+493050000008".into())).contains("from"));
        assert!(bad(|s| s.row_ms = Some(9_000)).contains("row says"));
        assert!(bad(|s| s.audio.as_mut().unwrap().own_share = 0.1).contains("pitch"));
        assert!(bad(|s| s.audio.as_mut().unwrap().tone_until_ms = Some(9_000.0)).contains("said"));
        assert!(bad(|s| s.audio.as_mut().unwrap().duration_ms = 11_500.0).contains("row says"));
        assert!(bad(|s| {
            let a = s.audio.as_mut().unwrap();
            a.duration_ms = 11_500.0;
            s.row_ms = Some(11_500);
        })
        .contains("kept after the tone"));
        assert_eq!(bad(|s| s.error = Some("no message".into())), "no message");
    }

    #[test]
    fn the_most_open_at_once() {
        assert_eq!(most_at_once(&[]), 0);
        assert_eq!(most_at_once(&[(0, 10), (5, 15), (10, 20)]), 2);
        assert_eq!(most_at_once(&[(0, 10), (1, 9), (2, 8), (20, 30)]), 3);
        assert_eq!(most_at_once(&[(5, 5)]), 0, "empty");
    }
}
