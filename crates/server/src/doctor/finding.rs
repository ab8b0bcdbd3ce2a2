//! One line of `durchwahl doctor`: what was checked, how it stands, and for anything not
//! green what to do. Pure: the checks make findings, [`render`] makes the text.

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Fine.
    Green,
    /// Works now, needs attention soon (a certificate expiring within 30 days, a database
    /// the next start migrates).
    Amber,
    /// Broken or about to break: the server will not start or not work as configured.
    Red,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Green => "OK",
            Status::Amber => "WARN",
            Status::Red => "FAIL",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Status::Green => "\x1b[32m",
            Status::Amber => "\x1b[33m",
            Status::Red => "\x1b[31m",
        }
    }
}

/// A check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked, e.g. `HTTP port 0.0.0.0:443`.
    pub check: String,
    /// How it stands.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// What to do (for amber and red).
    pub fix: Option<String>,
}

impl Finding {
    /// A green finding.
    pub fn green(check: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding {
            check: check.into(),
            status: Status::Green,
            detail: detail.into(),
            fix: None,
        }
    }

    /// An amber finding with what to do.
    pub fn amber(
        check: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding::with_fix(Status::Amber, check.into(), detail.into(), fix.into())
    }

    /// A red finding with what to do.
    pub fn red(
        check: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding::with_fix(Status::Red, check.into(), detail.into(), fix.into())
    }

    fn with_fix(status: Status, check: String, detail: String, fix: String) -> Finding {
        Finding {
            check,
            status,
            detail,
            fix: Some(fix),
        }
    }
}

/// The report: one line per finding (`OK`, `WARN`, `FAIL`, coloured for a terminal), the
/// fix indented below, and a last line with the counts.
pub fn render(findings: &[Finding], colour: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let label = if colour {
            format!("{}{:<4}\x1b[0m", f.status.colour(), f.status.label())
        } else {
            format!("{:<4}", f.status.label())
        };
        out.push_str(&format!("{label}  {}: {}\n", f.check, f.detail));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("      → {fix}\n"));
        }
    }
    let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
    out.push_str(&format!(
        "{} checks: {} OK, {} WARN, {} FAIL\n",
        findings.len(),
        count(Status::Green),
        count(Status::Amber),
        count(Status::Red)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_names_the_check_and_a_fix_follows_what_is_not_green() {
        let text = render(
            &[
                Finding::green("database", "reachable, migration 27 of 27"),
                Finding::red("HTTP port 0.0.0.0:80", "in use", "stop the other program"),
            ],
            false,
        );
        assert_eq!(
            text,
            "OK    database: reachable, migration 27 of 27\n\
             FAIL  HTTP port 0.0.0.0:80: in use\n      → stop the other program\n\
             2 checks: 1 OK, 0 WARN, 1 FAIL\n"
        );
        assert!(render(&[Finding::amber("x", "y", "z")], true).contains("\x1b[33mWARN\x1b[0m"));
    }
}
