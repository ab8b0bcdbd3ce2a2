//! The goals against what the phases measured: each row a figure, its goal and a
//! ratio that passes at ≥ 1.00 (goal / actual where lower is better, actual / goal where
//! higher is better), and the CPU figures for information.

use super::eventlog::Accounted;
use super::report::PhaseResult;
use super::HotlineArgs;
use crate::procfs::Sample;
use serde_json::{json, Value};

/// A goal's row.
pub(crate) fn row(
    name: &str,
    actual: Option<f64>,
    goal: f64,
    lower_is_better: bool,
    unit: &str,
) -> Value {
    let ratio = actual.map(|a| match (lower_is_better, a) {
        (true, a) if a <= 0.0 => f64::INFINITY,
        (true, a) => goal / a,
        (false, a) => a / goal,
    });
    let pass = ratio.is_some_and(|r| r >= 1.0);
    json!({
        "name": name, "actual": actual, "goal": goal, "unit": unit,
        "goal_text": format!("{} {goal} {unit}", if lower_is_better { "<=" } else { ">=" }),
        // JSON has no infinity: a ratio above 999 is shown as such.
        "ratio": ratio.map(|r| r.min(999.0)), "pass": pass,
    })
}

/// Judges the run: the JSON summary with `pass`, `goals`, `phases`, `event_log`.
pub fn judge(
    args: &HotlineArgs,
    phases: &[PhaseResult],
    accounted: &Accounted,
    idle: Option<Sample>,
    board_end: Option<String>,
) -> Value {
    let phase = |n: &str| phases.iter().find(|p| p.name == n);
    let mut goals = Vec::new();
    // The waiting goals, in the phase without agents and in the one with them.
    for w in ["waiting", "both"].into_iter().filter_map(phase) {
        let n = &w.name;
        goals.push(row(
            &format!("{n}: callers waiting at once"),
            Some((w.concurrent - w.concurrent_bridged) as f64),
            args.waiting as f64,
            false,
            "callers",
        ));
        goals.push(row(
            &format!("{n}: RTP loss on the waiting callers' streams"),
            w.waiting_loss.pct,
            args.goal_loss_pct,
            true,
            "%",
        ));
        // On time: the worst lateness either way; a missed announcement is never on time.
        let a = &w.announcements;
        let worst = match w.announcements_missed {
            0 => a.max.zip(a.min).map(|(max, min)| max.abs().max(min.abs())),
            _ => Some(1e9),
        };
        goals.push(row(
            &format!(
                "{n}: announcements on time (worst of {}; a miss fails)",
                a.n
            ),
            worst,
            args.goal_late_ms,
            true,
            "ms",
        ));
        goals.push(row(
            &format!("{n}: wallboard update p99"),
            w.wallboard.p99,
            args.goal_board_ms,
            true,
            "ms",
        ));
        goals.push(row(
            &format!("{n}: waiting callers seen on the wallboard"),
            Some(w.waited_on_board as f64 / w.waited.max(1) as f64 * 100.0),
            100.0,
            false,
            "%",
        ));
    }
    if let Some(b) = phase("bridged") {
        goals.push(row(
            "bridged: agents talking at once",
            Some(b.concurrent_bridged as f64),
            args.bridged as f64,
            false,
            "calls",
        ));
    }
    let accounted_pct = match accounted.adds_up() {
        true => 100.0,
        false => {
            let outcomes =
                accounted.answered + accounted.abandoned + accounted.overflowed + accounted.waiting;
            let worst = accounted.offered.min(outcomes).min(accounted.placed) as f64;
            100.0 * worst / accounted.placed.max(accounted.offered).max(1) as f64
        }
    };
    goals.push(row(
        "all phases: calls accounted for in the queue event log",
        Some(accounted_pct),
        100.0,
        false,
        "%",
    ));
    let pass = goals.iter().all(|g| g["pass"] == true) && board_end.is_none();
    for g in &goals {
        println!(
            "   {:<66} {:>10} {:>14} {:>8}  {}",
            g["name"].as_str().unwrap_or_default(),
            g["actual"].as_f64().map_or("-".into(), |a| if a >= 1e9 {
                "miss".into()
            } else {
                format!("{a:.3}")
            }),
            g["goal_text"].as_str().unwrap_or_default(),
            g["ratio"]
                .as_f64()
                .map_or("-".into(), |r| format!("{r:.2}")),
            if g["pass"] == true { "ok" } else { "MISSED" }
        );
    }
    let cpu = |n: &str| phase(n).and_then(|p| p.server_ms_per_s_per_call);
    json!({
        "pass": pass,
        "goals": goals,
        "cpu_ms_per_s": {
            "waiting_caller": cpu("waiting"),
            "bridged_call": cpu("bridged"),
            "both_per_caller": cpu("both"),
        },
        "phases": phases,
        "event_log": accounted,
        "server_idle_rss_kb": idle.map(|s| s.rss_kb),
        "board_socket_ended": board_end,
        "settings": {
            "waiting": args.waiting, "bridged": args.bridged, "agents": args.agents,
            "agent_sets": args.agent_sets,
            "rate": args.rate, "stay": args.stay, "talk": args.talk,
            "position_every": args.position_every, "phases": args.phases,
        },
    })
}
