//! Reading a process's memory, CPU time and open files from /proc.

/// Linux reports CPU times in /proc in USER_HZ, which is 100 on every architecture the
/// kernel exports to user space.
const TICKS_PER_SECOND: f64 = 100.0;

/// One look at a process.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    /// Resident memory in KiB (`VmRSS`).
    pub rss_kb: u64,
    /// User plus system CPU seconds so far.
    pub cpu_seconds: f64,
    /// Open file descriptors (sockets included).
    pub fds: usize,
}

/// Reads `VmRSS` from the text of /proc/PID/status.
pub fn rss_kb(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Reads utime + stime (seconds) from the text of /proc/PID/stat.
pub fn cpu_seconds(stat: &str) -> Option<f64> {
    // The command name in brackets may hold spaces; fields count from after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ")": state is field 3 of the man page, utime 14 and stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// Reads cutime + cstime (seconds) from the text of /proc/PID/stat: the CPU of the
/// process's children that have ended and been waited for (a tool it ran, e.g. tiff2pdf).
pub fn children_cpu_seconds(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // cutime is field 16 of the man page, cstime 17.
    let cutime: f64 = fields.get(13)?.parse().ok()?;
    let cstime: f64 = fields.get(14)?.parse().ok()?;
    Some((cutime + cstime) / TICKS_PER_SECOND)
}

/// The CPU seconds of process `pid`'s ended children; `None` when it is gone.
pub fn children_cpu(pid: u32) -> Option<f64> {
    children_cpu_seconds(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Looks at process `pid`; `None` when it is gone.
pub fn sample(pid: u32) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count);
    Some(Sample {
        rss_kb: rss_kb(&status)?,
        cpu_seconds: cpu_seconds(&stat)?,
        fds,
    })
}

/// The "some" stall total (µs) from the text of /proc/pressure/{cpu,io}: time in which at
/// least one task waited for the resource. Shows how noisy the shared machine was.
pub fn pressure_some_micros(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("some "))?
        .split_whitespace()
        .find_map(|f| f.strip_prefix("total="))?
        .parse()
        .ok()
}

/// Stall totals (µs) of the whole machine: CPU and I/O.
pub fn pressure() -> Option<(u64, u64)> {
    let read = |kind: &str| {
        std::fs::read_to_string(format!("/proc/pressure/{kind}"))
            .ok()
            .and_then(|t| pressure_some_micros(&t))
    };
    Some((read("cpu")?, read("io")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_stat() {
        let status = "Name:\tdurchwahl\nVmPeak:\t  900 kB\nVmRSS:\t   51234 kB\nThreads:\t3\n";
        assert_eq!(rss_kb(status), Some(51_234));
        let stat = "4242 (durch wahl) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 15 5 20 0 3 0";
        assert_eq!(cpu_seconds(stat), Some(3.0));
        assert_eq!(children_cpu_seconds(stat), Some(0.2));
        let psi = "some avg10=2.15 avg60=5.05 avg300=2.78 total=49917009\n\
                   full avg10=0.36 avg60=0.54 avg300=0.66 total=28779046\n";
        assert_eq!(pressure_some_micros(psi), Some(49_917_009));
        let me = sample(std::process::id()).unwrap();
        assert!(me.rss_kb > 0 && me.fds > 0);
    }
}
