//! The process's one metrics recorder: metrics-rs's Prometheus recorder, installed as the
//! global recorder the `counter!`/`gauge!`/`histogram!` macros write to. A global
//! recorder can be set only once per process, and tests run many servers in one process:
//! [`install`] sets it the first time and hands every later caller the same handle.
//!
//! The exporter only renders; we serve the text ourselves (`/metrics`, behind its token).
//! Histograms collect observations in blocks until rendered; a thread of its own runs the
//! recorder's upkeep so that a server nobody scrapes does not gather them without end.

use super::names::{self, Kind, ALL};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Buckets of request durations, in seconds: from 5 ms to 10 s.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often histogram observations are folded in between scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

/// The recorder's handle (renders the text), or why there is none.
static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the recorder (once per process) and returns its handle; an error when another
/// recorder was set first (not ours: a library's or a test's).
pub fn install() -> Result<PrometheusHandle, String> {
    HANDLE.get_or_init(build).clone()
}

fn build() -> Result<PrometheusHandle, String> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(names::HTTP_DURATION.into()), DURATION_BUCKETS)
        .map_err(|e| e.to_string())?
        .set_buckets_for_metric(
            Matcher::Full(names::GATEWAY_UPSTREAM.into()),
            DURATION_BUCKETS,
        )
        .map_err(|e| e.to_string())?
        .build_recorder();
    let handle = recorder.handle();
    ::metrics::set_global_recorder(recorder)
        .map_err(|_| "another metrics recorder was installed first".to_string())?;
    for metric in ALL {
        let help = metric.help;
        match metric.kind {
            Kind::Counter => ::metrics::describe_counter!(metric.name, help),
            Kind::Gauge => ::metrics::describe_gauge!(metric.name, help),
            Kind::Histogram => ::metrics::describe_histogram!(metric.name, help),
        }
    }
    super::events::register();
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP);
            upkeep.run_upkeep();
        })
        .map_err(|e| format!("no thread for the metrics upkeep: {e}"))?;
    Ok(handle)
}
