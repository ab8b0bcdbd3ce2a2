//! `durchwahl-load hotline`: citizens waiting in a hotline's queue and talking to its
//! agents (issue 16's benchmark, `bench/hotline.sh`).
//!
//! The load plays the carrier of an IP trunk (INVITEs to the hotline's direct number,
//! from the trunk's `proxy` address, PCMA both ways), the agents' SIP phones (registered
//! with the devices of `durchwahl phones import`, answering at once) and a supervisor's
//! browser (the `queue.board` frames on a WebSocket). Phases, one after the other:
//! - `waiting`: the agents' phones are not registered, so nobody is offered a call;
//!   `--waiting` callers arrive at `--rate` a second and stay `--stay` seconds, hearing
//!   the welcome, their position, music on hold and their position every
//!   `--position-every` seconds. Measured: loss on the streams the server plays them,
//!   each announcement's lateness, the wallboard's delay, the server's CPU per waiting
//!   caller over the window in which all of them wait.
//! - `bridged`: the phones register; `--bridged` callers arrive at `--rate` and are
//!   answered by them; `--talk` seconds of voice both ways, then the agents hang up.
//!   The server's CPU per bridged call.
//! - `both`: `--bridged` callers talk (they come first) while `--waiting` wait; the
//!   agents hang up after the last waiting caller has gone.
//!
//! Then the hotline's report must account for every call placed.

mod agents;
pub(crate) mod announce;
mod board;
pub(crate) mod carrier;
mod eventlog;
pub(crate) mod media;
mod report;
pub mod setup;
pub(crate) mod stream;
mod usage;

