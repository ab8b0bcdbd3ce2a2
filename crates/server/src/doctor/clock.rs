//! The clock: second-factor codes (30-second steps), certificates, calendar feeds and
//! booking days all need the right time. Asked of what keeps it right: systemd's
//! `timedatectl` (timesyncd, or any NTP client systemd knows), else chrony's `chronyc`.
//! Neither there, or neither answering: amber, since nothing here can tell.

use super::finding::Finding;
use std::process::Command;
use std::time::Duration;

const CHECK: &str = "clock";

/// A finding for the system clock.
pub fn check() -> Finding {
    if let Some(text) = run(
        "timedatectl",
        &["show", "--property=NTPSynchronized", "--value"],
    ) {
        if let Some(synced) = from_timedatectl(&text) {
            return verdict(synced, "timedatectl");
        }
    }
    if let Some(text) = run("chronyc", &["-n", "tracking"]) {
        if let Some(synced) = from_chronyc(&text) {
            return verdict(synced, "chronyc");
        }
    }
    Finding::amber(
        CHECK,
        "cannot tell whether it is synchronised (neither timedatectl nor chronyc answered)",
        "run an NTP client against the administration's time server: \
         `apt install systemd-timesyncd` (or chrony)",
    )
}

fn verdict(synced: bool, source: &str) -> Finding {
    if synced {
        Finding::green(CHECK, format!("synchronised ({source})"))
    } else {
        Finding::red(
            CHECK,
            format!("not synchronised ({source})"),
            "second-factor codes fail when the clock is off by more than 30 s: enable NTP \
             (`timedatectl set-ntp true`) and name a reachable time server",
        )
    }
}

/// Runs a command for at most a few seconds; its standard output when it succeeded.
fn run(program: &str, args: &[&str]) -> Option<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if std::time::Instant::now() > deadline => {
                child.kill().ok();
                child.wait().ok();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    Some(out)
}

/// `timedatectl show --property=NTPSynchronized --value`: `yes` or `no`.
fn from_timedatectl(text: &str) -> Option<bool> {
    match text.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// `chronyc -n tracking`: its `Leap status` line is `Not synchronised` until it is.
fn from_chronyc(text: &str) -> Option<bool> {
    let status = text
        .lines()
        .find_map(|l| l.strip_prefix("Leap status"))?
        .trim_start_matches([' ', ':'])
        .trim();
    Some(status != "Not synchronised")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answers_of_timedatectl_and_chronyc_are_read() {
        assert_eq!(from_timedatectl("yes\n"), Some(true));
        assert_eq!(from_timedatectl("no\n"), Some(false));
        assert_eq!(from_timedatectl(""), None);
        let tracking = "Reference ID    : C0A80001 (ntp.landkreis.test)\n\
                        Stratum         : 3\n\
                        Leap status     : Normal\n";
        assert_eq!(from_chronyc(tracking), Some(true));
        assert_eq!(
            from_chronyc("Reference ID    : 00000000 ()\nLeap status     : Not synchronised\n"),
            Some(false)
        );
        assert_eq!(from_chronyc("506 Cannot talk to daemon\n"), None);
    }
}
