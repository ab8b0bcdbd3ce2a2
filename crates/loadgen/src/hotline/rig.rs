//! Running one phase: the callers' plan, the steady window, the calls, the reports.

use super::announce::Schedule;
use super::carrier::Plan;
use super::media::wall_us;
use super::report::{analyse, PhaseResult, Seen};
use super::{agents, usage, HotlineArgs, Rig};
use anyhow::bail;
use std::time::Duration;
use tokio::time::{sleep, timeout, Instant};

/// µs since the epoch at `at`.
fn wall_at(at: Instant) -> i64 {
    let now = Instant::now();
    match at.checked_duration_since(now) {
        Some(ahead) => wall_us() + ahead.as_micros() as i64,
        None => wall_us() - now.duration_since(at).as_micros() as i64,
    }
}

impl Rig {
    /// Registers (or unregisters) the phones of agent set `set` (of `size`) and waits
    /// until the registrar said yes to all, then until the server has seen their
    /// presence change.
    pub(super) async fn register(
        &mut self,
        set: usize,
        size: usize,
        on: bool,
    ) -> anyhow::Result<()> {
        let command = match on {
            true => agents::Command::Register,
            false => agents::Command::Unregister,
        };
        let first = set * size;
        for phone in &self.agents[first..first + size] {
            let _ = phone.send(command);
        }
        let mut done = vec![true; self.agents.len()];
        done[first..first + size].fill(false);
        let mut refused = None;
        let until = Instant::now() + Duration::from_secs(30);
        while done.iter().any(|d| !d) && refused.is_none() {
            let left = until.saturating_duration_since(Instant::now());
            match timeout(left, self.agent_reports.recv()).await {
                Ok(Some(agents::Report::Registered(i, state))) if state == on => done[i] = true,
                Ok(Some(agents::Report::RegisterFailed(i, code))) => refused = Some((i, code)),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let missing = done.iter().filter(|d| !**d).count();
        if let Some((i, code)) = refused {
            bail!("the registrar refused agent {i}'s phone with {code}");
        }
        if missing > 0 {
            bail!("{missing} agents' phones got no answer to REGISTER within 30 s");
        }
        println!(
            "== agents {}..{}: phones {}",
            first + 1,
            first + size,
            if on { "registered" } else { "unregistered" }
        );
        // The server looks at agents' presence every 500 ms.
        sleep(Duration::from_millis(1_500)).await;
        Ok(())
    }

    /// One phase: `talkers` callers first (agents answer them), then `waiters`.
    pub(super) async fn phase(
        &mut self,
        args: &HotlineArgs,
        name: &str,
        talkers: usize,
        waiters: usize,
        schedule: &Schedule,
    ) -> PhaseResult {
        let calls = talkers + waiters;
        let gap = Duration::from_secs_f64(1.0 / args.rate);
        let arrivals = gap * calls as u32;
        let stay = Duration::from_secs_f64(args.stay);
        // Agents talk until the last waiter has gone, or `--talk` alone, then hang up
        // (callers for them would hang up 10 s later).
        let talk = match waiters {
            0 => Duration::from_secs_f64(args.talk),
            _ => arrivals + stay + Duration::from_secs(2),
        };
        for phone in &self.agents {
            let _ = phone.send(agents::Command::TalkFor(talk));
        }
        let t0 = Instant::now() + Duration::from_millis(500);
        let plans: Vec<Plan> = (0..calls)
            .map(|k| Plan {
                id: self.next_caller + k as u32,
                at: t0 + gap * k as u32,
                stay: if k < talkers {
                    talk + Duration::from_secs(10)
                } else {
                    stay
                },
                callee: None,
            })
            .collect();
        self.next_caller += calls as u32;
        // Steady: every caller has arrived, none has left (the first waiter leaves `stay`
        // after arriving; talkers later).
        let first_leaves = match waiters {
            0 => t0 + talk,
            _ => t0 + gap * talkers as u32 + stay,
        };
        let from = t0 + arrivals + Duration::from_secs(1);
        let until = first_leaves
            .checked_sub(Duration::from_secs(1))
            .unwrap_or(from);
        let until = until.max(from + Duration::from_millis(500));
        let sampler = tokio::task::spawn_local(usage::sample(args.server_pid, from, until));
        let longest = (talk + Duration::from_secs(10)).max(stay);
        let deadline = t0 + arrivals + longest + Duration::from_secs(30);
        let board_before = self.board.borrow().entries.len();
        println!(
            "== phase {name}: {talkers} callers for the agents, then {waiters} waiting, {} a second; steady window {:.1} s",
            args.rate,
            until.duration_since(from).as_secs_f64()
        );
        let outcomes = self.carrier.run(&*self.media, &plans, deadline, None).await;
        let usage = sampler.await.unwrap_or_default();
        // The agents' side ends a moment after the callers' BYEs.
        sleep(Duration::from_secs(2)).await;
        while self.agent_reports.try_recv().is_ok() {}
        let reports = self.media.collect().await;
        let board: Vec<(i64, i64)> = self.board.borrow().entries[board_before..].to_vec();
        let seen = Seen {
            name,
            outcomes: &outcomes,
            reports: &reports,
            board: &board,
            window_us: (wall_at(from), wall_at(until)),
            usage,
        };
        analyse(&seen, schedule)
    }
}
