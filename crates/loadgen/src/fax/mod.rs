//! `durchwahl-load fax`: fax machines sending to one fax box at once (issue 17's
//! benchmark, `bench/fax.sh`).
//!
//! The load plays the carrier of an IP trunk (`hotline/carrier.rs`, as the voicemail
//! load): `--faxes` INVITEs spread over `--spread` seconds, each to the box's direct
//! number (the trunk's block and the box's number, an extension). Each call is a fax
//! machine (`machine.rs`): SpanDSP's modem through the `fax` crate, the same as the
//! server's and a separate instance, sending one TIFF of `--pages` pages (made once from
//! a Ghostscript PDF, `document.rs`) as G.711 A-law over RTP on a socket of its own, in
//! real time, 20 ms a packet, in a few threads (`lines.rs`). The server answers each with
//! its own modem, turns the pages into a PDF and hangs up.
//!
//! Measured: each machine's SpanDSP outcome and how long its fax took; the server's side
//! after the run (`inbox.rs`): a row per fax, `received` with every page, and its PDF in
//! the data folder with as many pages; and the CPU (the voicemail load's sampler): the
//! server's per fax channel while every fax was under way, next to the load tool's own per
//! fax machine in the same window (the anchor: the same modem work and RTP, without the
//! server's call control, storage and PDF), both also net of what each used idle in the
//! `--idle` seconds before the first call (the fixed cost of a thread's tick or an idle
//! server is not a channel's), and both per fax from the first INVITE to the last PDF
//! (the server's with its tiff2pdf runs).

mod document;
mod inbox;
mod judge;
mod lines;
mod machine;

use crate::hotline::carrier::{Carrier, Plan};
use crate::hotline::media::wall_us;
use crate::voicemail::cpu;
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::{sleep, Instant};

