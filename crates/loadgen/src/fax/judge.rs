//! The goal ("20 faxes received at once: all pages complete") against what the
//! fax machines saw and what the server kept: each row a figure, its goal and a ratio
//! that passes at ≥ 1.00 (as the other loads'), and the CPU figures for information: the
//! server's per fax channel next to the load tool's per fax machine, the anchor measured
//! in the same run (the same SpanDSP modem work and RTP, without call control, storage
//! and the PDF), as a ratio.

use super::inbox::Kept;
use super::lines::Report;
use crate::hotline::carrier::Outcome;
use crate::hotline::goals::row;
use crate::voicemail::cpu::Usage;
use crate::voicemail::judge::{most_at_once, spread};
use serde_json::{json, Value};

/// Everything the run saw.
pub struct Seen<'a> {
    /// The fax machines.
    pub faxes: usize,
    /// Pages each sends.
    pub pages: u32,
    /// The carrier's outcomes, by machine id.
    pub outcomes: &'a [Outcome],
    /// The machines' reports (any order).
    pub reports: &'a [Report],
    /// The server's received faxes of this run (any order).
    pub kept: &'a [Kept],
    /// CPU before the first call (idle); while every fax was under way; from the first
    /// INVITE to the last PDF.
    pub usage: [Option<Usage>; 3],
    /// The RTP threads' own CPU seconds over the whole run.
    pub rtp_threads_cpu_s: Option<f64>,
    /// The settings, as given.
    pub settings: Value,
}

/// The caller number of machine `id` ends with this (the carrier calls from
/// `+49305` and seven digits of the id).
pub fn caller_suffix(id: usize) -> String {
    format!("{id:07}")
}

/// What became of machine `id`'s fax, at both ends: `Ok` when it went through with every
/// page, else why not (SpanDSP's reason at the machine, the server's row, the PDF).
pub fn verdict(
    id: usize,
    pages: u32,
    report: Option<&Report>,
    kept: &[&Kept],
) -> Result<(), String> {
    let mut why = Vec::new();
    match report {
        None => why.push("no line (the call was not answered)".to_string()),
        Some(r) => {
            if let Some(e) = &r.error {
                why.push(e.clone());
            }
            match &r.machine.outcome {
                Some(o) if o.success && o.pages == pages => {}
                Some(o) => why.push(format!(
                    "SpanDSP at the machine: {} (code {}), {} of {pages} pages{}",
                    o.reason,
                    o.code,
                    o.pages,
                    if r.machine.cut_off {
                        ", the call ended first"
                    } else {
                        ""
                    }
                )),
                None if r.error.is_none() => why.push("SpanDSP at the machine: no outcome".into()),
                None => {}
            }
        }
    }
    match kept {
        [] => why.push("no row at the server".into()),
        [k] if k.complete(pages) => {}
        [k] => why.push(format!(
            "the server's row: {}, {} pages{}; its PDF: {}",
            k.status,
            k.row_pages,
            k.reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            match (&k.error, k.pdf_pages) {
                (Some(e), _) => e.clone(),
                (None, Some(p)) => format!("{p} pages"),
                (None, None) => "none".into(),
            }
        )),
        more => why.push(format!("{} rows at the server", more.len())),
    }
    match why.is_empty() {
        true => Ok(()),
        false => Err(format!("fax {id}: {}", why.join("; "))),
    }
}

