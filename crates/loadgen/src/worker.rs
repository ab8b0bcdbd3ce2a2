//! A worker process: one slice of the clients (at most ~9,000 sockets, under the open-file
//! limit), steered by the parent over stdin and answering with JSON lines on stdout:
//!
//! 1. signs its people in, prints `{"event":"signed_in",…}`, waits for `connect`;
//! 2. opens their WebSockets, prints `{"event":"connected",…}`, waits for `go <µs>`;
//! 3. runs both phases on the wall clock from that start, prints `{"event":"result",…}`
//!    and exits. Every wait has a time limit, so the worker ends even if the server hangs.

use crate::client::{self, now_micros, Command, Shared};
use crate::http::Target;
use crate::org;
use crate::schedule::{Schedule, Timeline};
use crate::sign_in::sign_in_all;
use crate::stats::{Stats, Traffic};
use anyhow::{bail, Context};
use serde_json::json;
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::time::{sleep, timeout};

/// Kept-alive HTTP connections per worker during sign-in.
const SIGN_IN_CONNECTIONS: usize = 16;
/// WebSocket handshakes in flight per worker.
const CONNECTING_AT_ONCE: usize = 100;
/// Longest wait for the parent's next command.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What a worker is told on its command line.
#[derive(Debug, Clone)]
pub struct WorkerPlan {
    /// The server.
    pub target: Target,
    /// People in the organisation.
    pub staff: usize,
    /// Clients of the whole run (the first `clients` people).
    pub clients: usize,
    /// This worker's first person.
    pub first: usize,
    /// This worker's number of people.
    pub count: usize,
    /// This worker's presence changes per second.
    pub presence_rate: f64,
    /// This worker's chat messages per second.
    pub chat_rate: f64,
    /// Seconds per phase.
    pub duration: f64,
    /// Seconds after each phase for the last deliveries.
    pub grace: f64,
}

