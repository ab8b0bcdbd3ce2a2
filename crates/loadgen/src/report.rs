//! The figures of one run: printed for people, appended as tab-separated rows for
//! `bench/presence.sh` to put both databases into one table.

use crate::latency::Histogram;
use crate::procfs::Sample;
use crate::stats::{Stats, Traffic};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Budget of the issue: p99 presence delivery.
pub const PRESENCE_P99_BUDGET_MS: f64 = 100.0;
/// Budget of the issue: p99 chat delivery.
pub const CHAT_P99_BUDGET_MS: f64 = 150.0;
/// Budget of the issue: server memory per connected client.
pub const MEMORY_BUDGET_KB: f64 = 25.0;

/// Everything measured in one run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Name of the run (the database).
    pub label: String,
    /// Clients asked for.
    pub clients: usize,
    /// Seconds per phase.
    pub duration: f64,
    /// Presence changes per second asked for.
    pub presence_rate: f64,
    /// Chat messages per second asked for.
    pub chat_rate: f64,
    /// Clients signed in.
    pub signed_in: usize,
    /// 503/429 answers retried during sign-in.
    pub sign_in_retries: u64,
    /// Time to sign everyone in.
    pub sign_in_seconds: f64,
    /// First sign-in failure.
    pub sign_in_error: Option<String>,
    /// Clients that reached `resume.done`.
    pub connected: usize,
    /// Time to connect everyone.
    pub connect_seconds: f64,
    /// First connection failure.
    pub connect_error: Option<String>,
    /// Presence entries in all snapshots together.
    pub snapshot_entries: u64,
    /// Worker processes started / that sent results.
    pub workers: usize,
    /// Workers that sent results.
    pub workers_reporting: usize,
    /// The server before the tool did anything.
    pub server_at_start: Option<Sample>,
    /// The server after sign-in, before the WebSockets.
    pub server_before_clients: Option<Sample>,
    /// The server with every client connected.
    pub server_with_clients: Option<Sample>,
    /// The server after the phases.
    pub server_at_end: Option<Sample>,
    /// Highest resident memory seen during the phases.
    pub server_peak_rss_kb: u64,
    /// Server CPU cores busy during the presence phase.
    pub server_cpu_presence: Option<f64>,
    /// Server CPU cores busy during the chat phase.
    pub server_cpu_chat: Option<f64>,
    /// Share of the presence phase (%) in which some task waited for CPU, and for I/O
    /// (/proc/pressure, the whole machine: other people's work shows here).
    pub pressure_presence: Option<(f64, f64)>,
    /// The same for the chat phase.
    pub pressure_chat: Option<(f64, f64)>,
    /// The merged figures of all workers.
    pub stats: Stats,
}

fn ms(micros: Option<u64>) -> Option<f64> {
    micros.map(|m| m as f64 / 1000.0)
}