/// Judges the run: the JSON summary with `pass`, `goals`, `cpu`, and the figures.
pub fn judge(seen: &Seen) -> Value {
    let n = seen.faxes;
    let pages = seen.pages;
    let report = |id: usize| seen.reports.iter().find(|r| r.id as usize == id);
    let kept_of = |id: usize| -> Vec<&Kept> {
        let suffix = caller_suffix(id);
        seen.kept
            .iter()
            .filter(|k| k.remote.ends_with(&suffix))
            .collect()
    };
    let verdicts: Vec<Result<(), String>> = (0..n)
        .map(|id| verdict(id, pages, report(id), &kept_of(id)))
        .collect();
    let sent_ok = (0..n)
        .filter(|&id| {
            report(id)
                .and_then(|r| r.machine.outcome.as_ref())
                .is_some_and(|o| o.success && o.pages == pages)
        })
        .count();
    let rows_ok = (0..n)
        .filter(|&id| {
            let k = kept_of(id);
            k.len() == 1 && k[0].status == "received" && k[0].row_pages == i64::from(pages)
        })
        .count();
    let pdfs_ok = (0..n)
        .filter(|&id| {
            let k = kept_of(id);
            k.len() == 1 && k[0].pdf_pages == Some(pages as usize)
        })
        .count();
    let complete = verdicts.iter().filter(|v| v.is_ok()).count();
    let answered = |id: usize| seen.outcomes.get(id).and_then(|o| o.answered_us);
    // Under way: from the 200 OK to the end of T.30 at the machine.
    let under_way: Vec<(i64, i64)> = (0..n)
        .filter_map(|id| Some((answered(id)?, report(id)?.machine.finished_us?)))
        .collect();
    let at_once = most_at_once(&under_way);
    let goals = vec![
        row(
            "faxes under way at once (200 OK to the end of T.30)",
            Some(at_once as f64),
            n as f64,
            false,
            "faxes",
        ),
        row(
            &format!("faxes sent by the machines, all {pages} pages confirmed (SpanDSP)"),
            Some(sent_ok as f64),
            n as f64,
            false,
            "faxes",
        ),
        row(
            &format!("faxes received by the server (row received, {pages} pages)"),
            Some(rows_ok as f64),
            n as f64,
            false,
            "faxes",
        ),
        row(
            &format!("PDFs in the data folder with {pages} pages"),
            Some(pdfs_ok as f64),
            n as f64,
            false,
            "PDFs",
        ),
        row(
            "faxes complete at both ends, every page",
            Some(complete as f64),
            n as f64,
            false,
            "faxes",
        ),
    ];
    let pass = goals.iter().all(|g| g["pass"] == true);
    let problems: Vec<String> = verdicts.iter().filter_map(|v| v.clone().err()).collect();
    let stray = seen
        .kept
        .iter()
        .filter(|k| !(0..n).any(|id| k.remote.ends_with(&caller_suffix(id))));
    let stray: Vec<String> = stray
        .map(|k| format!("a row from {:?} no machine sent", k.remote))
        .collect();

    let [idle, at_once_usage, whole] = &seen.usage;
    let per_channel = |cores: Option<f64>| cores.map(|c| c * 1000.0 / n.max(1) as f64);
    let server_per_channel = per_channel(at_once_usage.and_then(|u| u.server_cores));
    let tool_per_machine = per_channel(at_once_usage.and_then(|u| u.tool_cores));
    let net = |busy: Option<f64>, idle: Option<f64>| per_channel(Some(busy? - idle?));
    let server_net = net(
        at_once_usage.and_then(|u| u.server_cores),
        idle.and_then(|u| u.server_cores),
    );
    let tool_net = net(
        at_once_usage.and_then(|u| u.tool_cores),
        idle.and_then(|u| u.tool_cores),
    );
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let per_fax = |s: Option<f64>| s.map(|s| s * 1000.0 / n.max(1) as f64);
    let server_whole =
        whole.and_then(|u| Some(u.server_cpu_s? + u.server_children_cpu_s.unwrap_or(0.0)));
    let server_per_fax = per_fax(server_whole);
    let tool_per_fax = per_fax(whole.and_then(|u| u.tool_cpu_s));

    let ms = |from: Option<i64>, until: Option<i64>| Some((until? - from?) as f64 / 1000.0);
    let setup: Vec<f64> = seen
        .outcomes
        .iter()
        .filter_map(|o| ms(Some(o.placed_us), o.answered_us))
        .collect();
    let fax_s: Vec<f64> = under_way
        .iter()
        .map(|(a, f)| (f - a) as f64 / 1e6)
        .collect();
    let pdf_after: Vec<f64> = (0..n)
        .filter_map(|id| {
            let end = report(id)?.machine.finished_us;
            let k = kept_of(id);
            let k = k.first()?;
            ms(end, k.written_us.or(k.finished_us))
        })
        .collect();
    // Only where T.30 ended at the machine first: after a hang-up its end is the hang-up.
    let end_to_bye: Vec<f64> = (0..n)
        .filter_map(|id| {
            let r = report(id).filter(|r| !r.machine.cut_off)?;
            ms(r.machine.finished_us, seen.outcomes.get(id)?.ended_us)
        })
        .collect();
    let hung_up_first = seen.reports.iter().filter(|r| r.machine.cut_off).count();
    let sum = |f: fn(&Report) -> u64| seen.reports.iter().map(f).sum::<u64>();
    let outcomes = seen.outcomes;
    json!({
        "pass": pass,
        "goals": goals,
        "cpu_ms_per_s": {
            "server_per_channel": server_per_channel,
            "tool_per_machine": tool_per_machine,
            "ratio": ratio(server_per_channel, tool_per_machine),
            "server_net_per_channel": server_net,
            "tool_net_per_machine": tool_net,
            "net_ratio": ratio(server_net, tool_net),
        },
        "cpu_ms_per_fax": {
            "server": server_per_fax,
            "server_children": per_fax(whole.and_then(|u| u.server_children_cpu_s)),
            "tool": tool_per_fax,
            "ratio": ratio(server_per_fax, tool_per_fax),
            "tool_rtp_threads": per_fax(seen.rtp_threads_cpu_s),
        },
        "usage": { "idle": idle, "at_once": at_once_usage, "whole": whole },
        "calls": {
            "placed": outcomes.len(),
            "answered": outcomes.iter().filter(|o| o.answered_us.is_some()).count(),
            "failed": outcomes.iter().filter(|o| o.failed.is_some()).count(),
            "failed_codes": outcomes.iter().filter_map(|o| o.failed).collect::<Vec<_>>(),
            "ended_by_server": outcomes.iter().filter(|o| o.ended_by_server).count(),
            "setup_ms": spread(&setup),
            "end_of_fax_to_hang_up_ms": spread(&end_to_bye),
        },
        "faxes": {
            "machines": n, "pages_each": pages,
            "sent_ok": sent_ok, "rows_received": rows_ok, "pdfs_ok": pdfs_ok, "complete": complete,
            "pages_received": seen.kept.iter().filter(|k| k.status == "received").map(|k| k.row_pages).sum::<i64>(),
            "pages_in_pdfs": seen.kept.iter().filter_map(|k| k.pdf_pages).sum::<usize>(),
            "rows": seen.kept.len(),
            "ended_by_the_hang_up": hung_up_first,
            "fax_s": spread(&fax_s),
            "pdf_after_end_ms": spread(&pdf_after),
            "problems": problems,
            "stray_rows": stray,
        },
        "line": {
            "packets_sent": sum(|r| r.machine.sent),
            "packets_heard": sum(|r| r.machine.heard),
            "late_dropped": sum(|r| r.machine.late),
            "gap_samples": sum(|r| r.machine.gap_samples),
            "foreign": sum(|r| r.machine.foreign),
            "send_errors": sum(|r| r.send_errors),
        },
        "settings": seen.settings,
    })
}