fn emit(value: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

async fn expect(lines: &mut Lines<BufReader<Stdin>>, word: &str) -> anyhow::Result<String> {
    let line = timeout(CONTROL_TIMEOUT, lines.next_line())
        .await
        .context("no word from the parent")??
        .context("the parent went away")?;
    match line.strip_prefix(word) {
        Some(rest) => Ok(rest.trim().to_string()),
        None => bail!("expected {word:?} from the parent, got {line:?}"),
    }
}

/// A connected client as the schedule sees it.
struct Sender {
    person: usize,
    commands: mpsc::Sender<Command>,
    room: Option<i64>,
    busy_next: bool,
}

/// Runs the worker (on a current-thread runtime inside a `LocalSet`).
pub async fn run(plan: WorkerPlan) -> anyhow::Result<()> {
    let mut control = BufReader::new(tokio::io::stdin()).lines();
    let started = Instant::now();
    let signed = sign_in_all(&plan.target, plan.first, plan.count, SIGN_IN_CONNECTIONS).await;
    let ok = signed.cookies.iter().flatten().count();
    emit(json!({
        "event": "signed_in", "ok": ok, "failed": plan.count - ok, "retries": signed.retries,
        "rooms": signed.rooms.len(), "seconds": started.elapsed().as_secs_f64(),
        "first_error": signed.first_error,
    }));
    expect(&mut control, "connect").await?;

    let started = Instant::now();
    let shared = Rc::new(Shared::default());
    let gate = Rc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let mut pending = Vec::new();
    let mut tasks = Vec::new();
    for (offset, cookie) in signed.cookies.iter().enumerate() {
        let Some(cookie) = cookie.clone() else {
            continue;
        };
        let person = plan.first + offset;
        let (commands, inbox) = mpsc::channel(8);
        let (connected, outcome) = oneshot::channel();
        let (target, shared, gate) = (plan.target.clone(), Rc::clone(&shared), Rc::clone(&gate));
        tasks.push(tokio::task::spawn_local(async move {
            let socket = {
                let _permit = gate.acquire().await;
                connect_with_retries(&target, &cookie).await
            };
            match socket {
                Ok((socket, entries)) => {
                    let _ = connected.send(Ok(entries));
                    client::run(socket, org::login(person), &shared, inbox).await;
                }
                Err(e) => {
                    let _ = connected.send(Err(format!("{}: {e:#}", org::login(person))));
                }
            }
        }));
        pending.push((person, commands, outcome));
    }
    let limit = Duration::from_secs(60) + Duration::from_millis(20 * plan.count as u64);
    let deadline = tokio::time::Instant::now() + limit;
    let (mut senders, mut failed, mut first_error, mut entries) = (Vec::new(), 0, None, 0);
    for (person, commands, outcome) in pending {
        match tokio::time::timeout_at(deadline, outcome).await {
            Ok(Ok(Ok(n))) => {
                entries += n;
                let room = signed.rooms.get(&org::unit_of(person)).copied();
                senders.push(Sender {
                    person,
                    commands,
                    room,
                    busy_next: true,
                });
            }
            Ok(Ok(Err(e))) => {
                failed += 1;
                first_error.get_or_insert(e);
            }
            _ => {
                failed += 1;
                first_error.get_or_insert(format!("{} not connected in time", org::login(person)));
            }
        }
    }
    emit(json!({
        "event": "connected", "ok": senders.len(), "failed": failed + (plan.count - ok),
        "snapshot_entries": entries, "seconds": started.elapsed().as_secs_f64(),
        "first_error": first_error,
    }));
    let start: i64 = expect(&mut control, "go")
        .await?
        .parse()
        .context("go needs a start time in µs")?;

    let timeline = Timeline::new(
        start,
        plan.duration,
        plan.grace,
        plan.presence_rate > 0.0,
        plan.chat_rate > 0.0,
    );
    sleep_until_micros(timeline.presence.0).await;
    shared.measuring.set(true);
    let fans = org::fan_counts(plan.staff, plan.clients);
    let (staff, clients) = (plan.staff, plan.clients);
    drive(
        Schedule::new(timeline.presence.0, plan.duration, plan.presence_rate),
        &mut senders,
        &shared,
        |s| {
            let busy = s.busy_next;
            s.busy_next = !busy;
            Some(Command::Presence { busy })
        },
        |stats| &mut stats.presence,
        |person| org::expected_presence_receivers(person, staff, clients, &fans),
    )
    .await;
    sleep_until_micros(timeline.chat.0).await;
    drive(
        Schedule::new(timeline.chat.0, plan.duration, plan.chat_rate),
        &mut senders,
        &shared,
        |s| s.room.map(|room| Command::Chat { room }),
        |stats| &mut stats.chat,
        |person| org::connected_in_unit(person, staff, clients) as u64,
    )
    .await;
    sleep_until_micros(timeline.end).await;

    // Closing the command channels tells every client to close its socket; the "went
    // offline" frames that follow are not part of the measurement.
    shared.measuring.set(false);
    drop(senders);
    let _ = timeout(Duration::from_secs(10), async {
        for task in tasks {
            let _ = task.await;
        }
    })
    .await;
    let stats: Stats = shared.stats.borrow().clone();
    emit(json!({"event": "result", "stats": stats}));
    Ok(())
}

async fn connect_with_retries(
    target: &Target,
    cookie: &str,
) -> anyhow::Result<(client::Socket, usize)> {
    let mut attempt = 0;
    loop {
        match client::connect(target, cookie).await {
            Ok(done) => return Ok(done),
            Err(e) if attempt >= 2 => return Err(e),
            Err(_) => {
                attempt += 1;
                sleep(Duration::from_secs(attempt)).await;
            }
        }
    }
}

async fn sleep_until_micros(at: i64) {
    let wait = at - now_micros();
    if wait > 0 {
        sleep(Duration::from_micros(wait as u64)).await;
    }
}

/// Hands out the scheduled sends round-robin over the clients, open-loop: a send goes to
/// the next client that can take it now; when none can (closed, backlog full, no room),
/// it is counted as skipped, never waited for.
async fn drive(
    schedule: Schedule,
    senders: &mut [Sender],
    shared: &Shared,
    mut command_for: impl FnMut(&mut Sender) -> Option<Command>,
    traffic: impl Fn(&mut Stats) -> &mut Traffic,
    expected_for: impl Fn(usize) -> u64,
) {
    let mut next = 0;
    for k in 0.. {
        let Some(due) = schedule.due_at(k) else {
            break;
        };
        sleep_until_micros(due).await;
        let lag = (now_micros() - due).max(0) as u64;
        let mut stats = shared.stats.borrow_mut();
        let traffic = traffic(&mut stats);
        traffic.send_lag.record(lag);
        let mut delivered = false;
        for _ in 0..senders.len().min(100) {
            let sender = &mut senders[next % senders.len()];
            next += 1;
            let Some(command) = command_for(sender) else {
                continue;
            };
            if sender.commands.try_send(command).is_ok() {
                traffic.sent += 1;
                traffic.expected += expected_for(sender.person);
                delivered = true;
                break;
            }
        }
        if !delivered {
            traffic.skipped += 1;
        }
    }
}