use crate::http::Target;
use crate::{client, org, sign_in};
use anyhow::{bail, Context};
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The command line of `hotline`.
#[derive(clap::Args)]
pub struct HotlineArgs {
    /// The server, on this machine: http://127.0.0.1:PORT.
    #[arg(long)]
    url: String,
    /// The server's SIP address (the agents' phones register there).
    #[arg(long)]
    sip: SocketAddr,
    /// The trunk's `listen` address at the server.
    #[arg(long)]
    trunk: SocketAddr,
    /// The trunk's `proxy` address: the carrier sends from there.
    #[arg(long)]
    carrier: SocketAddr,
    /// The credentials file of `durchwahl phones import` for the agents (people
    /// `0..agents × agent-sets` of `prepare --hotline-agents`, one device each, in that
    /// order).
    #[arg(long)]
    devices: PathBuf,
    /// Agents on the phone at a time.
    #[arg(long, default_value_t = 100)]
    agents: usize,
    /// Sets of `--agents` agents (`prepare --hotline-agents` = agents × sets; the next
    /// person supervises). Each phase with agents registers the next set (the last set
    /// again when there are no more): a server that keeps agents "on the phone" after
    /// their first call (see bench/hotline/README.md) offers each agent one call only.
    #[arg(long, default_value_t = 1)]
    agent_sets: usize,
    /// Phases to run, of `waiting`, `bridged`, `both`.
    #[arg(long, value_delimiter = ',', default_value = "waiting,bridged,both")]
    phases: Vec<String>,
    /// Callers waiting at once.
    #[arg(long, default_value_t = 500)]
    waiting: usize,
    /// Callers talking to agents (at most the agents).
    #[arg(long, default_value_t = 100)]
    bridged: usize,
    /// New calls per second.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Seconds a waiting caller stays after the 200 OK.
    #[arg(long, default_value_t = 32.0)]
    stay: f64,
    /// Seconds an agent talks before hanging up.
    #[arg(long, default_value_t = 22.0)]
    talk: f64,
    /// The queue's `position_every_secs` (`prepare --hotline-position-every`).
    #[arg(long, default_value_t = 10)]
    position_every: i64,
    /// The server's process id, for its CPU and memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds the whole run may take.
    #[arg(long, default_value_t = 400.0)]
    max_time: f64,
    /// Goals: loss on the waiting callers' streams (%), lateness of every announcement
    /// (ms), the wallboard's p99 (ms).
    #[arg(long, default_value_t = 0.1)]
    goal_loss_pct: f64,
    /// See `goal_loss_pct`.
    #[arg(long, default_value_t = 100.0)]
    goal_late_ms: f64,
    /// See `goal_loss_pct`.
    #[arg(long, default_value_t = 1000.0)]
    goal_board_ms: f64,
    /// Writes the result as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Runs the benchmark; fails when a goal is missed (after printing and writing).
pub fn run(args: HotlineArgs) -> anyhow::Result<()> {
    for p in &args.phases {
        if !["waiting", "bridged", "both"].contains(&p.as_str()) {
            bail!("unknown phase {p:?} (waiting, bridged, both)");
        }
    }
    if args.bridged > args.agents || args.rate <= 0.0 || args.waiting == 0 || args.agent_sets == 0 {
        bail!("--bridged must be at most --agents, --rate above 0, --waiting and --agent-sets at least 1");
    }
    let text = std::fs::read_to_string(&args.devices)
        .with_context(|| format!("reading {}", args.devices.display()))?;
    let devices = agents::read_devices(&text)?;
    for i in 0..args.agents * args.agent_sets {
        if devices.get(i).map(|d| d.login.as_str()) != Some(org::login(i).as_str()) {
            bail!(
                "{} has no device of {} on line {}",
                args.devices.display(),
                org::login(i),
                i + 2
            );
        }
    }
    let (known, welcome_ms) = known_prompts()?;
    let schedule = announce::Schedule {
        welcome_ms,
        every_ms: args.position_every * 1_000,
        margin_ms: 1_000,
    };
    let media = Rc::new(media::start(known)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let limit = Duration::from_secs_f64(args.max_time);
    let outcome = runtime.block_on(local.run_until(async {
        tokio::time::timeout(limit, drive(&args, devices, media.clone(), &schedule))
            .await
            .map_err(|_| {
                anyhow::anyhow!("the run took longer than --max-time {} s", args.max_time)
            })?
    }));
    drop(local);
    let rtp_cpu = Rc::try_unwrap(media).ok().map(media::Media::stop);
    let mut summary = outcome?;
    if let Some(Ok(cpu)) = rtp_cpu {
        summary["load_rtp_thread_cpu_seconds"] = serde_json::json!(cpu);
    }
    let text = serde_json::to_string(&summary)?;
    println!("result {text}");
    if let Some(path) = &args.json {
        std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if summary["pass"] != true {
        bail!("the hotline benchmark missed a goal");
    }
    Ok(())
}

/// The built-in prompts' frames the callers recognise, and the welcome's length (ms).
fn known_prompts() -> anyhow::Result<(stream::Known, i64)> {
    use audio::prompts::{clip, Language, HOLD_MUSIC};
    let frames = |name: &str, n: usize| -> anyhow::Result<Vec<[u8; stream::FRAME]>> {
        let alaw = clip(Language::German, name).with_context(|| format!("no prompt {name}"))?;
        Ok(alaw
            .chunks_exact(stream::FRAME)
            .take(n)
            .filter_map(|f| f.try_into().ok())
            .collect())
    };
    let known = stream::Known {
        welcome: frames("welcome", 10)?,
        position: frames("position_before", 1)?[0],
        music: frames(HOLD_MUSIC, usize::MAX)?.into_iter().collect(),
    };
    let firsts: Vec<&[u8; stream::FRAME]> = known.welcome.iter().chain([&known.position]).collect();
    if firsts.iter().any(|f| known.music.contains(*f)) || known.welcome.contains(&known.position) {
        bail!("a prompt's first frames are in another: prompts cannot be told apart");
    }
    let welcome_ms = clip(Language::German, "welcome").map_or(0, |a| a.len() as i64 / 8);
    Ok((known, welcome_ms))
}

/// The phone side: agents' phones, the carrier and the supervisor.
struct Rig {
    target: Target,
    cookie: String,
    hotline: i64,
    board: Rc<RefCell<board::BoardLog>>,
    carrier: carrier::Carrier,
    media: Rc<media::Media>,
    agents: Vec<mpsc::UnboundedSender<agents::Command>>,
    agent_reports: mpsc::UnboundedReceiver<agents::Report>,
    next_caller: u32,
}

async fn drive(
    args: &HotlineArgs,
    devices: Vec<agents::Device>,
    media: Rc<media::Media>,
    schedule: &announce::Schedule,
) -> anyhow::Result<serde_json::Value> {
    let target = Target::parse(&args.url)?;
    let supervisor = args.agents * args.agent_sets;
    let signed = sign_in::sign_in_all(&target, supervisor, 1, 1).await;
    let cookie = signed.cookies.first().cloned().flatten().with_context(|| {
        format!(
            "signing in the supervisor {}: {:?}",
            org::login(supervisor),
            signed.first_error
        )
    })?;
    let hotline = eventlog::hotline_id(&target, &cookie, setup::EXTENSION).await?;
    let (socket, _) = client::connect(&target, &cookie).await?;
    let board = Rc::new(RefCell::new(board::BoardLog::default()));
    tokio::task::spawn_local(board::watch(socket, hotline, board.clone()));
    let carrier = carrier::Carrier::bind(args.carrier, args.trunk, setup::DID).await?;
    let (tx, agent_reports) = mpsc::unbounded_channel();
    let streams = Rc::new(Cell::new(0));
    let mut phones = Vec::new();
    for (i, device) in devices.into_iter().take(supervisor).enumerate() {
        let phone = agents::spawn(
            i,
            device,
            args.sip,
            media.clone(),
            tx.clone(),
            streams.clone(),
        );
        phones.push(phone.await?);
    }
    let mut rig = Rig {
        target,
        cookie,
        hotline,
        board,
        carrier,
        media,
        agents: phones,
        agent_reports,
        next_caller: 0,
    };
    let idle = usage::server_now(args.server_pid);
    println!(
        "== hotline {hotline} ({}): {} agents ({} set(s) of {}), supervisor {}; server idle RSS {} MB",
        setup::DID,
        supervisor,
        args.agent_sets,
        args.agents,
        org::login(supervisor),
        idle.map_or("-".into(), |s| format!("{:.1}", s.rss_kb as f64 / 1024.0))
    );
    let started_ms = media::wall_us() / 1_000;
    let mut phases = Vec::new();
    let (mut registered, mut next_set) = (None, 0);
    for name in &args.phases {
        let (talkers, waiters) = match name.as_str() {
            "waiting" => (0, args.waiting),
            "bridged" => (args.bridged, 0),
            _ => (args.bridged, args.waiting),
        };
        let wanted = (talkers > 0).then(|| next_set.min(args.agent_sets - 1));
        if wanted != registered {
            if let Some(set) = registered {
                rig.register(set, args.agents, false).await?;
            }
            if let Some(set) = wanted {
                rig.register(set, args.agents, true).await?;
                next_set += 1;
            }
            registered = wanted;
        }
        let result = rig.phase(args, name, talkers, waiters, schedule).await;
        print!("{}", result.human());
        phases.push(result);
    }
    if let Some(set) = registered {
        rig.register(set, args.agents, false).await?;
    }
    let placed: u64 = phases.iter().map(|p| p.placed).sum();
    let span = (started_ms, media::wall_us() / 1_000);
    let accounted = eventlog::check(
        &rig.target,
        &rig.cookie,
        rig.hotline,
        placed,
        span,
        Duration::from_secs(20),
    )
    .await?;
    println!(
        "== event log: placed {} offered {} = answered {} + abandoned {} + overflowed {} + waiting {}: {}",
        accounted.placed, accounted.offered, accounted.answered, accounted.abandoned,
        accounted.overflowed, accounted.waiting,
        if accounted.adds_up() { "every call accounted for" } else { "DOES NOT ADD UP" }
    );
    let board_end = rig.board.borrow().ended.clone();
    if let Some(why) = &board_end {
        println!("== warning: the supervisor's WebSocket ended: {why}");
    }
    Ok(goals::judge(args, &phases, &accounted, idle, board_end))
}

pub(crate) mod goals;
mod rig;
