//! The process's CPU time and resident memory, read from `/proc/self` at scrape time and
//! written as text of their own: CPU seconds are a fractional counter, which the
//! recorder's whole-number counters cannot hold.

use super::names::{Metric, ALL, PROCESS_CPU, PROCESS_MEMORY};
use std::fmt::Write;

/// CPU seconds (user + system) and resident bytes from `/proc/self/stat`'s text, with
/// the clock's ticks per second and the page size; `None` when it is not what Linux
/// writes.
pub fn parse_stat(stat: &str, ticks_per_second: u64, page_size: u64) -> Option<(f64, u64)> {
    // proc(5): the command name (field 2) is in parentheses and may hold spaces and
    // parentheses itself; the fields after the last ')' start with field 3 (state).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime), 15 (stime) and 24 (rss, pages) are at 11, 12 and 21 here.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let rss: u64 = fields.get(21)?.parse().ok()?;
    if ticks_per_second == 0 {
        return None;
    }
    Some((
        (utime + stime) as f64 / ticks_per_second as f64,
        rss * page_size,
    ))
}

/// The process block of the text format (nothing where `/proc` cannot be read).
pub fn render(out: &mut String) {
    let Some((cpu, memory)) = read() else {
        return;
    };
    for (name, kind, value) in [
        (PROCESS_CPU, "counter", cpu),
        (PROCESS_MEMORY, "gauge", memory as f64),
    ] {
        let help = ALL
            .iter()
            .find(|m| m.name == name)
            .map_or("", |m: &Metric| m.help);
        let _ = write!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n\n"
        );
    }
}

/// CPU seconds and resident bytes of this process now (also for the capacity page).
#[cfg(target_os = "linux")]
pub fn read() -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_stat(
        &stat,
        rustix::param::clock_ticks_per_second(),
        rustix::param::page_size() as u64,
    )
}

/// CPU seconds and resident bytes of this process now (none off Linux).
#[cfg(not(target_os = "linux"))]
pub fn read() -> Option<(f64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory_come_from_the_fields_after_the_name() {
        // A name with a space and a parenthesis, as proc(5) warns.
        let stat = "4242 (dw (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 130 0 0 20 0 \
                    9 0 1000 123456789 3000 18446744073709551615 1 1 0 0 0 0 0 0 0";
        assert_eq!(parse_stat(stat, 100, 4096), Some((3.8, 3000 * 4096)));
        assert_eq!(parse_stat("4242 (dw) S 1", 100, 4096), None);
        assert_eq!(parse_stat(stat, 0, 4096), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let mut out = String::new();
        render(&mut out);
        assert!(
            out.contains("# TYPE durchwahl_process_cpu_seconds_total counter\n"),
            "{out}"
        );
        let rss: f64 = out
            .lines()
            .find_map(|l| l.strip_prefix("durchwahl_process_resident_memory_bytes "))
            .and_then(|v| v.parse().ok())
            .expect("resident memory");
        assert!(rss > 1_000_000.0, "{rss}");
    }
}
