//! `durchwahl-load dial`: how long a browser call takes to ring (`bench/dial.sh`).
//!
//! Pairs of prepared people are signed in and connected over WebSocket (`hello`, then
//! `resume.done`), as browsers. Per call the caller sends `call.dial` with a fresh
//! browser-like WebRTC offer (str0m) to the callee's extension; the time from sending it
//! to the caller's `call.state` `ringing` and to the callee's `call.incoming` is the
//! measure. Then the caller hangs up and the pair waits until both saw `ended`. Pairs run
//! side by side (the concurrency), each its calls one after the other and at most one
//! every `--pair-interval-ms`, until the number of calls is reached. ICE is never connected: ringing does not wait for media.

mod call;
mod frames;
mod offer;
mod report;

use crate::client::{self, Socket};
use crate::http::Target;
use crate::{org, sign_in};
use anyhow::{bail, Context};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The command line of `dial`.
#[derive(clap::Args)]
pub struct DialArgs {
    /// The server, on this machine: http://127.0.0.1:PORT.
    #[arg(long)]
    url: String,
    /// People in the prepared organisation (`prepare --staff`): at least twice the
    /// concurrency; person 2k calls person 2k+1.
    #[arg(long)]
    staff: usize,
    /// Calls to measure.
    #[arg(long, default_value_t = 1000)]
    calls: usize,
    /// Calls at a time (pairs of browsers).
    #[arg(long, default_value_t = 20)]
    concurrency: usize,
    /// The goal for the p99 of both measures, in milliseconds.
    #[arg(long, default_value_t = 150.0)]
    goal_ms: f64,
    /// Milliseconds from one dial of a pair to its next, at least: the server drops
    /// frames over 20 a second per WebSocket (its flood guard), and a person does not
    /// dial faster than a few times a second either.
    #[arg(long, default_value_t = 250)]
    pair_interval_ms: u64,
    /// Seconds one call may take to ring, and to end after the hangup.
    #[arg(long, default_value_t = 10)]
    call_timeout: u64,
    /// Seconds the whole run may take; calls still open then count as failed.
    #[arg(long, default_value_t = 600)]
    max_time: u64,
}

/// Runs the benchmark and prints the report; fails when a call failed or a p99 misses
/// the goal (after printing).
pub fn run(args: DialArgs) -> anyhow::Result<()> {
    if args.concurrency == 0 || args.calls == 0 {
        bail!("--calls and --concurrency must be at least 1");
    }
    if args.staff < 2 * args.concurrency {
        bail!(
            "--staff {} is too small for {} pairs of browsers",
            args.staff,
            args.concurrency
        );
    }
    let target = Target::parse(&args.url)?;
    let started = Instant::now();
    let (offers, _candidate_socket) = offer::browser_offers(args.calls)?;
    println!(
        "made {} WebRTC offers with str0m in {:.1} s (before measuring)",
        offers.len(),
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let outcome = runtime.block_on(local.run_until(drive(&args, &target, offers)))?;
    let (text, pass) = report::render(&outcome, args.goal_ms);
    print!("{text}");
    if !pass {
        bail!("the dial benchmark did not pass");
    }
    Ok(())
}

/// Signs in and connects `2 × concurrency` browsers.
async fn connect_all(target: &Target, people: usize) -> anyhow::Result<Vec<Socket>> {
    let signed = sign_in::sign_in_all(target, 0, people, 4).await;
    if let Some(e) = &signed.first_error {
        bail!("signing in: {e}");
    }
    let mut sockets = Vec::with_capacity(people);
    for (i, cookie) in signed.cookies.iter().enumerate() {
        let cookie = cookie.as_deref().context("a person without a session")?;
        let (socket, _) = client::connect(target, cookie)
            .await
            .with_context(|| format!("connecting {}", org::login(i)))?;
        sockets.push(socket);
    }
    Ok(sockets)
}

async fn drive(
    args: &DialArgs,
    target: &Target,
    offers: Vec<String>,
) -> anyhow::Result<report::Outcome> {
    let mut sockets = connect_all(target, 2 * args.concurrency).await?;
    println!(
        "{} browsers connected; {} calls, {} at a time",
        sockets.len(),
        args.calls,
        args.concurrency
    );
    let offers = Rc::new(offers);
    let next = Rc::new(Cell::new(0usize));
    let outcome = Rc::new(RefCell::new(report::Outcome {
        calls: args.calls,
        concurrency: args.concurrency,
        ..report::Outcome::default()
    }));
    let limit = Duration::from_secs(args.call_timeout);
    let interval = Duration::from_millis(args.pair_interval_ms);
    let mut pairs = Vec::new();
    for k in (0..args.concurrency).rev() {
        let (Some(mut callee), Some(mut caller)) = (sockets.pop(), sockets.pop()) else {
            unreachable!("two sockets per pair")
        };
        let extension = org::extension(2 * k + 1);
        let (offers, next, outcome, calls) =
            (offers.clone(), next.clone(), outcome.clone(), args.calls);
        pairs.push(tokio::task::spawn_local(async move {
            loop {
                let n = next.get();
                if n >= calls {
                    break;
                }
                next.set(n + 1);
                let next_dial = tokio::time::Instant::now() + interval;
                let result =
                    call::one(&mut caller, &mut callee, n, &extension, &offers[n], limit).await;
                let failed = {
                    let mut o = outcome.borrow_mut();
                    match result {
                        Ok(sample) => {
                            o.ringing.push(sample.ringing);
                            o.incoming.push(sample.incoming);
                            false
                        }
                        Err(why) => {
                            *o.failures.entry(why).or_default() += 1;
                            true
                        }
                    }
                };
                if failed {
                    // The pair's sockets may be out of step now: it stops.
                    break;
                }
                tokio::time::sleep_until(next_dial).await;
            }
            for socket in [&mut caller, &mut callee] {
                let _ = tokio::time::timeout(Duration::from_secs(2), socket.close(None)).await;
            }
        }));
    }
    let start = Instant::now();
    let all = futures_util::future::join_all(pairs);
    let finished = tokio::time::timeout(Duration::from_secs(args.max_time), all).await;
    let mut outcome = Rc::try_unwrap(outcome)
        .map(RefCell::into_inner)
        .unwrap_or_else(|shared| std::mem::take(&mut *shared.borrow_mut()));
    outcome.seconds = start.elapsed().as_secs_f64();
    let done = outcome.ringing.len() + outcome.failures.values().sum::<u64>() as usize;
    if finished.is_err() || done < args.calls {
        let why = format!(
            "not made: the run ended (--max-time {} s or a pair stopped)",
            args.max_time
        );
        *outcome.failures.entry(why).or_default() += (args.calls - done.min(args.calls)) as u64;
    }
    Ok(outcome)
}
