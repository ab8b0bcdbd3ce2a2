//! `desks run`: the anchor's reads, then the bookings, each once per person at random
//! moments within the same window, on a connection per request opened just before it; then the check against the database and the report.

use super::Database;
use crate::http::{Connection, Target};
use anyhow::{bail, Context};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `desks run`
#[derive(clap::Args)]
pub struct RunArgs {
    /// The server, on this machine: http://127.0.0.1:PORT.
    #[arg(long)]
    url: String,
    #[command(flatten)]
    db: Database,
    /// The sessions `desks prepare` wrote.
    #[arg(long)]
    sessions: PathBuf,
    /// The day to book (`YYYY-MM-DD`, today or later in the server's calendar).
    #[arg(long)]
    day: String,
    /// Seconds over which each phase's requests are spread.
    #[arg(long, default_value_t = 60.0)]
    window: f64,
    /// The goal for the bookings' p99, ms.
    #[arg(long, default_value_t = 200.0)]
    goal_ms: f64,
    /// Seed of the random moments, desks and parts of the day.
    #[arg(long, default_value_t = 19)]
    seed: u64,
    /// Writes the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// A small deterministic generator (xorshift64*), so runs are repeatable.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One person's session.
struct Session {
    cookie: String,
    csrf: String,
}

fn read_sessions(path: &PathBuf) -> anyhow::Result<Vec<Session>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let (_, token, csrf) = (fields.next(), fields.next(), fields.next());
            match (token, csrf) {
                (Some(token), Some(csrf)) => Ok(Session {
                    cookie: format!("dw_session={token}"),
                    csrf: csrf.to_string(),
                }),
                _ => bail!("bad sessions line {line:?}"),
            }
        })
        .collect()
}

/// One request of a phase.
struct Request {
    method: &'static str,
    path: &'static str,
    body: Option<String>,
}

/// One answer: status (0: no answer), latency, the body.
struct Answer {
    status: u16,
    micros: u64,
    body: Vec<u8>,
}