#[cfg(test)]
mod tests {
    use super::super::machine::MachineReport;
    use super::*;
    use fax::Outcome as FaxOutcome;

    fn report(id: u32, success: bool, pages: u32) -> Report {
        Report {
            id,
            send_errors: 0,
            error: None,
            machine: MachineReport {
                finished_us: Some(22_000_000 + i64::from(id)),
                outcome: Some(FaxOutcome {
                    success,
                    pages,
                    remote_ident: "190000".into(),
                    reason: if success {
                        "OK".into()
                    } else {
                        "Unexpected DCN while waiting for DCS or DIS".into()
                    },
                    code: if success { 0 } else { 20 },
                }),
                ..MachineReport::default()
            },
        }
    }

    fn kept(id: usize, status: &str, pages: i64) -> Kept {
        Kept {
            fax_id: id as i64 + 1,
            remote: format!("+49305{}", caller_suffix(id)),
            status: status.into(),
            row_pages: pages,
            pdf_pages: (status == "received").then_some(pages as usize),
            written_us: Some(23_000_000),
            ..Kept::default()
        }
    }

    fn outcome(id: u32) -> Outcome {
        Outcome {
            id,
            placed_us: i64::from(id) * 50_000,
            answered_us: Some(i64::from(id) * 50_000 + 2_000),
            ended_us: Some(22_500_000),
            ended_by_server: true,
            failed: None,
        }
    }

