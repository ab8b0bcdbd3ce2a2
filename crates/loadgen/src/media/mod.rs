//! `durchwahl-load media`: relayed G.711 calls, RTP to RTP, through any relay that speaks
//! the ng control protocol (rtpengine, Durchwahl's media service). Finds the most
//! concurrent calls with < 0.1 % loss and < 5 ms added jitter (p99), and reports the
//! relay's CPU and memory per call (issue 15, `bench/media.sh`).
//!
//! Per call two phones on 127.0.0.1: the caller's SDP goes to the relay in `offer`, the
//! callee's in `answer`. As in a real call, the callee sends its RTP to the address in the
//! SDP the relay returned for the offer, the caller to the one returned for the answer.

mod control;
mod pacer;
mod ramp;
mod receiver;
mod report;
mod rtp;
mod sdp;
mod step;
mod webrtc;
mod worker;

use anyhow::Context;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The command line of `media`.
#[derive(clap::Args)]
pub struct MediaArgs {
    /// The relay's ng control port (UDP), e.g. 127.0.0.1:22222.
    #[arg(long)]
    ng: SocketAddr,
    /// The relay's process id, for its CPU and memory from /proc.
    #[arg(long)]
    relay_pid: Option<u32>,
    /// Name of the relay in the report.
    #[arg(long, default_value = "relay")]
    label: String,
    /// One step with this many calls instead of the ramp.
    #[arg(long)]
    calls: Option<usize>,
    /// First step of the ramp (calls); it doubles until a step fails, then bisects.
    #[arg(long, default_value_t = 50)]
    start: usize,
    /// The most calls the ramp tries.
    #[arg(long, default_value_t = 8000)]
    ceiling: usize,
    /// Bisecting stops when the gap is at most this fraction of the best count.
    #[arg(long, default_value_t = 0.05)]
    resolution: f64,
    /// Seconds the ramp may take: no step starts that would end later.
    #[arg(long, default_value_t = 300.0)]
    max_time: f64,
    /// Seconds of media before the measuring window of each step.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Seconds of the measuring window.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds after the window for packets still on their way.
    #[arg(long, default_value_t = 0.5)]
    grace: f64,
    /// Load threads (each sends and receives for its share of the calls).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// WebRTC ↔ RTP calls: each caller is a browser (str0m: ICE, DTLS-SRTP) instead of a
    /// phone; the relay bridges it to the plain RTP callee.
    #[arg(long)]
    webrtc: bool,
    /// Writes the result as JSON to this file as well.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// A load thread at or above this share of a core is saturated: the step measured the
/// load tool, not the relay.
const SATURATED_CORES: f64 = 0.9;

/// Runs the ramp (or one step) and prints a line per step and a `result {json}` line.
pub fn run(args: MediaArgs) -> anyhow::Result<()> {
    let began = Instant::now();
    raise_open_files_limit();
    let mut control = control::Control::connect(args.ng)?;
    control
        .ping(Duration::from_secs(10))
        .with_context(|| format!("the relay's ng port {}", args.ng))?;
    let idle = args.relay_pid.and_then(crate::procfs::sample);
    if args.relay_pid.is_some() && idle.is_none() {
        anyhow::bail!("no process {:?}", args.relay_pid);
    }
    let plan = step::StepPlan {
        threads: args.threads,
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
        grace: Duration::from_secs_f64(args.grace),
        relay_pid: args.relay_pid,
        idle_rss_kb: idle.map(|s| s.rss_kb),
        run_tag: format!("{}-{}", std::process::id(), args.label),
        webrtc: if args.webrtc {
            Some(webrtc::certificate()?)
        } else {
            None
        },
    };
    let mode = if args.webrtc { "webrtc" } else { "rtp" };
    println!(
        "== media load against {} (ng {}): {}, G.711 20 ms both ways, {} load threads, \
         {} s warm-up + {} s measured per step; goals loss < {} %, added jitter p99 < {} ms",
        args.label,
        args.ng,
        if args.webrtc {
            "WebRTC (DTLS-SRTP) caller to RTP callee"
        } else {
            "RTP caller to RTP callee"
        },
        plan.threads,
        args.warmup,
        args.duration,
        report::LOSS_BUDGET_PCT,
        report::JITTER_BUDGET_MS
    );
    let mut ramp = ramp::Ramp::new(
        args.calls.unwrap_or(args.start),
        args.calls.unwrap_or(args.ceiling),
        args.resolution,
    );
    let mut steps: Vec<report::StepResult> = Vec::new();
    let mut stopped_by = "answer found";
    let fixed_seconds = args.warmup + args.duration + args.grace + 1.0;
    let mut setup_per_call = 0.002;
    while let Some(calls) = ramp.next() {
        let estimate = fixed_seconds + 2.0 * setup_per_call * calls as f64;
        if began.elapsed().as_secs_f64() + estimate > args.max_time {
            stopped_by = "time budget";
            break;
        }
        let result = step::run(&mut control, &plan, steps.len(), calls)
            .with_context(|| format!("the step with {calls} calls"))?;
        println!("{}", result.human());
        setup_per_call = (result.setup_seconds + result.connect_seconds) / calls as f64;
        ramp.record(calls, result.passed());
        steps.push(result);
        if args.calls.is_some() {
            stopped_by = "one step";
            break;
        }
        // Let the relay free the last step's calls before the next.
        std::thread::sleep(Duration::from_millis(500));
    }
    let best = ramp
        .best()
        .and_then(|n| steps.iter().find(|s| s.calls == n && s.passed()));
    let first_fail = steps.iter().filter(|s| !s.passed()).min_by_key(|s| s.calls);
    // Memory from the largest passing step that no larger step preceded: after a larger
    // step the allocator may keep its pages, and the growth over idle would overstate.
    let memory = steps
        .iter()
        .enumerate()
        .filter(|(i, s)| s.passed() && steps[..*i].iter().all(|e| e.calls < s.calls))
        .map(|(_, s)| s)
        .max_by_key(|s| s.calls);
    let tool_bound = first_fail.is_some_and(|s| s.load_thread_max_cores >= SATURATED_CORES);
    let summary = json!({
        "label": args.label,
        "mode": mode,
        "max_calls": ramp.best().unwrap_or(0),
        "relay_cpu_ms_per_s_per_call": best.and_then(|s| s.relay_cpu_ms_per_call()),
        "relay_cpu_cores": best.and_then(|s| s.relay_cpu_cores),
        "relay_kb_per_call": memory.and_then(|s| s.relay_kb_per_call()),
        "relay_kb_per_call_at_calls": memory.map(|s| s.calls),
        "relay_idle_rss_kb": idle.map(|s| s.rss_kb),
        "relay_rss_kb": best.and_then(|s| s.relay_rss_kb),
        "load_cpu_cores": best.map(|s| s.load_cpu_cores),
        "load_thread_max_cores": best.map(|s| s.load_thread_max_cores),
        "cpu_pressure_pct": best.and_then(|s| s.cpu_pressure_pct),
        "first_fail_cpu_pressure_pct": first_fail.and_then(|s| s.cpu_pressure_pct),
        "first_fail_calls": first_fail.map(|s| s.calls),
        "first_fail_why": first_fail.and_then(|s| s.failure.as_deref()),
        "first_fail_load_thread_max_cores": first_fail.map(|s| s.load_thread_max_cores),
        "bound_by_load_tool": tool_bound,
        "stopped_by": stopped_by,
        "seconds": began.elapsed().as_secs_f64(),
        "settings": {
            "threads": plan.threads, "warmup": args.warmup, "duration": args.duration,
            "grace": args.grace, "resolution": args.resolution, "max_time": args.max_time,
        },
        "steps": steps.iter().map(report::StepResult::json).collect::<Vec<_>>(),
    });
    match (best, memory) {
        (Some(s), Some(m)) => {
            println!(
            "== {}: at most {} concurrent calls within the goals ({}); at {} calls the relay used \
             {} ms CPU per second per call (the load tool {:.2} cores); {} KB per call at {} calls",
            args.label,
            s.calls,
            stopped_by,
            s.calls,
            s.relay_cpu_ms_per_call().map_or("-".into(), |v| format!("{v:.3}")),
            s.load_cpu_cores,
            m.relay_kb_per_call().map_or("-".into(), |v| format!("{v:.1}")),
            m.calls,
        )
        }
        _ => println!("== {}: no step met the goals ({stopped_by})", args.label),
    }
    if tool_bound {
        println!(
            "== warning: a load thread was saturated in the first failing step; the limit may \
             be the load tool's, not the relay's (try --threads)"
        );
    }
    let text = serde_json::to_string(&summary)?;
    println!("result {text}");
    if let Some(path) = &args.json {
        std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Two sockets per call: raise the soft limit of open files to the hard one.
fn raise_open_files_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.maximum.is_none() || limit.current < limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}
