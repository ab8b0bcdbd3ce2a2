//! The figures of one step and the goals they are judged by (issue 15): less than 0.1 %
//! packet loss and less than 5 ms added jitter (p99) across all streams.

use super::receiver::RxStream;
use super::worker::WorkerResult;
use crate::latency::Histogram;
use serde_json::{json, Value};

/// The most loss a passing step may have (per cent of packets sent).
pub const LOSS_BUDGET_PCT: f64 = 0.1;
/// The most added delay at the 99th percentile a passing step may have (ms).
pub const JITTER_BUDGET_MS: f64 = 5.0;
/// A step whose load tool sent less than this share of the schedule in the window did
/// not offer the load it names.
pub const MIN_SENT_SHARE: f64 = 0.99;

/// Everything measured in one step.
#[derive(Debug, Clone, Default)]
pub struct StepResult {
    /// Calls asked for.
    pub calls: usize,
    /// Time to offer and answer all calls.
    pub setup_seconds: f64,
    /// Time until every browser had connected (ICE and DTLS; WebRTC calls only).
    pub connect_seconds: f64,
    /// Offers or answers the relay refused or answered without a usable SDP.
    pub setup_errors: usize,
    /// Deletes the relay refused.
    pub delete_errors: usize,
    /// The first failure, for people.
    pub first_error: Option<String>,
    /// Packets the schedule has in the window, all streams.
    pub scheduled: u64,
    /// Packets sent in the window, all streams.
    pub sent: u64,
    /// Of those, received once in time.
    pub received: u64,
    /// Second copies.
    pub duplicates: u64,
    /// Out of order, counted.
    pub reordered: u64,
    /// More than 64 packets late, lost.
    pub too_late: u64,
    /// Datagrams that were not RTP of the load.
    pub foreign: u64,
    /// SSRC changes within a stream (information: relays may renumber).
    pub ssrc_changes: u64,
    /// Sends the kernel refused.
    pub send_errors: u64,
    /// Streams that lost any packet.
    pub streams_with_loss: usize,
    /// Per packet, transit above its stream's fastest (µs), all streams.
    pub added_us: Histogram,
    /// The worst stream's p99 of that (µs).
    pub worst_stream_p99_us: u64,
    /// RFC 3550 jitter: sum over streams (for the mean) and the largest (ms).
    jitter_sum_ms: f64,
    /// The largest RFC 3550 jitter of a stream (ms).
    pub jitter_max_ms: f64,
    streams: usize,
    /// The relay's CPU in the window (cores: CPU seconds per second).
    pub relay_cpu_cores: Option<f64>,
    /// The relay's VmRSS at the end of the window (KiB).
    pub relay_rss_kb: Option<u64>,
    /// That minus the relay's idle VmRSS before the first step (KiB).
    pub relay_rss_delta_kb: Option<i64>,
    /// The load tool's CPU in the window (cores).
    pub load_cpu_cores: f64,
    /// The busiest load thread's CPU in the window (cores; 1.0 = saturated).
    pub load_thread_max_cores: f64,
    /// Share of the window in which some task on the machine waited for a CPU
    /// (/proc/pressure/cpu): how contended the two cores were.
    pub cpu_pressure_pct: Option<f64>,
    /// How late the load tool sent its slots (µs).
    pub lag_us: Histogram,
    /// Why the step missed the goals; `None` when it met them.
    pub failure: Option<String>,
}

impl StepResult {
    /// An empty result for `calls` calls.
    pub fn new(calls: usize) -> Self {
        StepResult {
            calls,
            failure: Some("not run".into()),
            ..Default::default()
        }
    }

    /// Adds one worker's streams; `window` is the measuring window (s).
    pub fn add_worker(&mut self, w: WorkerResult, window: f64) {
        for (i, rx) in w.rx.iter().enumerate() {
            // Phones come in pairs: phone i receives what phone i ^ 1 sent.
            let sent = w.sent[i ^ 1];
            self.add_stream(rx, sent);
        }
        self.send_errors += w.send_errors;
        self.lag_us.merge(&w.lag_us);
        self.load_thread_max_cores = self.load_thread_max_cores.max(w.cpu_seconds / window);
    }

    fn add_stream(&mut self, rx: &RxStream, sent: u64) {
        self.sent += sent;
        self.received += rx.received;
        self.duplicates += rx.duplicates;
        self.reordered += rx.reordered;
        self.too_late += rx.too_late;
        self.foreign += rx.foreign;
        self.ssrc_changes += rx.ssrc_changes;
        if rx.received < sent {
            self.streams_with_loss += 1;
        }
        let mut stream = Histogram::default();
        for d in rx.added_delays_us() {
            self.added_us.record(u64::from(d));
            stream.record(u64::from(d));
        }
        let p99 = stream.quantile(0.99).unwrap_or(0);
        self.worst_stream_p99_us = self.worst_stream_p99_us.max(p99);
        self.jitter_sum_ms += rx.jitter_ms();
        self.jitter_max_ms = self.jitter_max_ms.max(rx.jitter_ms());
        self.streams += 1;
    }

    /// Packets sent but not received in time.
    pub fn lost(&self) -> u64 {
        self.sent.saturating_sub(self.received)
    }

    /// Loss in per cent; 100 when nothing was sent.
    pub fn loss_pct(&self) -> f64 {
        if self.sent == 0 {
            return 100.0;
        }
        self.lost() as f64 * 100.0 / self.sent as f64
    }

    /// The pooled p99 of added delay (ms).
    pub fn added_p99_ms(&self) -> f64 {
        self.added_us.quantile(0.99).unwrap_or(u64::MAX) as f64 / 1000.0
    }

