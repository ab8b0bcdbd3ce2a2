//! Running a converter (Ghostscript, tiff2pdf) with a time limit.

use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::FaxError;

/// A program from a Debian package.
#[derive(Clone, Copy)]
pub(super) struct Tool {
    pub program: &'static str,
    pub package: &'static str,
}

impl Tool {
    pub(super) fn missing(self) -> FaxError {
        FaxError::Unavailable(format!(
            "{} ist nicht installiert (Debian-Paket {})",
            self.program, self.package
        ))
    }
}

/// How a run ended.
pub(super) struct Run {
    pub success: bool,
    /// What the tool said on stderr (the first 4 KiB).
    pub stderr: String,
}

/// Runs `tool` with `args`, no input, and kills it after `limit`.
pub(super) fn run(tool: Tool, args: &[OsString], limit: Duration) -> Result<Run, FaxError> {
    // stderr into an unnamed file, not a pipe: a chatty tool cannot block on a full pipe
    // while we wait for it, and no reader thread is needed.
    let mut stderr = tempfile::tempfile()?;
    let mut child = Command::new(tool.program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.try_clone()?)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => tool.missing(),
            _ => FaxError::Io(e),
        })?;
    let started = Instant::now();
    // std has no wait with a timeout: poll, from 5 ms up to 100 ms between looks.
    let mut pause = Duration::from_millis(5);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(FaxError::Convert(format!(
                "{} brauchte länger als {} s und wurde abgebrochen",
                tool.program,
                limit.as_secs()
            )));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    };
    let mut said = Vec::new();
    stderr.seek(SeekFrom::Start(0))?;
    stderr.take(4096).read_to_end(&mut said)?;
    Ok(Run {
        success: status.success(),
        stderr: String::from_utf8_lossy(&said).into_owned(),
    })
}

/// Whether `program` is an executable file in a directory of PATH.
pub(super) fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(program))
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_unavailable() {
        let tool = Tool {
            program: "durchwahl-no-such-program",
            package: "none",
        };
        assert!(!on_path(tool.program));
        assert!(matches!(
            run(tool, &[], Duration::from_secs(1)),
            Err(FaxError::Unavailable(_))
        ));
    }

    #[test]
    fn a_slow_program_is_killed() {
        let sleep = Tool {
            program: "sleep",
            package: "coreutils",
        };
        let started = Instant::now();
        let result = run(sleep, &["10".into()], Duration::from_millis(200));
        assert!(matches!(result, Err(FaxError::Convert(_))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn stderr_and_status_are_reported() {
        let sh = Tool {
            program: "sh",
            package: "dash",
        };
        let run = run(
            sh,
            &["-c".into(), "echo broken >&2; exit 3".into()],
            Duration::from_secs(10),
        )
        .unwrap();
        assert!(!run.success);
        assert_eq!(run.stderr, "broken\n");
    }
}
