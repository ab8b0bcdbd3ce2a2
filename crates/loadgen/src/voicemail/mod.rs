//! `durchwahl-load voicemail`: callers leaving messages at once (issue 17's benchmark,
//! `bench/voicemail.sh`).
//!
//! The load plays the carrier of an IP trunk (`hotline/carrier.rs`): `--callers` INVITEs
//! at `--rate` a second, caller k to person k of the load organisation (their direct
//! number: the trunk's block and their extension). Nobody has a client open, so each call
//! goes straight to the callee's box: the greeting, the signal tone, the recording. Each
//! caller (`caller.rs`, all in one RTP thread, `rtp.rs`) sends A-law silence, and from
//! the end of the signal its own tone (`recording::pitch_of`) for `--talk` seconds, then
//! `--quiet` seconds of silence (the server trims it), then the carrier hangs up.
//!
//! Measured: the frames of greeting and signal each caller should hear, byte for byte
//! (downstream loss); each box, read from the data folder and the SQLite database after
//! the run (`boxes.rs`): one message from its caller, decodable, as long as its row says,
//! holding the caller's tone as long as it was said with nothing missing (upstream loss),
//! the trailing silence trimmed; and the server's CPU (`cpu.rs`) while every caller heard
//! its greeting, while every caller was recorded (per recording channel), and from the
//! first hang-up until the last file was written (per message).

mod boxes;
mod caller;
pub(crate) mod cpu;
pub(crate) mod judge;
mod recording;
mod rtp;

use crate::hotline::carrier::{Carrier, Plan};
use crate::hotline::media::wall_us;
use anyhow::{bail, Context};
use audio::prompts::{self, Language};
use caller::{Frame, Script};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep, Instant};

