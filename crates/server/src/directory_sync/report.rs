//! A sync plan as lines people read: on the command line, on the admin page, in the log
//! of sync runs.

use directory::sync::SyncPlan;
use directory::StaffRecord;

/// Lines per kind kept in a report; the rest are counted.
const MAX_LINES: usize = 500;

/// One line per change and per problem, the guard's stop first.
pub fn lines(plan: &SyncPlan) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(g) = &plan.guard {
        out.push(format!(
            "STOPPED: the sync would disable {} of {} people ({:.1} %), more than the allowed \
             {:.1} %. Check the user filter; if it is right, run it again with confirmation \
             (`durchwahl directory sync --confirm` or the button on the admin page).",
            g.would_disable,
            g.enabled,
            100.0 * g.would_disable as f64 / g.enabled.max(1) as f64,
            100.0 * g.max_share
        ));
    }
    let mut section = |items: Vec<String>| {
        let more = items.len().saturating_sub(MAX_LINES);
        out.extend(items.into_iter().take(MAX_LINES));
        if more > 0 {
            out.push(format!("  … and {more} more"));
        }
    };
    section(
        plan.new_units
            .iter()
            .map(|u| format!("new unit: {u}"))
            .collect(),
    );
    section(
        plan.creates
            .iter()
            .map(|c| {
                let r = &c.record;
                format!("add: {} ({}, {}, {})", r.login, r.name, r.extension, r.unit)
            })
            .collect(),
    );
    section(
        plan.updates
            .iter()
            .map(|u| {
                let what = differences(&u.before, &u.after.record);
                match (u.enable, what.is_empty()) {
                    (true, true) => format!("enable: {}", u.after.record.login),
                    (true, false) => format!("enable: {} ({what})", u.after.record.login),
                    (false, true) => format!("link: {} to {}", u.after.record.login, u.after.dn),
                    (false, false) => format!("change: {}: {what}", u.login_before),
                }
            })
            .collect(),
    );
    section(
        plan.disables
            .iter()
            .map(|l| format!("disable: {l} (no longer in the directory)"))
            .collect(),
    );
    section(
        plan.problems
            .iter()
            .map(|p| format!("problem: {p} (left as it is)"))
            .collect(),
    );
    out
}

fn differences(old: &StaffRecord, new: &StaffRecord) -> String {
    let mut parts = Vec::new();
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            parts.push(format!("{name} {a} → {b}"));
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
    field("login", old.login.to_string(), new.login.to_string());
    field("name", old.name.clone(), new.name.clone());
    field("unit", old.unit.to_string(), new.unit.to_string());
    field(
        "extension",
        old.extension.to_string(),
        new.extension.to_string(),
    );
    field("email", opt(&old.email), opt(&new.email));
    field("mobile", opt(&old.mobile), opt(&new.mobile));
    field("roles", old.roles.join(";"), new.roles.join(";"));
    field("features", old.features.join(";"), new.features.join(";"));
    parts.join(", ")
}
