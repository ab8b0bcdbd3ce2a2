//! Every metric Durchwahl publishes, in one list: its name, its kind and its HELP text.
//! The recorder describes them from here, `docs/metrics.md` explains them, and a test
//! checks each name against Prometheus's conventions (`durchwahl_` prefix, `_total` for
//! counters and only for them, base units: `_seconds`, `_bytes`).

/// What kind of figure a metric is (Prometheus's `# TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (resets when the process starts).
    Counter,
    /// A figure now.
    Gauge,
    /// Observations in buckets, with their count and sum.
    Histogram,
}

/// One published metric.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// Its name.
    pub name: &'static str,
    /// Its kind.
    pub kind: Kind,
    /// Its HELP text.
    pub help: &'static str,
}

/// HTTP requests answered, by `method`, `route` (the route's template, `unmatched` for
/// none) and `status` class (`2xx`…).
pub const HTTP_REQUESTS: &str = "durchwahl_http_requests_total";
/// Time to the answer's head, by `method` and `route`.
pub const HTTP_DURATION: &str = "durchwahl_http_request_duration_seconds";
/// Sign-ins, by `outcome`.
pub const SIGN_INS: &str = "durchwahl_sign_ins_total";
/// Open real-time WebSockets.
pub const WEBSOCKET_CLIENTS: &str = "durchwahl_websocket_clients";
/// Registered SIP contacts.
pub const SIP_REGISTRATIONS: &str = "durchwahl_sip_registrations";
/// Provisioned SIP devices.
pub const SIP_DEVICES: &str = "durchwahl_sip_devices";
/// Calls call control holds.
pub const CALLS: &str = "durchwahl_calls";
/// Media legs on the media threads.
pub const MEDIA_LEGS: &str = "durchwahl_media_legs";
/// Callers waiting in hotline queues.
pub const HOTLINE_WAITING: &str = "durchwahl_hotline_waiting_callers";
/// Logged-in hotline agents, by `state`.
pub const HOTLINE_AGENTS: &str = "durchwahl_hotline_agents";
/// Gateway requests answered by an upstream or failing there, by `app` and `outcome`
/// (`ok`, `error`, `timeout`), with the upstream's time to its answer's head.
pub const GATEWAY_UPSTREAM: &str = "durchwahl_gateway_upstream_duration_seconds";
/// Gateway requests refused, by `reason`.
pub const GATEWAY_REFUSED: &str = "durchwahl_gateway_refused_total";
/// People using a published application now (within the last five minutes), by `app`.
pub const GATEWAY_USERS: &str = "durchwahl_gateway_users";
/// The database pool's open connections.
pub const DB_POOL_OPEN: &str = "durchwahl_db_pool_connections";
/// The database pool's idle connections.
pub const DB_POOL_IDLE: &str = "durchwahl_db_pool_idle_connections";
/// The database pool's size limit.
pub const DB_POOL_MAX: &str = "durchwahl_db_pool_max_connections";
/// Writes waiting for the database, by `queue`.
pub const DB_WRITE_QUEUE: &str = "durchwahl_db_write_queue_length";
/// CPU time of the process.
pub const PROCESS_CPU: &str = "durchwahl_process_cpu_seconds_total";
/// Resident memory of the process.
pub const PROCESS_MEMORY: &str = "durchwahl_process_resident_memory_bytes";

