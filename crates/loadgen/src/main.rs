//! `durchwahl-load`: signs in simulated staff over WebSocket and drives presence changes
//! and chat against a Durchwahl server on this machine (issue 4's benchmark), and relays
//! G.711 calls through a media relay (issue 15's benchmark).
//!
//! ```text
//! durchwahl-load prepare --data-dir DIR [--database-url URL] --staff 20000
//! durchwahl-load run --url http://127.0.0.1:PORT --staff 20000 --clients 19900 \
//!     --presence-rate 1000 --chat-rate 2000 --duration 30 --server-pid PID
//! durchwahl-load media --ng 127.0.0.1:22222 --relay-pid PID --label rtpengine
//! durchwahl-load dial --url http://127.0.0.1:PORT --staff 100 --calls 1000 --concurrency 20
//! durchwahl-load hotline --url http://127.0.0.1:PORT --sip 127.0.0.1:5060 \
//!     --trunk 127.0.0.1:5080 --carrier 127.0.0.1:5090 --devices creds.csv --server-pid PID
//! durchwahl-load voicemail --trunk 127.0.0.1:5080 --carrier 127.0.0.1:5090 \
//!     --data-dir DIR --callers 200 --server-pid PID
//! durchwahl-load fax --trunk 127.0.0.1:5080 --carrier 127.0.0.1:5090 \
//!     --data-dir DIR --faxes 20 --server-pid PID
//! durchwahl-load desks prepare --data-dir DIR --people 500 --desks 50 --sessions FILE
//! durchwahl-load desks run --url http://127.0.0.1:PORT --data-dir DIR --sessions FILE \
//!     --day YYYY-MM-DD --window 60
//! ```
//! See `bench/presence.sh` for the whole benchmark on SQLite and PostgreSQL, and
//! `bench/media.sh` for relayed calls against rtpengine, `bench/dial.sh` for browser calls
//! from dial to ringing, `bench/hotline.sh` for callers waiting in a hotline's queue,
//! `bench/voicemail.sh` for callers leaving messages at once, `bench/fax.sh` for faxes
//! received at once.

mod client;
mod desks;
mod dial;
mod fax;
mod frames;
mod hotline;
mod http;
mod latency;
mod media;
mod org;
mod prepare;
mod procfs;
mod report;
mod rtp_wheel;
mod run;
mod schedule;
mod sign_in;
mod stats;
mod voicemail;
mod worker;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "durchwahl-load",
    about = "Load generator for Durchwahl's real-time protocol"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes the synthetic organisation (units of 30, 20 favourites each) into an empty
    /// database.
    Prepare {
        /// The server's data folder (SQLite file, unless --database-url is given).
        #[arg(long)]
        data_dir: PathBuf,
        /// A postgres:// or sqlite:// URL instead of the data folder's SQLite file.
        #[arg(long)]
        database_url: Option<String>,
        /// People to create.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=99_999))]
        staff: u32,
        /// Also a hotline (extension 2900, direct number +4993219282900) with people
        /// 0..N as its agents (softphone on, logged in) and person N as its supervisor.
        #[arg(long, default_value_t = 0)]
        hotline_agents: usize,
        /// The hotline queue's interval of position announcements (seconds, at least 10).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i64).range(10..=3600))]
        hotline_position_every: i64,
    },
    /// Signs in the clients, connects them, and measures presence and chat delivery.
    Run {
        #[command(flatten)]
        load: LoadArgs,
        /// Worker processes (more are used when the clients need them: at most 9,000
        /// sockets each).
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// The server's process id, to read its memory and CPU from /proc.
        #[arg(long)]
        server_pid: Option<u32>,
        /// Name of the run in the report.
        #[arg(long, default_value = "run")]
        label: String,
        /// Appends tab-separated summary rows to this file.
        #[arg(long)]
        summary: Option<PathBuf>,
    },
    /// Relayed G.711 calls (RTP to RTP) through a media relay driven by the ng control
    /// protocol: finds the most concurrent calls within the loss and jitter goals.
    Media(media::MediaArgs),
    /// Browser calls: dial to ringing (`call.dial` to `call.state` ringing and to the
    /// callee's `call.incoming`), p50/p95/p99 against a goal.
    Dial(dial::DialArgs),
    /// Citizens through an IP trunk into a hotline's queue: waiting (music, positions,
    /// wallboard) and bridged to agents' SIP phones; loss, lateness, CPU per caller.
    Hotline(hotline::HotlineArgs),
    /// Callers through an IP trunk to people nobody can reach, leaving messages at once:
    /// loss both ways, every recording checked in the data folder, CPU per recording.
    Voicemail(voicemail::VoicemailArgs),
    /// Fax machines through an IP trunk sending to one fax box at once (SpanDSP at both
    /// ends): every page in the server's PDFs, CPU per fax channel against the machines'.
    Fax(fax::FaxArgs),
    /// Desk sharing: 500 people booking among 50 desks in the same minute, against the
    /// same server's `GET /api/v1/me` (`desks prepare`, then `desks run`).
    Desks(desks::DesksArgs),
    /// One slice of the clients (started by `run`).
    #[command(hide = true)]
    Worker {
        #[command(flatten)]
        load: LoadArgs,
        /// First person of the slice (0-based).
        #[arg(long)]
        first: usize,
        /// People in the slice.
        #[arg(long)]
        count: usize,
    },
}