    /// Mean RFC 3550 jitter over the streams (ms).
    pub fn jitter_mean_ms(&self) -> f64 {
        self.jitter_sum_ms / self.streams.max(1) as f64
    }

    /// The relay's CPU per call: milliseconds of CPU per second per call.
    pub fn relay_cpu_ms_per_call(&self) -> Option<f64> {
        Some(self.relay_cpu_cores? * 1000.0 / self.calls.max(1) as f64)
    }

    /// The relay's memory per call (KiB), from its growth over idle.
    pub fn relay_kb_per_call(&self) -> Option<f64> {
        Some(self.relay_rss_delta_kb? as f64 / self.calls.max(1) as f64)
    }

    /// Sets the verdict from the goals.
    pub fn judge(&mut self) {
        self.failure = if self.setup_errors > 0 {
            Some(format!("{} calls not set up", self.setup_errors))
        } else if self.send_errors > 0 {
            Some(format!("{} sends failed", self.send_errors))
        } else if (self.sent as f64) < MIN_SENT_SHARE * self.scheduled as f64 {
            Some(format!(
                "the load tool sent only {:.1} % of the scheduled packets",
                self.sent as f64 * 100.0 / self.scheduled.max(1) as f64
            ))
        } else if self.loss_pct() >= LOSS_BUDGET_PCT {
            Some(format!(
                "loss {:.3} % >= {LOSS_BUDGET_PCT} %",
                self.loss_pct()
            ))
        } else if self.added_p99_ms() >= JITTER_BUDGET_MS {
            Some(format!(
                "added jitter p99 {:.2} ms >= {JITTER_BUDGET_MS} ms",
                self.added_p99_ms()
            ))
        } else {
            None
        };
    }

    /// Whether the step met the goals.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// One line for people.
    pub fn human(&self) -> String {
        let q = |h: &Histogram, q: f64| h.quantile(q).unwrap_or(0) as f64 / 1000.0;
        let opt =
            |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |v| format!("{v:.digits$}"));
        format!(
            "{calls:>6} calls: {verdict}; loss {loss:.3} % ({lost}/{sent}), added jitter \
             p50 {p50:.2} p99 {p99:.2} max {max:.1} ms, RFC 3550 jitter mean {jm:.2} max {jx:.2} ms; \
             relay CPU {cores} cores ({per_call} ms/s per call), RSS {rss} MB ({kb} KB/call); \
             load tool CPU {load:.2} cores (busiest thread {thread:.2}), send lag p99 {lag:.2} ms; \
             CPU pressure {psi} %; set-up {setup:.1} s, connect {connect:.1} s",
            calls = self.calls,
            verdict = match &self.failure {
                None => "PASS".to_string(),
                Some(why) => format!("FAIL ({why})"),
            },
            loss = self.loss_pct(),
            lost = self.lost(),
            sent = self.sent,
            p50 = q(&self.added_us, 0.5),
            p99 = q(&self.added_us, 0.99),
            max = self.added_us.max() as f64 / 1000.0,
            jm = self.jitter_mean_ms(),
            jx = self.jitter_max_ms,
            cores = opt(self.relay_cpu_cores, 2),
            per_call = opt(self.relay_cpu_ms_per_call(), 3),
            rss = opt(self.relay_rss_kb.map(|k| k as f64 * 1.024 / 1000.0), 1),
            kb = opt(self.relay_kb_per_call(), 1),
            load = self.load_cpu_cores,
            thread = self.load_thread_max_cores,
            lag = q(&self.lag_us, 0.99),
            psi = opt(self.cpu_pressure_pct, 0),
            setup = self.setup_seconds,
            connect = self.connect_seconds,
        )
    }

    /// The machine-readable form.
    pub fn json(&self) -> Value {
        let q = |h: &Histogram, q: f64| h.quantile(q).map(|v| v as f64 / 1000.0);
        json!({
            "calls": self.calls,
            "passed": self.passed(),
            "why": self.failure,
            "first_error": self.first_error,
            "setup_seconds": self.setup_seconds,
            "connect_seconds": self.connect_seconds,
            "setup_errors": self.setup_errors,
            "delete_errors": self.delete_errors,
            "packets_scheduled": self.scheduled,
            "packets_sent": self.sent,
            "packets_received": self.received,
            "packets_lost": self.lost(),
            "loss_pct": self.loss_pct(),
            "duplicates": self.duplicates,
            "reordered": self.reordered,
            "too_late": self.too_late,
            "foreign": self.foreign,
            "ssrc_changes": self.ssrc_changes,
            "send_errors": self.send_errors,
            "streams_with_loss": self.streams_with_loss,
            "added_jitter_ms": {
                "p50": q(&self.added_us, 0.5),
                "p99": q(&self.added_us, 0.99),
                "p999": q(&self.added_us, 0.999),
                "max": self.added_us.max() as f64 / 1000.0,
                "worst_stream_p99": self.worst_stream_p99_us as f64 / 1000.0,
            },
            "rfc3550_jitter_ms": { "mean": self.jitter_mean_ms(), "max": self.jitter_max_ms },
            "relay_cpu_cores": self.relay_cpu_cores,
            "relay_cpu_ms_per_s_per_call": self.relay_cpu_ms_per_call(),
            "relay_rss_kb": self.relay_rss_kb,
            "relay_rss_delta_kb": self.relay_rss_delta_kb,
            "relay_kb_per_call": self.relay_kb_per_call(),
            "load_cpu_cores": self.load_cpu_cores,
            "load_thread_max_cores": self.load_thread_max_cores,
            "cpu_pressure_pct": self.cpu_pressure_pct,
            "send_lag_ms": { "p99": q(&self.lag_us, 0.99), "max": self.lag_us.max() as f64 / 1000.0 },
        })
    }
}