/// The command line of `fax`.
#[derive(clap::Args)]
pub struct FaxArgs {
    /// The trunk's `listen` address at the server.
    #[arg(long)]
    trunk: SocketAddr,
    /// The trunk's `proxy` address: the carrier sends from there.
    #[arg(long)]
    carrier: SocketAddr,
    /// The trunk's `number_block`: the box's direct number is it and the box's number.
    #[arg(long, default_value = "+499321928")]
    number_block: String,
    /// The server's data folder (its SQLite database and `fax/`).
    #[arg(long)]
    data_dir: PathBuf,
    /// The fax box's number (an extension nobody has); made if there is no such box.
    #[arg(long, default_value = "190000")]
    number: String,
    /// The unit whose box it is, when it is made.
    #[arg(long, default_value = "Lastprobe/Einheit 0001")]
    unit: String,
    /// Fax machines calling at once.
    #[arg(long, default_value_t = 20)]
    faxes: usize,
    /// Pages each sends.
    #[arg(long, default_value_t = 2)]
    pages: u32,
    /// Seconds over which the calls start (evenly).
    #[arg(long, default_value_t = 1.0)]
    spread: f64,
    /// Threads for the machines' RTP and modems.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Seconds before the first call in which CPU is measured idle (at least 1).
    #[arg(long, default_value_t = 3.0)]
    idle: f64,
    /// Seconds a fax may take from its 200 OK before the carrier hangs up.
    #[arg(long, default_value_t = 120.0)]
    fax_limit: f64,
    /// Seconds to wait after the calls for every fax's row and PDF.
    #[arg(long, default_value_t = 60.0)]
    store_wait: f64,
    /// The server's process id, for its CPU.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds the whole run may take.
    #[arg(long, default_value_t = 300.0)]
    max_time: f64,
    /// Writes the result as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Runs the benchmark; fails when a goal is missed (after printing and writing).
pub fn run(args: FaxArgs) -> anyhow::Result<()> {
    if args.faxes == 0 || args.faxes > 9_999_999 || args.spread < 0.0 || args.pages == 0 {
        bail!("--faxes 1 or more, --spread not negative, --pages 1 or more");
    }
    if args.idle < 1.0 {
        bail!("--idle at least 1 s");
    }
    if args.fax_limit < 10.0 {
        bail!("--fax-limit at least 10 s (a page takes several at 9600 bit/s)");
    }
    fax::available().context("the fax machines need SpanDSP (Debian package libspandsp2)")?;
    fax::document::tools_available()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let limit = Duration::from_secs_f64(args.max_time);
    let work = std::env::temp_dir().join(format!("durchwahl-load-fax-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("making {}", work.display()))?;
    let summary = runtime.block_on(async {
        tokio::time::timeout(limit, drive(&args, &work))
            .await
            .map_err(|_| {
                anyhow::anyhow!("the run took longer than --max-time {} s", args.max_time)
            })?
    });
    let _ = std::fs::remove_dir_all(&work);
    let summary = summary?;
    let text = serde_json::to_string(&summary)?;
    println!("result {text}");
    if let Some(path) = &args.json {
        std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if summary["pass"] != true {
        bail!("the fax benchmark missed a goal");
    }
    Ok(())
}

async fn drive(args: &FaxArgs, work: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let tiff = work.join("brief.tif");
    let pages = document::pages_tiff(args.pages, &tiff)?;
    if pages != args.pages {
        bail!("the fax TIFF has {pages} pages, not {}", args.pages);
    }
    let url = store::DatabaseUrl::sqlite_in(&args.data_dir);
    let store = store::Store::open(&url)
        .await
        .with_context(|| format!("opening {}", url.redacted()))?;
    let box_id = inbox::ensure_box(&store, &args.number, &args.unit, wall_us() / 1_000).await?;
    let setups: HashMap<u32, lines::Setup> = (0..args.faxes as u32)
        .map(|id| {
            let setup = lines::Setup {
                tiff: tiff.clone(),
                // T.30's TSI: the machine's number, as a fax machine says it.
                ident: format!("+49 305 {}", judge::caller_suffix(id as usize)),
            };
            (id, setup)
        })
        .collect();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let lines = lines::start(args.threads, setups, done_tx)?;
    let sampler = cpu::Sampler::start(args.server_pid)?;
    let did = format!("{}{}", args.number_block, args.number);
    let mut carrier = Carrier::bind(args.carrier, args.trunk, &did).await?;
    let stay = Duration::from_secs_f64(args.fax_limit);
    let gap = match args.faxes {
        1 => Duration::ZERO,
        n => Duration::from_secs_f64(args.spread / (n - 1) as f64),
    };
    // The first seconds nobody calls: what server and load tool use idle (the load
    // tool's threads tick every millisecond with no line yet).
    let idle_from_us = wall_us();
    let t0 = Instant::now() + Duration::from_secs_f64(args.idle);
    let idle_until_us = idle_from_us + (args.idle * 1e6) as i64;
    let plans: Vec<Plan> = (0..args.faxes as u32)
        .map(|id| Plan {
            id,
            at: t0 + gap * id,
            stay,
            callee: None,
        })
        .collect();
    let deadline = t0 + Duration::from_secs_f64(args.spread) + stay + Duration::from_secs(10);
    println!(
        "== fax: {} fax machines call {did} (box {box_id}) within {} s, each sending {} pages; {} RTP threads",
        args.faxes, args.spread, args.pages, args.threads
    );
    let started_us = wall_us();
    let since_ms = started_us / 1_000 - 1_000;
    let outcomes = carrier
        .run(&lines, &plans, deadline, Some(&mut done_rx))
        .await;
    sleep(Duration::from_millis(300)).await;
    let mut reports = lines.collect().await;
    reports.sort_by_key(|r| r.id);
    let calls_over_us = wall_us();
    println!(
        "== calls over: {} placed, {} answered, {} failed, {} machines finished; waiting for the faxes' rows and PDFs",
        outcomes.len(),
        outcomes.iter().filter(|o| o.answered_us.is_some()).count(),
        outcomes.iter().filter(|o| o.failed.is_some()).count(),
        reports.iter().filter(|r| r.machine.outcome.is_some()).count(),
    );
    let until = Instant::now() + Duration::from_secs_f64(args.store_wait);
    let rows = inbox::wait_for_faxes(&store, box_id, since_ms, args.faxes, until).await;
    let kept: Vec<inbox::Kept> = rows
        .iter()
        .map(|f| inbox::read(&args.data_dir, f))
        .collect();
    println!(
        "== {} rows, {} received, {:.1} s after the last call ended",
        kept.len(),
        kept.iter().filter(|k| k.status == "received").count(),
        (wall_us() - calls_over_us) as f64 / 1e6
    );
    sleep(Duration::from_millis(300)).await;
    let looks = sampler.stop();
    store.close().await;
    let rtp_threads_cpu_s = lines.stop().ok();

    // The windows, from what the machines and the server saw.
    let all_answered = outcomes.iter().filter_map(|o| o.answered_us).max();
    let first_end = reports.iter().filter_map(|r| r.machine.finished_us).min();
    let last_pdf = kept
        .iter()
        .filter_map(|k| k.written_us.max(k.finished_us))
        .max();
    let margin = 200_000;
    let usage = [
        cpu::window(&looks, idle_from_us + margin, idle_until_us - margin),
        all_answered
            .zip(first_end)
            .and_then(|(a, e)| cpu::window(&looks, a + margin, e - margin)),
        last_pdf.and_then(|l| cpu::window(&looks, started_us, l + 100_000)),
    ];
    let seen = judge::Seen {
        faxes: args.faxes,
        pages: args.pages,
        outcomes: &outcomes,
        reports: &reports,
        kept: &kept,
        usage,
        rtp_threads_cpu_s,
        settings: serde_json::json!({
            "faxes": args.faxes, "pages": args.pages, "spread": args.spread,
            "threads": args.threads, "number": args.number, "fax_limit": args.fax_limit,
            "idle": args.idle,
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
            num(&g["actual"], 0),
            g["goal_text"].as_str().unwrap_or_default(),
            num(&g["ratio"], 2),
            if g["pass"] == true { "ok" } else { "MISSED" }
        );
    }
    let spread = |v: &serde_json::Value, d: usize| {
        format!(
            "min {} p50 {} max {}",
            num(&v["min"], d),
            num(&v["p50"], d),
            num(&v["max"], d)
        )
    };
    let f = &s["faxes"];
    println!(
        "   faxes: {} complete of {}; pages in the PDFs {}; T.30 at {} machines ended by the server's hang-up; fax time (200 OK to the end of T.30 or the hang-up) s {}; PDF written after the fax's end ms {}",
        f["complete"],
        f["machines"],
        f["pages_in_pdfs"],
        f["ended_by_the_hang_up"],
        spread(&f["fax_s"], 1),
        spread(&f["pdf_after_end_ms"], 0),
    );
    let c = &s["calls"];
    println!(
        "   calls: {} placed, {} answered, {} failed {}; INVITE to 200 OK ms {}",
        c["placed"],
        c["answered"],
        c["failed"],
        c["failed_codes"],
        spread(&c["setup_ms"], 1)
    );
    let l = &s["line"];
    println!(
        "   line: {} packets sent, {} heard, {} late, {} samples of gaps, {} foreign, {} send errors",
        l["packets_sent"], l["packets_heard"], l["late_dropped"], l["gap_samples"], l["foreign"], l["send_errors"]
    );
    for p in f["problems"].as_array().into_iter().flatten() {
        println!("   problem: {}", p.as_str().unwrap_or_default());
    }
    for p in f["stray_rows"].as_array().into_iter().flatten() {
        println!("   problem: {}", p.as_str().unwrap_or_default());
    }
    let m = &s["cpu_ms_per_s"];
    let p = &s["cpu_ms_per_fax"];
    let u = &s["usage"];
    println!(
        "   CPU while all faxes were under way ({} s, CPU pressure {} %): server {} ms/s per fax channel, load tool {} ms/s per fax machine, ratio {}",
        num(&u["at_once"]["seconds"], 1),
        num(&u["at_once"]["cpu_pressure_pct"], 0),
        num(&m["server_per_channel"], 2),
        num(&m["tool_per_machine"], 2),
        num(&m["ratio"], 2),
    );
    println!(
        "   the same net of idle (server {} cores, load tool {} idle): server {} ms/s per fax channel, load tool {} ms/s per fax machine, ratio {}",
        num(&u["idle"]["server_cores"], 3),
        num(&u["idle"]["tool_cores"], 3),
        num(&m["server_net_per_channel"], 2),
        num(&m["tool_net_per_machine"], 2),
        num(&m["net_ratio"], 2),
    );
    println!(
        "   CPU per fax, first INVITE to last PDF ({} s): server {} ms (of it tiff2pdf {} ms), load tool {} ms, ratio {}",
        num(&u["whole"]["seconds"], 1),
        num(&p["server"], 0),
        num(&p["server_children"], 0),
        num(&p["tool"], 0),
        num(&p["ratio"], 2),
    );
}
