//! What the server (and the load itself) used over a phase's steady window, from /proc.

use crate::procfs;
use serde::Serialize;
use tokio::time::{sleep_until, Instant};

/// CPU and memory over a window.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    /// The window's length (s).
    pub seconds: f64,
    /// The server's CPU (cores: CPU seconds per second).
    pub server_cores: Option<f64>,
    /// The server's resident memory at the window's end (KiB).
    pub server_rss_kb: Option<u64>,
    /// The load tool's CPU (cores).
    pub tool_cores: Option<f64>,
    /// Share of the window in which some task waited for a CPU (%).
    pub cpu_pressure_pct: Option<f64>,
}

/// Samples at `from` and `until`.
pub async fn sample(server: Option<u32>, from: Instant, until: Instant) -> Usage {
    sleep_until(from).await;
    let begin = Look::now(server);
    sleep_until(until).await;
    let end = Look::now(server);
    let seconds = end.at.duration_since(begin.at).as_secs_f64();
    let per_second = |a: Option<f64>, b: Option<f64>| Some((b? - a?) / seconds);
    Usage {
        seconds,
        server_cores: per_second(
            begin.server.map(|s| s.cpu_seconds),
            end.server.map(|s| s.cpu_seconds),
        ),
        server_rss_kb: end.server.map(|s| s.rss_kb),
        tool_cores: per_second(begin.tool, end.tool),
        cpu_pressure_pct: per_second(begin.pressure, end.pressure).map(|p| p / 1e4),
    }
}

struct Look {
    at: Instant,
    server: Option<procfs::Sample>,
    tool: Option<f64>,
    /// µs of CPU stall so far.
    pressure: Option<f64>,
}

impl Look {
    fn now(server: Option<u32>) -> Look {
        Look {
            at: Instant::now(),
            server: server.and_then(procfs::sample),
            tool: procfs::sample(std::process::id()).map(|s| s.cpu_seconds),
            pressure: procfs::pressure().map(|(cpu, _)| cpu as f64),
        }
    }
}

/// The server's look now (idle figures before the phases).
pub fn server_now(server: Option<u32>) -> Option<procfs::Sample> {
    server.and_then(procfs::sample)
}
