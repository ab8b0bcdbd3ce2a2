//! The server's CPU over windows known only afterwards (when every caller was recording,
//! when all heard their greeting): a thread looks at /proc every 100 ms, and a window's
//! usage is taken between the first look inside it and the last. The fax load uses it
//! too, with the server's ended children (tiff2pdf).

use crate::procfs;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    /// When (µs since the epoch).
    pub at_us: i64,
    /// The server's utime + stime so far (s).
    pub server: Option<f64>,
    /// Its ended children's (cutime + cstime, s): the tools it ran.
    pub server_children: Option<f64>,
    /// The load tool's (s).
    pub tool: Option<f64>,
    /// The machine's CPU stall so far (µs, /proc/pressure/cpu "some").
    pub pressure: Option<f64>,
}

/// CPU over a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Usage {
    /// The window's length (s) between the looks used.
    pub seconds: f64,
    /// The server's CPU seconds in it.
    pub server_cpu_s: Option<f64>,
    /// The server's CPU (cores).
    pub server_cores: Option<f64>,
    /// The CPU seconds of the server's children that ended in it.
    pub server_children_cpu_s: Option<f64>,
    /// The load tool's CPU seconds in it.
    pub tool_cpu_s: Option<f64>,
    /// The load tool's CPU (cores).
    pub tool_cores: Option<f64>,
    /// Share of the window in which some task waited for a CPU (%).
    pub cpu_pressure_pct: Option<f64>,
}

/// Usage between the first look at or after `from_us` and the last at or before
/// `until_us` (`looks` in time order); `None` when fewer than two fall inside.
pub fn window(looks: &[Look], from_us: i64, until_us: i64) -> Option<Usage> {
    let inside: Vec<&Look> = looks
        .iter()
        .filter(|l| (from_us..=until_us).contains(&l.at_us))
        .collect();
    let (a, b) = (inside.first()?, inside.last()?);
    let seconds = (b.at_us - a.at_us) as f64 / 1e6;
    if seconds <= 0.0 {
        return None;
    }
    let diff = |x: Option<f64>, y: Option<f64>| Some(y? - x?);
    let server_cpu_s = diff(a.server, b.server);
    let tool_cpu_s = diff(a.tool, b.tool);
    Some(Usage {
        seconds,
        server_cpu_s,
        server_cores: server_cpu_s.map(|c| c / seconds),
        server_children_cpu_s: diff(a.server_children, b.server_children),
        tool_cpu_s,
        tool_cores: tool_cpu_s.map(|c| c / seconds),
        cpu_pressure_pct: diff(a.pressure, b.pressure).map(|p| p / seconds / 1e4),
    })
}

/// The looking thread.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Look>>,
}

impl Sampler {
    /// Starts looking at `server` (and this process) every 100 ms.
    pub fn start(server: Option<u32>) -> std::io::Result<Sampler> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("voicemail-cpu".into())
            .spawn(move || {
                let mut looks = Vec::new();
                while !flag.load(Ordering::Relaxed) {
                    looks.push(Look {
                        at_us: crate::hotline::media::wall_us(),
                        server: server.and_then(procfs::sample).map(|s| s.cpu_seconds),
                        server_children: server.and_then(procfs::children_cpu),
                        tool: procfs::sample(std::process::id()).map(|s| s.cpu_seconds),
                        pressure: procfs::pressure().map(|(cpu, _)| cpu as f64),
                    });
                    std::thread::sleep(Duration::from_millis(100));
                }
                looks
            })?;
        Ok(Sampler { stop, thread })
    }

    /// Stops; the looks in time order.
    pub fn stop(self) -> Vec<Look> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_between_the_looks_inside_it() {
        let look = |s: i64, server: f64| Look {
            at_us: s * 100_000,
            server: Some(server),
            server_children: Some(s as f64 * 0.01),
            tool: Some(server / 2.0),
            pressure: Some(s as f64 * 10_000.0),
        };
        let looks: Vec<Look> = (0..20).map(|s| look(s, s as f64 * 0.05)).collect();
        // From 0.25 s to 1.42 s: the looks at 0.3 and 1.4 s, 1.1 s apart.
        let u = window(&looks, 250_000, 1_420_000).unwrap();
        assert!((u.seconds - 1.1).abs() < 1e-9);
        assert!((u.server_cpu_s.unwrap() - 0.55).abs() < 1e-9);
        assert!((u.server_cores.unwrap() - 0.5).abs() < 1e-9);
        assert!((u.tool_cores.unwrap() - 0.25).abs() < 1e-9);
        assert!((u.tool_cpu_s.unwrap() - 0.275).abs() < 1e-9);
        assert!((u.server_children_cpu_s.unwrap() - 0.11).abs() < 1e-9);
        assert!((u.cpu_pressure_pct.unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(window(&looks, 250_000, 320_000), None, "one look only");
        assert_eq!(
            window(&looks, 5_000_000, 1_000_000),
            None,
            "an empty window"
        );
    }
}