fn show(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v.abs() < 10.0 && v.fract() != 0.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// `p50 / p90 / p99 / max` in ms.
pub fn percentiles(h: &Histogram) -> String {
    if h.count() == 0 {
        return "no samples".to_string();
    }
    let q = |q| show(ms(h.quantile(q)));
    format!(
        "p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        q(0.5),
        q(0.9),
        q(0.99),
        show(ms(Some(h.max())))
    )
}

/// Server memory per connected client, KiB: growth from before the WebSockets to all
/// connected, divided by the clients.
pub fn kb_per_client(before: Option<Sample>, with: Option<Sample>, clients: usize) -> Option<f64> {
    let (before, with) = (before?, with?);
    (clients > 0).then(|| (with.rss_kb as f64 - before.rss_kb as f64) / clients as f64)
}

/// Delivered as a share of expected, in per cent.
pub fn completeness(t: &Traffic) -> Option<f64> {
    (t.expected > 0).then(|| t.delivered.count() as f64 * 100.0 / t.expected as f64)
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".to_string();
    }
    map.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_traffic(name: &str, t: &Traffic, rate: f64, seconds: f64, budget_ms: f64) {
    println!(
        "{name}: {} sent of {:.0} scheduled ({} skipped), {} acks, errors: {}",
        t.sent,
        rate * seconds,
        t.skipped,
        t.acks,
        counts(&t.errors)
    );
    println!(
        "  delivered {} of {} expected ({} %), {:.0}/s; own echoes {}",
        t.delivered.count(),
        t.expected,
        show(completeness(t)),
        t.delivered.count() as f64 / seconds.max(1e-9),
        t.own_echo
    );
    if t.delivered.count() < t.expected {
        println!(
            "  WARNING: {} deliveries never arrived; the latencies cover only those that did",
            t.expected - t.delivered.count()
        );
    }
    let p99 = ms(t.delivered.quantile(0.99));
    println!(
        "  delivery {}; budget {budget_ms} ms: p99 ratio {}",
        percentiles(&t.delivered),
        p99.map_or("-".to_string(), |p| format!("{:.2}", p / budget_ms))
    );
    println!("  answer   {}", percentiles(&t.ack_latency));
    println!(
        "  send lag {} (the tool's own lateness)",
        percentiles(&t.send_lag)
    );
}

/// Prints the report.
pub fn print(r: &Report) {
    let s = &r.stats;
    println!(
        "== results: {}, {} of {} clients connected ({} of {} workers reported)",
        r.label, r.connected, r.clients, r.workers_reporting, r.workers
    );
    if r.presence_rate > 0.0 {
        print_traffic(
            "presence",
            &s.presence,
            r.presence_rate,
            r.duration,
            PRESENCE_P99_BUDGET_MS,
        );
        println!(
            "  presence frames without our note (hidden or not ours): {}",
            s.presence_without_stamp
        );
    }
    if r.chat_rate > 0.0 {
        print_traffic("chat", &s.chat, r.chat_rate, r.duration, CHAT_P99_BUDGET_MS);
    }
    match (r.server_before_clients, r.server_with_clients) {
        (Some(before), Some(with)) => {
            let per = kb_per_client(Some(before), Some(with), r.connected).unwrap_or_default();
            println!(
                "server memory: {} KiB before the WebSockets, {} KiB with {} clients: {per:.1} KiB per client, {:.2} × budget {MEMORY_BUDGET_KB} KiB",
                before.rss_kb, with.rss_kb, r.connected, per / MEMORY_BUDGET_KB
            );
            println!(
                "  at start {} KiB; peak during the phases {} KiB; at end {} KiB; open files with clients {}",
                r.server_at_start.map_or(0, |s| s.rss_kb),
                r.server_peak_rss_kb,
                r.server_at_end.map_or(0, |s| s.rss_kb),
                with.fds
            );
        }
        _ => println!("server memory: not measured (no --server-pid)"),
    }
    println!(
        "server CPU: {} cores during presence, {} during chat (of 2, shared with the load tool)",
        r.server_cpu_presence
            .map_or("-".into(), |c| format!("{c:.2}")),
        r.server_cpu_chat.map_or("-".into(), |c| format!("{c:.2}"))
    );
    let stall = |p: Option<(f64, f64)>| {
        p.map_or("-".to_string(), |(cpu, io)| {
            format!("CPU {cpu:.0} %, I/O {io:.0} %")
        })
    };
    println!(
        "machine stalls (some task waiting, /proc/pressure): presence phase {}, chat phase {}",
        stall(r.pressure_presence),
        stall(r.pressure_chat)
    );
    println!(
        "connections ended by the server or the network: {}; errors without our ref: {}",
        counts(&s.dropped),
        counts(&s.unmatched_errors)
    );
    println!(
        "other frames during the phases: {}",
        counts(&s.other_frames)
    );
    if s.clock_skew > 0 {
        println!(
            "warning: {} frames arrived before they were sent (clock steps?)",
            s.clock_skew
        );
    }
}

/// The summary rows: `figure, label, value, budget, ratio` (budget and ratio may be `-`).
pub fn summary_rows(r: &Report) -> Vec<[String; 5]> {
    let s = &r.stats;
    let mut rows = Vec::new();
    let mut row = |figure: &str, value: Option<f64>, budget: Option<f64>| {
        let ratio = match (value, budget) {
            (Some(v), Some(b)) => format!("{:.2}", v / b),
            _ => "-".to_string(),
        };
        rows.push([
            figure.to_string(),
            r.label.clone(),
            show(value),
            budget.map_or("-".to_string(), |b| format!("{b}")),
            ratio,
        ]);
    };
    row("clients connected", Some(r.connected as f64), None);
    row(
        "memory per client (KiB)",
        kb_per_client(r.server_before_clients, r.server_with_clients, r.connected),
        Some(MEMORY_BUDGET_KB),
    );
    let phases = [
        (
            "presence",
            &s.presence,
            r.presence_rate,
            PRESENCE_P99_BUDGET_MS,
            r.server_cpu_presence,
            r.pressure_presence,
        ),
        (
            "chat",
            &s.chat,
            r.chat_rate,
            CHAT_P99_BUDGET_MS,
            r.server_cpu_chat,
            r.pressure_chat,
        ),
    ];
    for (name, t, rate, budget, cpu, stall) in phases {
        if rate <= 0.0 {
            continue;
        }
        row(
            &format!("{name} sent/s"),
            Some(t.sent as f64 / r.duration),
            None,
        );
        row(
            &format!("{name} p50 (ms)"),
            ms(t.delivered.quantile(0.5)),
            None,
        );
        row(
            &format!("{name} p99 (ms)"),
            ms(t.delivered.quantile(0.99)),
            Some(budget),
        );
        row(
            &format!("{name} max (ms)"),
            ms(Some(t.delivered.max())),
            None,
        );
        row(
            &format!("{name} deliveries/s"),
            Some(t.delivered.count() as f64 / r.duration),
            None,
        );
        row(
            &format!("{name} delivered of expected (%)"),
            completeness(t),
            None,
        );
        row(
            &format!("{name} answer p99 (ms)"),
            ms(t.ack_latency.quantile(0.99)),
            None,
        );
        row(
            &format!("{name} errors"),
            Some(t.error_count() as f64),
            None,
        );
        row(&format!("{name} server CPU (cores)"), cpu, None);
        row(
            &format!("{name} machine CPU stall (%)"),
            stall.map(|(cpu, _)| cpu),
            None,
        );
        row(
            &format!("{name} machine I/O stall (%)"),
            stall.map(|(_, io)| io),
            None,
        );
    }
    row(
        "connections dropped",
        Some(s.dropped.values().sum::<u64>() as f64),
        None,
    );
    rows
}

/// Appends the summary rows to a tab-separated file.
pub fn append_summary(path: &Path, r: &Report) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for row in summary_rows(r) {
        writeln!(file, "{}", row.join("\t"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_per_client_and_ratios() {
        let before = Sample {
            rss_kb: 100_000,
            ..Sample::default()
        };
        let with = Sample {
            rss_kb: 600_000,
            ..Sample::default()
        };
        assert_eq!(kb_per_client(Some(before), Some(with), 20_000), Some(25.0));
        assert_eq!(kb_per_client(None, Some(with), 20_000), None);
        let mut r = Report {
            label: "sqlite".into(),
            connected: 20_000,
            duration: 10.0,
            presence_rate: 1000.0,
            server_before_clients: Some(before),
            server_with_clients: Some(with),
            ..Report::default()
        };
        r.stats.presence.sent = 10_000;
        r.stats.presence.expected = 4;
        for v in [10_000, 20_000, 50_000, 200_000] {
            r.stats.presence.delivered.record(v);
        }
        let rows = summary_rows(&r);
        let find = |f: &str| rows.iter().find(|row| row[0] == f).unwrap().clone();
        assert_eq!(find("memory per client (KiB)")[2..], ["25.0", "25", "1.00"]);
        assert_eq!(find("presence p99 (ms)")[2..], ["200.0", "100", "2.00"]);
        assert_eq!(find("presence delivered of expected (%)")[2], "100.0");
        assert_eq!(find("presence sent/s")[2], "1000.0");
        assert!(rows.iter().all(|row| !row[0].starts_with("chat")));
    }
}
