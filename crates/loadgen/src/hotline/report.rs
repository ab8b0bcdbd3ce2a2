//! One phase's figures from what the carrier, the phones and the supervisor saw.

use super::agents::AGENT_STREAMS;
use super::announce::{quantile, Caller, Schedule, Timeliness};
use super::board;
use super::carrier::Outcome;
use super::media::Report;
use super::stream::SeqCount;
use super::usage::Usage;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Loss by sequence numbers, summed over streams.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Loss {
    /// Streams counted.
    pub streams: u64,
    /// Packets the sequence numbers say were sent.
    pub expected: u64,
    /// Unique packets that arrived.
    pub received: u64,
    /// Lost, in % of expected.
    pub pct: Option<f64>,
}

impl Loss {
    fn add(&mut self, seq: &SeqCount, leading_lost: u64) {
        self.streams += 1;
        self.expected += seq.expected() + leading_lost;
        self.received += seq.expected() - seq.lost();
        let lost = self.expected - self.received;
        self.pct = (self.expected > 0).then(|| 100.0 * lost as f64 / self.expected as f64);
    }
}

/// p50, p99 and the largest of some values (ms).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Spread {
    /// How many.
    pub n: usize,
    /// The smallest.
    pub min: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// The largest.
    pub max: Option<f64>,
}

impl Spread {
    fn of(values: &[f64]) -> Spread {
        Spread {
            n: values.len(),
            min: quantile(values, 0.0),
            p50: quantile(values, 0.5),
            p99: quantile(values, 0.99),
            max: quantile(values, 1.0),
        }
    }
}

/// A phase's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseResult {
    /// `waiting`, `bridged` or `both`.
    pub name: String,
    /// INVITEs sent.
    pub placed: u64,
    /// 200 OK received.
    pub answered: u64,
    /// Calls that failed, by status (0: not sent).
    pub failed: BTreeMap<String, u64>,
    /// Calls the server ended (BYE from the hotline).
    pub ended_by_server: u64,
    /// Callers whose call an agent took (voice from an agent arrived).
    pub bridged_callers: u64,
    /// Loss on the streams the server played to callers (prompts, music).
    pub waiting_loss: Loss,
    /// Announcements: lateness of all judged (ms), of the first after the welcome, of
    /// the periodic ones.
    pub announcements: Spread,
    /// The first announcement after the welcome.
    pub first_announcement: Spread,
    /// The periodic ones.
    pub periodic_announcements: Spread,
    /// Announcements due but not heard.
    pub announcements_missed: u64,
    /// Callers who heard no welcome.
    pub no_welcome: u64,
    /// Callers without a board line (periodic ones not judged).
    pub unanchored: u64,
    /// Periodic announcements that waited for another prompt to end, and how far they
    /// slipped from their due time (ms).
    pub announcements_queued: u64,
    /// See `announcements_queued`.
    pub queued_slip: Spread,
    /// Wallboard: the caller's 200 OK to the first board frame with their line (ms).
    pub wallboard: Spread,
    /// Callers paired with a board line.
    pub wallboard_paired: u64,
    /// Callers who waited at least a second (not bridged sooner): all should be on the
    /// board; and how many of them were.
    pub waited: u64,
    /// See `waited`.
    pub waited_on_board: u64,
    /// The 200 OK's arrival minus the caller's entering the queue (ms).
    pub entered_to_200: Spread,
    /// Loss of the agents' voice at the callers, and of the callers' at the agents.
    pub to_caller_loss: Loss,
    /// See `to_caller_loss`.
    pub to_agent_loss: Loss,
    /// Voice's way from one phone to the other through the server (ms).
    pub voice_transit: Spread,
    /// Callers (waiting or bridged) up during the whole steady window.
    pub concurrent: u64,
    /// Of those, bridged for the whole window.
    pub concurrent_bridged: u64,
    /// CPU and memory over the steady window.
    pub usage: Usage,
    /// Server CPU per concurrent caller: ms of CPU per second.
    pub server_ms_per_s_per_call: Option<f64>,
    /// Packets the load's phones sent, and sends the kernel refused.
    pub phones_sent: u64,
    /// See `phones_sent`.
    pub phones_send_errors: u64,
}