    #[test]
    fn every_fax_complete_passes_and_a_broken_one_is_named_with_spandsps_reason() {
        let outcomes: Vec<Outcome> = (0..3).map(outcome).collect();
        let mut reports: Vec<Report> = (0..3).map(|i| report(i, true, 2)).collect();
        let mut rows: Vec<Kept> = (0..3).map(|i| kept(i, "received", 2)).collect();
        let seen = |reports: &[Report], rows: &[Kept]| {
            judge(&Seen {
                faxes: 3,
                pages: 2,
                outcomes: &outcomes,
                reports,
                kept: rows,
                usage: [None, None, None],
                rtp_threads_cpu_s: None,
                settings: json!({}),
            })
        };
        let s = seen(&reports, &rows);
        assert_eq!(s["pass"], true, "{s:#}");
        assert_eq!(s["faxes"]["pages_in_pdfs"], 6);
        assert_eq!(s["goals"][0]["actual"], 3.0, "all three at once");

        reports[1] = report(1, false, 1);
        rows[1] = kept(1, "failed", 1);
        rows[1].reason = Some("Empfang abgebrochen".into());
        rows.push(kept(7, "received", 2));
        let s = seen(&reports, &rows);
        assert_eq!(s["pass"], false);
        assert_eq!(s["faxes"]["complete"], 2);
        let problem = s["faxes"]["problems"][0].as_str().unwrap();
        assert!(
            problem.starts_with("fax 1: SpanDSP at the machine: Unexpected DCN"),
            "{problem}"
        );
        assert!(problem.contains("1 of 2 pages"), "{problem}");
        assert!(
            problem.contains("failed, 1 pages (Empfang abgebrochen)"),
            "{problem}"
        );
        assert_eq!(s["faxes"]["stray_rows"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn cpu_per_channel_with_and_without_what_was_used_idle() {
        let outcomes: Vec<Outcome> = (0..4).map(outcome).collect();
        let reports: Vec<Report> = (0..4).map(|i| report(i, true, 2)).collect();
        let rows: Vec<Kept> = (0..4).map(|i| kept(i as usize, "received", 2)).collect();
        let usage = |server: f64, tool: f64| Usage {
            seconds: 10.0,
            server_cores: Some(server),
            tool_cores: Some(tool),
            server_cpu_s: Some(server * 10.0),
            server_children_cpu_s: Some(0.4),
            tool_cpu_s: Some(tool * 10.0),
            cpu_pressure_pct: Some(1.0),
        };
        let s = judge(&Seen {
            faxes: 4,
            pages: 2,
            outcomes: &outcomes,
            reports: &reports,
            kept: &rows,
            usage: [
                Some(usage(0.004, 0.002)),
                Some(usage(0.016, 0.010)),
                Some(usage(0.010, 0.008)),
            ],
            rtp_threads_cpu_s: Some(0.2),
            settings: json!({}),
        });
        let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
        let c = &s["cpu_ms_per_s"];
        assert!(close(&c["server_per_channel"], 4.0) && close(&c["tool_per_machine"], 2.5));
        assert!(close(&c["ratio"], 1.6));
        // Net of idle: (16 - 4) / 4 and (10 - 2) / 4 ms/s.
        assert!(close(&c["server_net_per_channel"], 3.0));
        assert!(close(&c["tool_net_per_machine"], 2.0));
        assert!(close(&c["net_ratio"], 1.5));
        // Per fax over the whole run: (0.1 s + 0.4 s of tiff2pdf) / 4 and 0.08 s / 4.
        let f = &s["cpu_ms_per_fax"];
        assert!(close(&f["server"], 125.0) && close(&f["server_children"], 100.0));
        assert!(close(&f["tool"], 20.0) && close(&f["tool_rtp_threads"], 50.0));
    }

    #[test]
    fn a_missing_line_and_a_missing_row_are_failures() {
        assert_eq!(
            verdict(4, 2, None, &[]),
            Err("fax 4: no line (the call was not answered); no row at the server".into())
        );
        let r = report(4, true, 2);
        let k = kept(4, "received", 2);
        assert_eq!(verdict(4, 2, Some(&r), &[&k]), Ok(()));
        assert!(verdict(4, 2, Some(&r), &[&k, &k])
            .unwrap_err()
            .contains("2 rows"));
        let mut cut = report(4, false, 2);
        cut.machine.cut_off = true;
        assert!(verdict(4, 2, Some(&cut), &[&k])
            .unwrap_err()
            .contains("the call ended first"));
    }
}
