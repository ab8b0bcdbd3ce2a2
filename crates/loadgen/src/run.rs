//! `durchwahl-load run`: the parent. Spreads the clients over worker processes (each stays
//! under the open-file limit), steps them through sign-in, connecting and the two phases
//! together, watches the server's memory and CPU in /proc, and prints the figures.

use crate::client::now_micros;
use crate::http::Target;
use crate::procfs::{self, Sample};
use crate::report::{self, Report};
use crate::schedule::{share, split, Timeline};
use crate::stats::Stats;
use anyhow::{bail, Context};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;
use tokio::time::{sleep, Instant};

/// Sockets per worker process: the hard limit on open files is 20,000 here, and a worker
/// needs a few descriptors besides its sockets.
pub const MAX_PER_WORKER: usize = 9_000;

/// What the parent is asked to do.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// The server.
    pub url: String,
    /// People in the organisation.
    pub staff: usize,
    /// Clients to connect (the first `clients` people).
    pub clients: usize,
    /// Presence changes per second, all clients together.
    pub presence_rate: f64,
    /// Chat messages per second, all clients together.
    pub chat_rate: f64,
    /// Seconds per phase.
    pub duration: f64,
    /// Seconds after each phase for late deliveries.
    pub grace: f64,
    /// Worker processes (at least enough for [`MAX_PER_WORKER`]).
    pub workers: usize,
    /// The server's process id, for memory and CPU.
    pub server_pid: Option<u32>,
    /// Name of this run in the report (e.g. `sqlite`).
    pub label: String,
    /// File to append the summary rows to (tab-separated).
    pub summary: Option<PathBuf>,
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Runs the load and prints the report.
pub async fn run(plan: RunPlan) -> anyhow::Result<()> {
    let target = Target::parse(&plan.url)?;
    if plan.clients == 0 || plan.clients > plan.staff {
        bail!("--clients must be between 1 and --staff ({})", plan.staff);
    }
    let per_client = (plan.presence_rate + plan.chat_rate) / plan.clients as f64;
    if per_client > 10.0 {
        eprintln!("warning: {per_client:.1} requests per client and second; the server allows 20 (bursts of 40)");
    }
    let slices = split(plan.clients, MAX_PER_WORKER, plan.workers);
    println!(
        "== {}: {} clients of {} staff in {} worker processes; {} presence changes/s, {} chat messages/s, {} s each",
        plan.label, plan.clients, plan.staff, slices.len(), plan.presence_rate, plan.chat_rate, plan.duration
    );
    let (events, mut inbox) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for (n, &(first, count)) in slices.iter().enumerate() {
        workers.push(spawn_worker(
            &plan,
            &target,
            n,
            first,
            count,
            events.clone(),
        )?);
    }
    drop(events);
    let outcome = steer(&plan, &mut workers, &mut inbox).await;
    for w in &mut workers {
        w.stdin = None;
        if tokio::time::timeout(Duration::from_secs(15), w.child.wait())
            .await
            .is_err()
        {
            let _ = w.child.kill().await;
        }
    }
    let report = outcome?;
    report::print(&report);
    if let Some(path) = &plan.summary {
        report::append_summary(path, &report)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn spawn_worker(
    plan: &RunPlan,
    target: &Target,
    n: usize,
    first: usize,
    count: usize,
    events: mpsc::UnboundedSender<(usize, Option<Value>)>,
) -> anyhow::Result<Worker> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("worker")
        .args(["--url", &format!("http://{}", target.authority)])
        .args(["--staff", &plan.staff.to_string()])
        .args(["--clients", &plan.clients.to_string()])
        .args(["--first", &first.to_string()])
        .args(["--count", &count.to_string()])
        .args([
            "--presence-rate",
            &share(plan.presence_rate, count, plan.clients).to_string(),
        ])
        .args([
            "--chat-rate",
            &share(plan.chat_rate, count, plan.clients).to_string(),
        ])
        .args(["--duration", &plan.duration.to_string()])
        .args(["--grace", &plan.grace.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting a worker process")?;
    let stdout = child.stdout.take().context("worker stdout")?;
    let stdin = child.stdin.take();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                let _ = events.send((n, Some(value)));
            }
        }
        let _ = events.send((n, None));
    });
    Ok(Worker { child, stdin })
}

/// Waits until every live worker reported `event` (or ended), at most until `deadline`.
async fn gather(
    inbox: &mut mpsc::UnboundedReceiver<(usize, Option<Value>)>,
    alive: &mut [bool],
    event: &str,
    deadline: Instant,
) -> Vec<Option<Value>> {
    let mut got: Vec<Option<Value>> = vec![None; alive.len()];
    while (0..alive.len()).any(|n| alive[n] && got[n].is_none()) {
        match tokio::time::timeout_at(deadline, inbox.recv()).await {
            Ok(Some((n, Some(v)))) if v["event"] == event => got[n] = Some(v),
            Ok(Some((_, Some(_)))) => {}
            Ok(Some((n, None))) => {
                if alive[n] && got[n].is_none() {
                    eprintln!("worker {n} ended before reporting {event}");
                }
                alive[n] = false;
            }
            Ok(None) | Err(_) => break,
        }
    }
    for (n, g) in got.iter().enumerate() {
        if g.is_none() && alive[n] {
            eprintln!("worker {n} did not report {event} in time");
            alive[n] = false;
        }
    }
    got
}

async fn tell(workers: &mut [Worker], alive: &[bool], line: &str) {
    for (w, _) in workers.iter_mut().zip(alive).filter(|(_, a)| **a) {
        if let Some(stdin) = w.stdin.as_mut() {
            let _ = stdin.write_all(format!("{line}\n").as_bytes()).await;
            let _ = stdin.flush().await;
        }
    }
}

