//! The capacity page's figures, each against a real limit (docs/capacity.md): read from
//! the operating system (`/proc`, the open-files limit, the data folder's file system),
//! the server's state (database pool, chat writer, access gateway) and its services (the
//! same answers `/metrics` gets). A figure nobody could read is NaN (unknown).

use capacity::{Figure, Key};
use std::path::PathBuf;
use std::time::Instant;
use web::capacity::Reading;
use web::metrics::services::{ServiceCounts, ServiceFigures};

/// The limits the configuration sets.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Media legs the port range holds (two ports each); none: not known.
    pub media_legs: Option<f64>,
    /// The data folder, whose disk is measured.
    pub data_dir: PathBuf,
}

impl Limits {
    /// The limits of `config`, with the data folder `data_dir`.
    pub fn of(config: &crate::config::Config, data_dir: &std::path::Path) -> Limits {
        Limits {
            media_legs: config.media.ports().ok().map(|(first, last)| {
                // A phone leg takes two ports (RTP and RTCP).
                let ports = u32::from(last) - u32::from(first) + 1;
                f64::from(ports / 2)
            }),
            data_dir: data_dir.to_path_buf(),
        }
    }
}

/// CPU time between two readings: CPU seconds per second need the previous reading.
#[derive(Debug, Default)]
pub struct CpuMeter {
    last: Option<(f64, Instant)>,
}

impl CpuMeter {
    /// CPU seconds per second since the previous reading (NaN at the first).
    fn per_second(&mut self, cpu_seconds: f64, now: Instant) -> f64 {
        let rate = match self.last {
            Some((before, then)) if now > then => {
                (cpu_seconds - before).max(0.0) / now.duration_since(then).as_secs_f64()
            }
            _ => f64::NAN,
        };
        self.last = Some((cpu_seconds, now));
        rate
    }
}

/// What the operating system says about this process and its machine.
#[derive(Debug, Clone, Copy)]
struct System {
    cpu_seconds: Option<f64>,
    rss: Option<f64>,
    mem_total: Option<f64>,
    open_files: Option<f64>,
    open_files_limit: Option<f64>,
    disk_used: Option<f64>,
    disk_size: Option<f64>,
}

/// Every figure now, in the page's order.
pub async fn read(
    state: &web::AppState,
    services: &dyn ServiceFigures,
    limits: &Limits,
    cpu: &mut CpuMeter,
) -> Vec<Reading> {
    let data_dir = limits.data_dir.clone();
    let system = tokio::task::spawn_blocking(move || read_system(&data_dir))
        .await
        .ok();
    let counts = services.read().await;
    let at = Instant::now();
    let cores = std::thread::available_parallelism().map_or(f64::NAN, |n| n.get() as f64);
    let or_nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let cpu_rate = match system.and_then(|s| s.cpu_seconds) {
        Some(seconds) => cpu.per_second(seconds, at),
        None => f64::NAN,
    };
    let pool = state.store.pool_status();
    let reading = |key, value, limit| Reading {
        figure: Figure::of(key),
        value,
        limit,
    };
    let ServiceCounts {
        sip,
        calls,
        media_legs,
    } = counts;
    let mut out = vec![
        reading(Key::Cpu, cpu_rate, Some(cores)),
        reading(
            Key::Memory,
            or_nan(system.and_then(|s| s.rss)),
            system.and_then(|s| s.mem_total),
        ),
        reading(
            Key::Connections,
            or_nan(system.and_then(|s| s.open_files)),
            system.and_then(|s| s.open_files_limit),
        ),
        reading(
            Key::MediaLegs,
            or_nan(media_legs.map(|n| n as f64)),
            limits.media_legs,
        ),
        reading(
            Key::DbPool,
            f64::from(pool.open.saturating_sub(pool.idle)),
            Some(f64::from(pool.max)),
        ),
        reading(
            Key::WriteQueueChat,
            state.live.write_queue() as f64,
            Some(live::CHAT_WRITE_QUEUE as f64),
        ),
        reading(
            Key::WriteQueueRegistrations,
            or_nan(sip.map(|s| s.write_queue as f64)),
            Some(crate::sip_service::REGISTRATION_WRITE_QUEUE as f64),
        ),
        reading(
            Key::Disk,
            or_nan(system.and_then(|s| s.disk_used)),
            system.and_then(|s| s.disk_size),
        ),
    ];
    let now_ms = state.live.now_ms();
    let table = state.gateway.registry.table();
    let mut apps: Vec<_> = table.iter().collect();
    apps.sort_by(|a, b| a.0.cmp(b.0));
    for (name, published) in apps {
        out.push(Reading {
            figure: Figure::gateway_users(name),
            value: state.gateway.users(name, now_ms) as f64,
            limit: published.app.max_users.map(f64::from),
        });
    }
    out.push(reading(
        Key::Calls,
        or_nan(calls.map(|c| c.calls as f64)),
        None,
    ));
    out.push(reading(
        Key::Registrations,
        or_nan(sip.map(|s| s.registrations as f64)),
        None,
    ));
    out
}

fn read_system(data_dir: &std::path::Path) -> System {
    let process = web::metrics::process::read();
    let mem_total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_total(&text));
    let open_files = std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|dir| dir.count() as f64);
    let (disk_used, disk_size) = disk(data_dir).unzip();
    System {
        cpu_seconds: process.map(|(cpu, _)| cpu),
        rss: process.map(|(_, rss)| rss as f64),
        mem_total,
        open_files,
        open_files_limit: open_files_limit(),
        disk_used,
        disk_size,
    }
}

/// The soft RLIMIT_NOFILE (after `runtime::raise_open_files_limit`); none: unlimited.
fn open_files_limit() -> Option<f64> {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    limit.current.map(|n| n as f64)
}

/// Bytes used on the data folder's file system, and its size as an unprivileged process
/// sees it (used + available, as df counts: the blocks reserved for root are no room for
/// us).
fn disk(data_dir: &std::path::Path) -> Option<(f64, f64)> {
    let stat = rustix::fs::statvfs(data_dir).ok()?;
    let block = stat.f_frsize as f64;
    let used = stat.f_blocks.saturating_sub(stat.f_bfree) as f64 * block;
    let size = used + stat.f_bavail as f64 * block;
    Some((used, size))
}

/// `MemTotal` of `/proc/meminfo`'s text, in bytes.
pub fn mem_total(meminfo: &str) -> Option<f64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let amount: f64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => Some(amount * 1024.0),
        None => Some(amount),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_total_is_in_kibibytes() {
        let text = "MemTotal:       16264012 kB\nMemFree:         1023400 kB\n";
        assert_eq!(mem_total(text), Some(16_264_012.0 * 1024.0));
        assert_eq!(mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(mem_total("MemTotal: x kB\n"), None);
    }

    #[test]
    fn cpu_is_seconds_per_second_from_the_second_reading_on() {
        let mut meter = CpuMeter::default();
        let t0 = Instant::now();
        assert!(meter.per_second(10.0, t0).is_nan());
        let rate = meter.per_second(13.0, t0 + std::time::Duration::from_secs(2));
        assert!((rate - 1.5).abs() < 1e-9, "{rate}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_has_memory_files_and_a_disk() {
        let dir = tempfile::tempdir().unwrap();
        let system = read_system(dir.path());
        let (used, size) = (system.disk_used.unwrap(), system.disk_size.unwrap());
        assert!(used > 0.0 && size >= used, "{used} {size}");
        assert!(system.mem_total.unwrap() > system.rss.unwrap());
        assert!(system.open_files.unwrap() >= 3.0);
    }
}