/// What a phase saw.
pub struct Seen<'a> {
    /// The phase's name.
    pub name: &'a str,
    /// The carrier's calls.
    pub outcomes: &'a [Outcome],
    /// The RTP thread's reports (callers' and agents').
    pub reports: &'a [Report],
    /// The board's lines of this phase.
    pub board: &'a [(i64, i64)],
    /// The steady window (µs since the epoch) and what was used in it.
    pub window_us: (i64, i64),
    /// See `window_us`.
    pub usage: Usage,
}

/// Computes a phase's figures.
pub fn analyse(seen: &Seen, schedule: &Schedule) -> PhaseResult {
    let mut r = PhaseResult {
        name: seen.name.to_string(),
        usage: seen.usage,
        ..PhaseResult::default()
    };
    let callers: HashMap<u32, &Report> = seen
        .reports
        .iter()
        .filter(|p| p.id < AGENT_STREAMS)
        .map(|p| (p.id, p))
        .collect();
    // Callers bridged within a second may never be on a board frame: only those who
    // waited longer are paired with the board's lines.
    let waited = |o: &Outcome| {
        let talk = callers.get(&o.id).and_then(|p| p.heard.talk_from_us);
        Some((o.id, o.answered_us?)).filter(|(_, at)| talk.is_none_or(|t| t - at >= 1_000_000))
    };
    let answered: Vec<(u32, i64)> = seen.outcomes.iter().filter_map(waited).collect();
    let paired = board::pair(&answered, seen.board);
    let entered: HashMap<u32, i64> = paired.iter().map(|&(id, since, _)| (id, since)).collect();
    let mut wallboard = Vec::new();
    let mut entered_to_200 = Vec::new();
    for &(id, since, seen_us) in &paired {
        if let Some(o) = seen.outcomes.iter().find(|o| o.id == id) {
            let at = o.answered_us.unwrap_or(seen_us);
            wallboard.push(((seen_us - at) as f64 / 1_000.0).max(0.0));
            entered_to_200.push(at as f64 / 1_000.0 - since as f64);
        }
    }
    r.wallboard = Spread::of(&wallboard);
    r.wallboard_paired = paired.len() as u64;
    r.entered_to_200 = Spread::of(&entered_to_200);
    let mut timely = Timeliness::default();
    let (from, until) = seen.window_us;
    for o in seen.outcomes {
        r.placed += u64::from(o.placed_us > 0);
        if let Some(code) = o.failed {
            *r.failed.entry(code.to_string()).or_default() += 1;
        }
        r.ended_by_server += u64::from(o.ended_by_server);
        let Some(answered_us) = o.answered_us else {
            continue;
        };
        r.answered += 1;
        let Some(heard) = callers.get(&o.id).map(|p| &p.heard) else {
            continue;
        };
        let ended = o.ended_us.unwrap_or(i64::MAX);
        if answered_us <= from && ended >= until {
            r.concurrent += 1;
            r.concurrent_bridged += u64::from(heard.talk_from_us.is_some_and(|t| t <= from));
        }
        r.waiting_loss.add(&heard.server, heard.leading_lost);
        if heard.talk_from_us.is_some() {
            r.bridged_callers += 1;
            r.to_caller_loss.add(&heard.talk, 0);
        }
        if heard
            .talk_from_us
            .is_none_or(|t| t - answered_us >= 1_000_000)
        {
            r.waited += 1;
            r.waited_on_board += u64::from(entered.contains_key(&o.id));
        }
        let caller = Caller {
            from_us: answered_us,
            entered_ms: entered.get(&o.id).copied(),
            until_us: heard.talk_from_us.unwrap_or(ended).min(ended),
            prompts: &heard.prompts,
        };
        timely.add(schedule, &caller);
    }
    let mut transits = Vec::new();
    for p in seen.reports {
        r.phones_sent += p.sent;
        r.phones_send_errors += p.send_errors;
        transits.extend(
            p.heard
                .talk_transit_us
                .iter()
                .map(|&t| f64::from(t) / 1_000.0),
        );
        if p.id >= AGENT_STREAMS {
            r.to_agent_loss.add(&p.heard.talk, 0);
        }
    }
    r.voice_transit = Spread::of(&transits);
    r.announcements = Spread::of(&timely.all_ms());
    r.first_announcement = Spread::of(&timely.first_ms);
    r.periodic_announcements = Spread::of(&timely.periodic_ms);
    r.announcements_missed = timely.missed;
    r.no_welcome = timely.no_welcome;
    r.unanchored = timely.unanchored;
    r.announcements_queued = timely.queued;
    r.queued_slip = Spread::of(&timely.queued_slip_ms);
    r.server_ms_per_s_per_call = match (r.usage.server_cores, r.concurrent) {
        (Some(cores), n) if n > 0 => Some(cores * 1_000.0 / n as f64),
        _ => None,
    };
    r
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

impl PhaseResult {
    /// A few lines for people.
    pub fn human(&self) -> String {
        let mut s = format!(
            "== phase {}: {} calls placed, {} answered by the hotline, {} failed {:?}, {} ended by the server, {} bridged to agents\n",
            self.name,
            self.placed,
            self.answered,
            self.failed.values().sum::<u64>(),
            self.failed,
            self.ended_by_server,
            self.bridged_callers
        );
        let l = &self.waiting_loss;
        s += &format!(
            "   waiting streams: {} streams, {} of {} packets arrived, loss {} %\n",
            l.streams,
            l.received,
            l.expected,
            l.pct.map_or("-".into(), |p| format!("{p:.4}"))
        );
        let a = &self.announcements;
        s += &format!(
            "   announcements: {} judged, lateness p50 {} ms, p99 {} ms, max {} ms (first after the welcome: p99 {} max {}; periodic: p99 {} max {}); {} missed, {} without welcome, {} without board line\n",
            a.n, ms(a.p50), ms(a.p99), ms(a.max),
            ms(self.first_announcement.p99), ms(self.first_announcement.max),
            ms(self.periodic_announcements.p99), ms(self.periodic_announcements.max),
            self.announcements_missed, self.no_welcome, self.unanchored
        );
        if self.announcements_queued > 0 {
            s += &format!(
                "   {} periodic announcements were due while another prompt played and followed it (slip from their due time: p50 {} ms, max {} ms)\n",
                self.announcements_queued, ms(self.queued_slip.p50), ms(self.queued_slip.max)
            );
        }
        let w = &self.wallboard;
        s += &format!(
            "   wallboard: {} callers paired with a line, 200 OK to the line: p50 {} ms, p99 {} ms, max {} ms (entering to the 200 OK: p50 {} ms, max {} ms)\n",
            self.wallboard_paired, ms(w.p50), ms(w.p99), ms(w.max),
            ms(self.entered_to_200.p50), ms(self.entered_to_200.max)
        );
        if self.bridged_callers > 0 {
            s += &format!(
                "   bridged: voice loss to callers {} %, to agents {} %, transit p99 {} ms\n",
                self.to_caller_loss
                    .pct
                    .map_or("-".into(), |p| format!("{p:.4}")),
                self.to_agent_loss
                    .pct
                    .map_or("-".into(), |p| format!("{p:.4}")),
                ms(self.voice_transit.p99)
            );
        }
        let u = &self.usage;
        s += &format!(
            "   steady window {:.1} s with {} callers up ({} bridged): server {} cores = {} ms CPU per second per call, RSS {} MB; load tool {} cores; CPU pressure {} %\n",
            u.seconds,
            self.concurrent,
            self.concurrent_bridged,
            u.server_cores.map_or("-".into(), |c| format!("{c:.3}")),
            self.server_ms_per_s_per_call.map_or("-".into(), |c| format!("{c:.3}")),
            u.server_rss_kb.map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
            u.tool_cores.map_or("-".into(), |c| format!("{c:.2}")),
            u.cpu_pressure_pct.map_or("-".into(), |c| format!("{c:.0}"))
        );
        s
    }
}