fn sum(values: &[Option<Value>], key: &str) -> f64 {
    values
        .iter()
        .flatten()
        .filter_map(|v| v[key].as_f64())
        .sum()
}

fn first_error(values: &[Option<Value>]) -> Option<String> {
    values
        .iter()
        .flatten()
        .find_map(|v| v["first_error"].as_str().map(str::to_string))
}

fn look(pid: Option<u32>) -> Option<Sample> {
    pid.and_then(procfs::sample)
}

async fn steer(
    plan: &RunPlan,
    workers: &mut [Worker],
    inbox: &mut mpsc::UnboundedReceiver<(usize, Option<Value>)>,
) -> anyhow::Result<Report> {
    let mut alive = vec![true; workers.len()];
    let mut report = Report {
        label: plan.label.clone(),
        clients: plan.clients,
        duration: plan.duration,
        presence_rate: plan.presence_rate,
        chat_rate: plan.chat_rate,
        server_at_start: look(plan.server_pid),
        ..Report::default()
    };

    let began = Instant::now();
    let limit = Duration::from_secs(120) + Duration::from_millis(30 * plan.clients as u64);
    let signed = gather(inbox, &mut alive, "signed_in", began + limit).await;
    report.signed_in = sum(&signed, "ok") as usize;
    report.sign_in_retries = sum(&signed, "retries") as u64;
    report.sign_in_seconds = began.elapsed().as_secs_f64();
    report.sign_in_error = first_error(&signed);
    println!(
        "signed in {} of {} in {:.1} s ({} retried answers){}",
        report.signed_in,
        plan.clients,
        report.sign_in_seconds,
        report.sign_in_retries,
        report
            .sign_in_error
            .as_ref()
            .map_or(String::new(), |e| format!("; first failure: {e}"))
    );

    report.server_before_clients = look(plan.server_pid);
    let began = Instant::now();
    tell(workers, &alive, "connect").await;
    let limit = Duration::from_secs(120) + Duration::from_millis(25 * plan.clients as u64);
    let connected = gather(inbox, &mut alive, "connected", began + limit).await;
    report.connected = sum(&connected, "ok") as usize;
    report.connect_seconds = began.elapsed().as_secs_f64();
    report.connect_error = first_error(&connected);
    report.snapshot_entries = sum(&connected, "snapshot_entries") as u64;
    // Let the storm of "came online" presence frames settle before measuring memory.
    sleep(Duration::from_secs(2)).await;
    report.server_with_clients = look(plan.server_pid);
    println!(
        "connected {} of {} in {:.1} s{}",
        report.connected,
        plan.clients,
        report.connect_seconds,
        report
            .connect_error
            .as_ref()
            .map_or(String::new(), |e| format!("; first failure: {e}"))
    );
    if report.connected == 0 {
        bail!("no client connected; nothing to measure");
    }

    let start = now_micros() + 2_000_000;
    let timeline = Timeline::new(
        start,
        plan.duration,
        plan.grace,
        plan.presence_rate > 0.0,
        plan.chat_rate > 0.0,
    );
    tell(workers, &alive, &format!("go {start}")).await;
    // Watch the server while the phases run: CPU per phase and the memory peak.
    let marks = [
        timeline.presence.0,
        timeline.presence.1,
        timeline.chat.0,
        timeline.chat.1,
    ];
    let mut at_marks = [None; 4];
    let mut pressure_at = [None; 4];
    let mut peak = 0u64;
    while now_micros() < timeline.end {
        let now = now_micros();
        for (i, mark) in marks.iter().enumerate() {
            if pressure_at[i].is_none() && now >= *mark {
                at_marks[i] = look(plan.server_pid);
                pressure_at[i] = Some(procfs::pressure());
            }
        }
        if let Some(s) = look(plan.server_pid) {
            peak = peak.max(s.rss_kb);
        }
        sleep(Duration::from_millis(100)).await;
    }
    report.server_peak_rss_kb = peak;
    let cpu = |a: Option<Sample>, b: Option<Sample>, seconds: f64| match (a, b) {
        (Some(a), Some(b)) if seconds > 0.0 => Some((b.cpu_seconds - a.cpu_seconds) / seconds),
        _ => None,
    };
    report.server_cpu_presence = cpu(at_marks[0], at_marks[1], (marks[1] - marks[0]) as f64 / 1e6);
    report.server_cpu_chat = cpu(at_marks[2], at_marks[3], (marks[3] - marks[2]) as f64 / 1e6);
    let stalled = |a: usize, b: usize| match (pressure_at[a].flatten(), pressure_at[b].flatten()) {
        (Some(x), Some(y)) if marks[b] > marks[a] => {
            let span = (marks[b] - marks[a]) as f64;
            Some((
                (y.0 - x.0) as f64 * 100.0 / span,
                (y.1 - x.1) as f64 * 100.0 / span,
            ))
        }
        _ => None,
    };
    report.pressure_presence = stalled(0, 1);
    report.pressure_chat = stalled(2, 3);

    let results = gather(
        inbox,
        &mut alive,
        "result",
        Instant::now() + Duration::from_secs(60),
    )
    .await;
    report.server_at_end = look(plan.server_pid);
    let mut stats = Stats::default();
    for r in results.iter().flatten() {
        match serde_json::from_value::<Stats>(r["stats"].clone()) {
            Ok(s) => stats.merge(&s),
            Err(e) => eprintln!("a worker's result is unreadable: {e}"),
        }
    }
    report.workers_reporting = results.iter().flatten().count();
    report.workers = workers.len();
    report.stats = stats;
    Ok(report)
}