/// All of them, with their HELP texts.
pub const ALL: &[Metric] = &[
    Metric {
        name: HTTP_REQUESTS,
        kind: Kind::Counter,
        help: "HTTP requests answered, by method, route template (unmatched: no route) and status class.",
    },
    Metric {
        name: HTTP_DURATION,
        kind: Kind::Histogram,
        help: "Seconds from a request's arrival to its answer's head, by method and route template.",
    },
    Metric {
        name: SIGN_INS,
        kind: Kind::Counter,
        help: "Sign-ins by outcome: ok (a session started), failed (wrong password or second factor), locked (refused unchecked: too many failures, 429).",
    },
    Metric {
        name: WEBSOCKET_CLIENTS,
        kind: Kind::Gauge,
        help: "Open real-time WebSocket connections (browsers and apps).",
    },
    Metric {
        name: SIP_REGISTRATIONS,
        kind: Kind::Gauge,
        help: "Registered SIP contacts (desk phones and softphones) in the switch's registrar; NaN when the SIP service did not answer.",
    },
    Metric {
        name: SIP_DEVICES,
        kind: Kind::Gauge,
        help: "Provisioned SIP devices the switch knows; NaN when the SIP service did not answer.",
    },
    Metric {
        name: CALLS,
        kind: Kind::Gauge,
        help: "Calls held by call control now (ringing, talking, on hold, at a hotline or voicemail); NaN when it did not answer.",
    },
    Metric {
        name: MEDIA_LEGS,
        kind: Kind::Gauge,
        help: "Media legs (browser WebRTC and phone RTP) on all media threads; NaN when a media thread did not answer.",
    },
    Metric {
        name: GATEWAY_UPSTREAM,
        kind: Kind::Histogram,
        help: "Seconds the access gateway's upstreams took to their answer's head, by app and outcome (ok, error, timeout).",
    },
    Metric {
        name: GATEWAY_REFUSED,
        kind: Kind::Counter,
        help: "Requests the access gateway refused, by reason (unit, role, feature, second_factor, network, hours, capacity, no_session, and hostile paths).",
    },
    Metric {
        name: GATEWAY_USERS,
        kind: Kind::Gauge,
        help: "People using a published application now (a request within the last five minutes), by app.",
    },
    Metric {
        name: HOTLINE_WAITING,
        kind: Kind::Gauge,
        help: "Callers waiting in hotline queues (callbacks keeping their place included); NaN when call control did not answer.",
    },
    Metric {
        name: HOTLINE_AGENTS,
        kind: Kind::Gauge,
        help: "Hotline agents logged in to at least one queue, by state (ready, ringing, on_call, wrap_up, paused); NaN when call control did not answer.",
    },
    Metric {
        name: DB_POOL_OPEN,
        kind: Kind::Gauge,
        help: "Open connections of the database pool (in use and idle).",
    },
    Metric {
        name: DB_POOL_IDLE,
        kind: Kind::Gauge,
        help: "Idle connections of the database pool.",
    },
    Metric {
        name: DB_POOL_MAX,
        kind: Kind::Gauge,
        help: "Most connections the database pool opens.",
    },
    Metric {
        name: DB_WRITE_QUEUE,
        kind: Kind::Gauge,
        help: "Writes waiting for their database writer, by queue: chat (messages and room changes), registrations (SIP bindings; NaN when the SIP service did not answer).",
    },
    Metric {
        name: PROCESS_CPU,
        kind: Kind::Counter,
        help: "CPU time the process used, user and system, in seconds.",
    },
    Metric {
        name: PROCESS_MEMORY,
        kind: Kind::Gauge,
        help: "Resident memory of the process in bytes.",
    },
];

/// Why `name` breaks the conventions, if it does.
pub fn convention_problem(metric: &Metric) -> Option<String> {
    let name = metric.name;
    let valid = name
        .bytes()
        .enumerate()
        .all(|(i, b)| b == b'_' || b.is_ascii_lowercase() || (i > 0 && b.is_ascii_digit()));
    if !valid {
        return Some(format!("{name}: only a-z, 0-9 and _ (snake case)"));
    }
    if !name.starts_with("durchwahl_") {
        return Some(format!("{name}: no durchwahl_ prefix"));
    }
    let total = name.ends_with("_total");
    match (metric.kind, total) {
        (Kind::Counter, false) => return Some(format!("{name}: a counter ends in _total")),
        (Kind::Gauge | Kind::Histogram, true) => {
            return Some(format!("{name}: only counters end in _total"))
        }
        _ => {}
    }
    // Base units only (Prometheus: seconds, bytes), never milliseconds or kilobytes.
    let words: Vec<&str> = name.split('_').collect();
    for bad in [
        "ms",
        "milliseconds",
        "microseconds",
        "minutes",
        "hours",
        "kb",
        "mb",
        "kilobytes",
        "megabytes",
    ] {
        if words.contains(&bad) {
            return Some(format!("{name}: {bad} is no base unit (seconds, bytes)"));
        }
    }
    // Reserved suffixes of histograms and summaries.
    for reserved in ["_bucket", "_count", "_sum"] {
        if name.ends_with(reserved) {
            return Some(format!("{name}: {reserved} is a histogram's own suffix"));
        }
    }
    if metric.help.trim().is_empty() {
        return Some(format!("{name}: no HELP text"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_follows_the_conventions_and_is_listed_once() {
        for metric in ALL {
            assert_eq!(convention_problem(metric), None);
        }
        let mut names: Vec<&str> = ALL.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "a name is listed twice");
    }

    #[test]
    fn broken_names_are_caught() {
        let bad = [
            ("durchwahl_requests", Kind::Counter),
            ("durchwahl_clients_total", Kind::Gauge),
            ("http_requests_total", Kind::Counter),
            ("durchwahl_latency_ms", Kind::Histogram),
            ("durchwahl_Calls", Kind::Gauge),
            ("durchwahl_calls_count", Kind::Gauge),
        ];
        for (name, kind) in bad {
            let metric = Metric {
                name,
                kind,
                help: "x",
            };
            assert!(convention_problem(&metric).is_some(), "{name} passed");
        }
    }
}