#[derive(clap::Args)]
struct LoadArgs {
    /// The server, on this machine: http://127.0.0.1:PORT.
    #[arg(long)]
    url: String,
    /// People in the prepared organisation.
    #[arg(long)]
    staff: usize,
    /// Clients to connect: the first CLIENTS people (defaults to --staff).
    #[arg(long)]
    clients: Option<usize>,
    /// Presence changes per second, all clients together.
    #[arg(long, default_value_t = 1000.0)]
    presence_rate: f64,
    /// Chat messages per second, all clients together.
    #[arg(long, default_value_t = 2000.0)]
    chat_rate: f64,
    /// Seconds per phase.
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Seconds after each phase for late deliveries.
    #[arg(long, default_value_t = 3.0)]
    grace: f64,
}

fn main() {
    // One line per failure, also when RUST_BACKTRACE is set in the environment.
    if let Err(e) = run_command(Cli::parse().command) {
        eprintln!("durchwahl-load: {e:#}");
        std::process::exit(1);
    }
}

fn run_command(command: Cmd) -> anyhow::Result<()> {
    match command {
        Cmd::Media(args) => media::run(args),
        Cmd::Dial(args) => dial::run(args),
        Cmd::Hotline(args) => hotline::run(args),
        Cmd::Voicemail(args) => voicemail::run(args),
        Cmd::Fax(args) => fax::run(args),
        Cmd::Desks(args) => desks::run(args),
        Cmd::Prepare {
            data_dir,
            database_url,
            staff,
            hotline_agents,
            hotline_position_every,
        } => {
            let hotline = (hotline_agents > 0).then_some(prepare::HotlinePlan {
                agents: hotline_agents,
                position_every: hotline_position_every,
            });
            tokio::runtime::Runtime::new()?.block_on(prepare::prepare(
                &data_dir,
                database_url.as_deref(),
                staff as usize,
                hotline,
            ))
        }
        Cmd::Run {
            load,
            workers,
            server_pid,
            label,
            summary,
        } => {
            let plan = run::RunPlan {
                url: load.url,
                staff: load.staff,
                clients: load.clients.unwrap_or(load.staff),
                presence_rate: load.presence_rate,
                chat_rate: load.chat_rate,
                duration: load.duration,
                grace: load.grace,
                workers,
                server_pid,
                label,
                summary,
            };
            current_thread()?.block_on(run::run(plan))
        }
        Cmd::Worker { load, first, count } => {
            let plan = worker::WorkerPlan {
                target: http::Target::parse(&load.url)?,
                staff: load.staff,
                clients: load.clients.unwrap_or(load.staff),
                first,
                count,
                presence_rate: load.presence_rate,
                chat_rate: load.chat_rate,
                duration: load.duration,
                grace: load.grace,
            };
            // One thread per worker process: the clients share counters without locks,
            // and the processes spread over the cores.
            let local = tokio::task::LocalSet::new();
            current_thread()?
                .block_on(local.run_until(worker::run(plan)))
                .with_context(|| format!("worker for people {first}..{}", first + count))
        }
    }
}

fn current_thread() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