/// The command line of `voicemail`.
#[derive(clap::Args)]
pub struct VoicemailArgs {
    /// The trunk's `listen` address at the server.
    #[arg(long)]
    trunk: SocketAddr,
    /// The trunk's `proxy` address: the carrier sends from there.
    #[arg(long)]
    carrier: SocketAddr,
    /// The trunk's `number_block`: a person's direct number is it and their extension.
    #[arg(long, default_value = "+499321928")]
    number_block: String,
    /// The server's data folder (its SQLite database and `voicemail/`).
    #[arg(long)]
    data_dir: PathBuf,
    /// Callers, each to another person (people 0.. of `prepare --staff`).
    #[arg(long, default_value_t = 200)]
    callers: usize,
    /// New calls per second.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Seconds each caller speaks after the signal tone.
    #[arg(long, default_value_t = 10.0)]
    talk: f64,
    /// Seconds of silence after speaking, before hanging up.
    #[arg(long, default_value_t = 1.5)]
    quiet: f64,
    /// The server's `[voicemail] max_seconds`.
    #[arg(long, default_value_t = 180)]
    max_seconds: u32,
    /// Seconds to wait after the calls for every message to be stored.
    #[arg(long, default_value_t = 60.0)]
    store_wait: f64,
    /// The server's process id, for its CPU.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds the whole run may take.
    #[arg(long, default_value_t = 300.0)]
    max_time: f64,
    /// Goal: loss each way (%).
    #[arg(long, default_value_t = 0.1)]
    goal_loss_pct: f64,
    /// Writes the result as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// The trim's margin after the last sound (`voicemail::trim::MARGIN`, 300 ms).
const TRIM_MARGIN_MS: f64 = 300.0;

/// Runs the benchmark; fails when a goal is missed (after printing and writing).
pub fn run(args: VoicemailArgs) -> anyhow::Result<()> {
    if args.callers == 0 || args.rate <= 0.0 || args.talk < 1.0 || args.quiet < 0.5 {
        bail!("--callers at least 1, --rate above 0, --talk at least 1 s, --quiet at least 0.5 s");
    }
    if args.talk + args.quiet >= f64::from(args.max_seconds) {
        bail!("--talk and --quiet must fit in --max-seconds");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let limit = Duration::from_secs_f64(args.max_time);
    let summary = runtime.block_on(async {
        tokio::time::timeout(limit, drive(&args))
            .await
            .map_err(|_| {
                anyhow::anyhow!("the run took longer than --max-time {} s", args.max_time)
            })?
    })?;
    let text = serde_json::to_string(&summary)?;
    println!("result {text}");
    if let Some(path) = &args.json {
        std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if summary["pass"] != true {
        bail!("the voicemail benchmark missed a goal");
    }
    Ok(())
}

/// The greeting of a box with `language` at `extension`, then the signal tone: what the
/// server plays (`call_service/voicemail.rs`).
fn heard(language: &str, extension: &str) -> (Arc<[Frame]>, usize) {
    let language = match language {
        "en" => Language::English,
        _ => Language::German,
    };
    let greeting = prompts::to_frames(&prompts::voicemail_greeting(language, extension));
    let signal = audio::tone::beeps(1000.0, 500, 100, 1);
    let frames: Vec<Frame> = greeting.iter().chain(&signal).copied().collect();
    (frames.into(), greeting.len())
}

async fn drive(args: &VoicemailArgs) -> anyhow::Result<serde_json::Value> {
    let url = store::DatabaseUrl::sqlite_in(&args.data_dir);
    let store = store::Store::open(&url)
        .await
        .with_context(|| format!("opening {}", url.redacted()))?;
    let callees = boxes::callees(&store, args.callers, wall_us() / 1_000).await?;
    let frames = |s: f64| (s * 50.0).round() as u32;
    let mut voices: HashMap<u32, Arc<[Frame]>> = HashMap::new();
    let mut scripts = HashMap::new();
    let mut expected_frames = Vec::new();
    let mut longest = 0;
    for (i, c) in callees.iter().enumerate() {
        let (heard, greeting) = heard(&c.language, &c.extension);
        let pitch = recording::pitch_of(i as u32);
        let voice = voices
            .entry(pitch)
            .or_insert_with(|| caller::tone_second(pitch))
            .clone();
        expected_frames.push(heard.len() as u64);
        longest = longest.max(heard.len());
        scripts.insert(
            i as u32,
            Script {
                heard,
                greeting,
                voice,
                talk: frames(args.talk),
                quiet: frames(args.quiet),
            },
        );
    }
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let rtp = rtp::start(scripts, done_tx)?;
    let sampler = cpu::Sampler::start(args.server_pid)?;
    let first = format!("{}{}", args.number_block, callees[0].extension);
    let mut carrier = Carrier::bind(args.carrier, args.trunk, &first).await?;
    // A caller hangs up when it has said everything; at the latest after this.
    let script_time = Duration::from_millis(longest as u64 * 20)
        + Duration::from_secs_f64(args.talk + args.quiet);
    let stay = script_time + Duration::from_secs(20);
    let gap = Duration::from_secs_f64(1.0 / args.rate);
    let t0 = Instant::now() + Duration::from_millis(500);
    let plans: Vec<Plan> = callees
        .iter()
        .enumerate()
        .map(|(i, c)| Plan {
            id: i as u32,
            at: t0 + gap * i as u32,
            stay,
            callee: Some(format!("{}{}", args.number_block, c.extension)),
        })
        .collect();
    let deadline = t0 + gap * args.callers as u32 + stay + Duration::from_secs(10);
    println!(
        "== voicemail: {} callers at {} a second, each to another person's box; greeting and signal {:.1} s at most, then {} s of tone and {} s of quiet",
        args.callers,
        args.rate,
        longest as f64 * 0.02,
        args.talk,
        args.quiet
    );
    let started_us = wall_us();
    let outcomes = carrier
        .run(&rtp, &plans, deadline, Some(&mut done_rx))
        .await;
    sleep(Duration::from_millis(500)).await;
    let reports = rtp.collect().await;
    let hung_up_us = wall_us();
    println!(
        "== calls over: {} placed, {} answered, {} failed, {} callers done; waiting for the messages",
        outcomes.len(),
        outcomes.iter().filter(|o| o.answered_us.is_some()).count(),
        outcomes.iter().filter(|o| o.failed.is_some()).count(),
        reports.iter().filter(|r| r.caller.done_us.is_some()).count(),
    );
    let wait_until = Instant::now() + Duration::from_secs_f64(args.store_wait);
    let with_message = boxes::wait_for_messages(&store, &callees, wait_until).await;
    println!(
        "== {with_message} of {} boxes hold a message, {:.1} s after the last call ended",
        args.callers,
        (wall_us() - hung_up_us) as f64 / 1e6
    );
    sleep(Duration::from_millis(300)).await;
    let looks = sampler.stop();
    let mut stored = Vec::with_capacity(callees.len());
    for (i, c) in callees.iter().enumerate() {
        let pitch = recording::pitch_of(i as u32);
        stored.push(boxes::read(&store, &args.data_dir, c, pitch, args.max_seconds).await);
    }
    store.close().await;
    let _ = rtp.stop();

    // The windows, from what the callers and the boxes saw.
    let max = |v: Vec<Option<i64>>| v.into_iter().flatten().max();
    let min = |v: Vec<Option<i64>>| v.into_iter().flatten().min();
    let all_answered = max(outcomes.iter().map(|o| o.answered_us).collect());
    let first_signal = min(reports.iter().map(|r| r.caller.signal_us).collect());
    let all_talking = max(reports.iter().map(|r| r.caller.talk_from_us).collect());
    let first_done = min(reports.iter().map(|r| r.caller.done_us).collect());
    let last_written = max(stored.iter().map(|s| s.written_us).collect());
    let margin = 200_000;
    let usage = |from: Option<i64>, until: Option<i64>| {
        cpu::window(&looks, from? + margin, until? - margin)
    };
    let usage = [
        usage(all_answered, first_signal),
        usage(all_talking, first_done),
        first_done
            .zip(last_written)
            .and_then(|(f, l)| cpu::window(&looks, f, l + 100_000)),
        last_written.and_then(|l| cpu::window(&looks, started_us, l + 100_000)),
    ];
    let expect: Vec<judge::Expect> = (0..args.callers)
        .map(|i| judge::Expect {
            caller_suffix: format!("{i:07}"),
            talk_ms: f64::from(frames(args.talk)) * 20.0,
            margin_ms: TRIM_MARGIN_MS,
            start_slack_ms: 500.0,
        })
        .collect();
    let seen = judge::Seen {
        callers: args.callers,
        expected_frames: &expected_frames,
        outcomes: &outcomes,
        reports: &reports,
        stored: &stored,
        expect: &expect,
        usage,
        goal_loss_pct: args.goal_loss_pct,
        settings: serde_json::json!({
            "callers": args.callers, "rate": args.rate, "talk": args.talk, "quiet": args.quiet,
            "max_seconds": args.max_seconds,
        }),
    };
    let summary = judge::judge(&seen);
    print_summary(&summary);
    Ok(summary)
}

/// The goals and figures, for people.
fn print_summary(s: &serde_json::Value) {
    let num = |v: &serde_json::Value, d: usize| {
        v.as_f64().map_or("-".to_string(), |x| format!("{x:.d$}"))
    };
    for g in s["goals"].as_array().into_iter().flatten() {
        println!(
            "   {:<70} {:>10} {:>14} {:>8}  {}",
            g["name"].as_str().unwrap_or_default(),
            num(&g["actual"], 3),
            g["goal_text"].as_str().unwrap_or_default(),
            num(&g["ratio"], 2),
            if g["pass"] == true { "ok" } else { "MISSED" }
        );
    }
    let r = &s["recordings"];
    let spread = |v: &serde_json::Value| {
        format!(
            "min {} p50 {} max {}",
            num(&v["min"], 0),
            num(&v["p50"], 0),
            num(&v["max"], 0)
        )
    };
    println!(
        "   recordings: {} complete of {} boxes with a message; length ms {}; tone ms {}; kept after the tone ms {}; tone missing at the start ms {}; stored after hang-up ms {}",
        r["complete"],
        r["boxes_with_a_message"],
        spread(&r["duration_ms"]),
        spread(&r["tone_ms"]),
        spread(&r["tail_ms"]),
        spread(&r["tone_missing_at_start_ms"]),
        spread(&r["stored_after_hang_up_ms"]),
    );
    let c = &s["calls"];
    println!(
        "   call control: INVITE to 200 OK ms {}; last frame to the BYE's 200 OK ms {}",
        spread(&c["setup_ms"]),
        spread(&c["bye_answered_ms"]),
    );
    for p in r["first_problems"].as_array().into_iter().flatten() {
        println!("   problem: {}", p.as_str().unwrap_or_default());
    }
    let c = &s["cpu_ms_per_s"];
    let m = &s["cpu_ms_per_message"];
    let u = &s["usage"];
    println!(
        "   server CPU: {} ms/s per caller hearing the greeting ({} s window), {} ms/s per recording channel ({} s window, {} cores, CPU pressure {} %), {} ms per message from the first hang-up to the last file, {} ms per message over the whole run",
        num(&c["greeting_caller"], 3),
        num(&u["greeting"]["seconds"], 1),
        num(&c["recording_channel"], 3),
        num(&u["recording"]["seconds"], 1),
        num(&u["recording"]["server_cores"], 3),
        num(&u["recording"]["cpu_pressure_pct"], 0),
        num(&m["storing"], 1),
        num(&m["whole_call"], 1),
    );
}