/// Sends `requests[i]` with `sessions[i]` at `start + offsets[i]`, each on a connection
/// of its own opened just before (a connection opened at the phase's start would sit idle
/// for up to the whole window, longer than the server keeps idle connections). The time
/// is from sending to the complete answer.
async fn phase(
    target: &Target,
    sessions: &[Session],
    requests: Vec<Request>,
    offsets: &[f64],
) -> anyhow::Result<Vec<Answer>> {
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    let tasks: Vec<_> = requests
        .into_iter()
        .enumerate()
        .map(|(i, request)| {
            let target = target.clone();
            let (cookie, csrf) = (sessions[i].cookie.clone(), sessions[i].csrf.clone());
            let at = start + Duration::from_secs_f64(offsets[i]);
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                let headers = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
                let mut connection = match Connection::open(&target).await {
                    Ok(c) => c,
                    Err(e) => return failed(0, format!("{e:#}")),
                };
                let sent = Instant::now();
                let answer = connection
                    .request_with(
                        &target,
                        request.method,
                        request.path,
                        &headers,
                        request.body.as_deref(),
                    )
                    .await;
                let micros = sent.elapsed().as_micros() as u64;
                match answer {
                    Ok(r) => Answer {
                        status: r.status,
                        micros,
                        body: r.body,
                    },
                    Err(e) => failed(micros, format!("{e:#}")),
                }
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        answers.push(task.await?);
    }
    if let Some(a) = answers.iter().find(|a| a.status == 0) {
        eprintln!("first failure: {}", String::from_utf8_lossy(&a.body));
    }
    Ok(answers)
}

/// No answer (status 0), the reason as its body.
fn failed(micros: u64, why: String) -> Answer {
    Answer {
        status: 0,
        micros,
        body: why.into_bytes(),
    }
}

/// p50, p99 and the maximum of the latencies, ms.
fn percentiles(answers: &[Answer]) -> (f64, f64, f64) {
    let mut micros: Vec<u64> = answers.iter().map(|a| a.micros).collect();
    micros.sort_unstable();
    let at = |q: f64| {
        let rank = ((q * micros.len() as f64).ceil() as usize).clamp(1, micros.len());
        micros[rank - 1] as f64 / 1000.0
    };
    (
        at(0.50),
        at(0.99),
        micros.last().map_or(0.0, |m| *m as f64 / 1000.0),
    )
}

fn statuses(answers: &[Answer]) -> HashMap<u16, usize> {
    let mut counts = HashMap::new();
    for a in answers {
        *counts.entry(a.status).or_insert(0) += 1;
    }
    counts
}

fn moments(random: &mut Random, n: usize, window: f64) -> Vec<f64> {
    (0..n).map(|_| random.unit() * window).collect()
}

/// The run.
pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let target = Target::parse(&args.url)?;
    let sessions = read_sessions(&args.sessions)?;
    let day: jiff::civil::Date = args.day.parse().context("--day")?;
    let store = args.db.open().await?;
    let mut desks = Vec::new();
    for building in store.buildings().await? {
        for floor in store.floors(building.id).await? {
            desks.extend(
                store
                    .desks_on_floor(floor.id)
                    .await?
                    .into_iter()
                    .map(|d| d.id),
            );
        }
    }
    if desks.is_empty() || sessions.is_empty() {
        bail!("no desks or no sessions: run `durchwahl-load desks prepare` first");
    }
    let n = sessions.len();
    let mut random = Random(args.seed.max(1));
    println!(
        "{n} people, {} desks, each phase within {} s",
        desks.len(),
        args.window
    );

    // The anchor: the HTTP and session floor of the same server.
    let reads = (0..n)
        .map(|_| Request {
            method: "GET",
            path: "/api/v1/me",
            body: None,
        })
        .collect();
    let offsets = moments(&mut random, n, args.window);
    let anchor = phase(&target, &sessions, reads, &offsets).await?;

    let bookings = (0..n)
        .map(|_| {
            let desk = desks[random.below(desks.len())];
            let part = ["morning", "afternoon", "whole"][random.below(3)];
            Request {
                method: "POST",
                path: "/api/v1/desks/bookings",
                body: Some(json!({"desk": desk, "day": args.day, "part": part}).to_string()),
            }
        })
        .collect();
    let offsets = moments(&mut random, n, args.window);
    let booked = phase(&target, &sessions, bookings, &offsets).await?;

    // The check: what the answers said against what the database holds.
    let created: HashSet<i64> = booked
        .iter()
        .filter(|a| a.status == 201)
        .filter_map(|a| serde_json::from_slice::<serde_json::Value>(&a.body).ok()?["id"].as_i64())
        .collect();
    let rows = store.desk_bookings_between(day, day).await?;
    store.close().await;
    let stored: HashSet<i64> = rows.iter().map(|b| b.id).collect();
    let mut halves = HashMap::new();
    for b in rows.iter().filter(|b| b.to_planner().holds()) {
        for half in b.part.halves() {
            *halves.entry((b.desk_id, *half)).or_insert(0) += 1;
        }
    }
    let double = halves.values().filter(|&&c| c > 1).count();
    let counts = statuses(&booked);
    let ok_201 = counts.get(&201).copied().unwrap_or(0);
    let refused_409 = counts.get(&409).copied().unwrap_or(0);
    let other = n - ok_201 - refused_409;
    let all_stored = created.len() == ok_201 && created == stored;
    let anchor_ok = statuses(&anchor).get(&200).copied().unwrap_or(0);

    let (a50, a99, amax) = percentiles(&anchor);
    let (b50, b99, bmax) = percentiles(&booked);
    println!("anchor   GET /api/v1/me            {anchor_ok}/{n} 200  p50 {a50:.2} ms  p99 {a99:.2} ms  max {amax:.2} ms");
    println!("bookings POST /api/v1/desks/bookings {ok_201} 201, {refused_409} 409, {other} other  p50 {b50:.2} ms  p99 {b99:.2} ms  max {bmax:.2} ms");
    println!(
        "ratio bookings/anchor: p50 {:.2}, p99 {:.2}",
        b50 / a50.max(0.001),
        b99 / a99.max(0.001)
    );
    println!(
        "database: {} bookings stored for {day}, every 201 among them and nothing else: {all_stored}; half-days held twice: {double}",
        rows.len()
    );
    let ok = other == 0 && all_stored && double == 0 && b99 <= args.goal_ms && anchor_ok == n;
    if let Some(path) = &args.json {
        let figures = json!({
            "people": n, "desks": desks.len(), "window_s": args.window, "goal_ms": args.goal_ms,
            "anchor": {"ok": anchor_ok, "p50_ms": a50, "p99_ms": a99, "max_ms": amax},
            "bookings": {"created": ok_201, "refused_409": refused_409, "other": other,
                         "p50_ms": b50, "p99_ms": b99, "max_ms": bmax},
            "ratio_p50": b50 / a50.max(0.001), "ratio_p99": b99 / a99.max(0.001),
            "stored": rows.len(), "all_stored": all_stored, "double": double, "ok": ok,
        });
        std::fs::write(path, figures.to_string())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if !ok {
        bail!("a goal was missed (see above)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(micros: u64) -> Answer {
        Answer {
            status: 200,
            micros,
            body: Vec::new(),
        }
    }

    #[test]
    fn percentiles_are_ranks_of_the_sorted_latencies() {
        let answers: Vec<Answer> = (1..=100).rev().map(|ms| answer(ms * 1000)).collect();
        assert_eq!(percentiles(&answers), (50.0, 99.0, 100.0));
        assert_eq!(percentiles(&[answer(3000)]), (3.0, 3.0, 3.0));
    }
}
