//! Every call accounted for: the supervisor's report of the hotline (`GET
//! /api/v1/hotlines/{id}/report`, figures from the queue event log) must count as
//! offered exactly the calls the load placed, and each offered call must be answered,
//! abandoned, overflowed or still waiting. The log is written in batches, so the check
//! asks again for a while until the figures add up.

use crate::http::{Connection, Target};
use anyhow::{bail, Context};
use serde_json::Value;
use std::time::Duration;

/// The figures that matter here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Accounted {
    /// Calls the load placed (INVITEs sent).
    pub placed: u64,
    /// The report's figures.
    pub offered: u64,
    /// Answered by an agent.
    pub answered: u64,
    /// The caller hung up while waiting.
    pub abandoned: u64,
    /// Sent to the overflow.
    pub overflowed: u64,
    /// Still waiting.
    pub waiting: u64,
}

impl Accounted {
    /// Offered = placed, and every offered call has its outcome.
    pub fn adds_up(&self) -> bool {
        self.offered == self.placed
            && self.answered + self.abandoned + self.overflowed + self.waiting == self.offered
    }
}

async fn get(target: &Target, cookie: &str, path: &str) -> anyhow::Result<Value> {
    let mut conn = Connection::open(target).await?;
    let cookie = format!("dw_session={cookie}");
    let r = conn
        .request(target, "GET", path, Some(&cookie), None)
        .await?;
    if r.status != 200 {
        bail!(
            "GET {path}: HTTP {}: {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
    Ok(serde_json::from_slice(&r.body)?)
}

/// The id of the hotline with `extension` among those the supervisor watches.
pub async fn hotline_id(target: &Target, cookie: &str, extension: &str) -> anyhow::Result<i64> {
    let list = get(target, cookie, "/api/v1/hotlines").await?;
    list.as_array()
        .into_iter()
        .flatten()
        .find(|h| h["extension"] == extension)
        .and_then(|h| h["id"].as_i64())
        .with_context(|| format!("the supervisor sees no hotline {extension}: {list}"))
}

/// Asks for the report of the days around `from_ms..to_ms` until it adds up for
/// `placed` calls, for at most `patience`; the last answer either way.
pub async fn check(
    target: &Target,
    cookie: &str,
    hotline: i64,
    placed: u64,
    (from_ms, to_ms): (i64, i64),
    patience: Duration,
) -> anyhow::Result<Accounted> {
    // A day either side: the report counts local (Berlin) days, and the database is the
    // load's own, so nothing else is in them.
    let path = format!(
        "/api/v1/hotlines/{hotline}/report?from={}&to={}",
        utc_day(from_ms - 86_400_000),
        utc_day(to_ms + 86_400_000)
    );
    let until = tokio::time::Instant::now() + patience;
    loop {
        let report = get(target, cookie, &path).await?;
        let t = &report["total"];
        let n = |k: &str| t[k].as_u64().unwrap_or(0);
        let a = Accounted {
            placed,
            offered: n("offered"),
            answered: n("answered"),
            abandoned: n("abandoned"),
            overflowed: n("overflowed"),
            waiting: n("waiting"),
        };
        if a.adds_up() || tokio::time::Instant::now() >= until {
            return Ok(a);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `YYYY-MM-DD` of a Unix time in ms (UTC; days from the civil calendar algorithm of
/// Howard Hinnant's `civil_from_days`).
pub fn utc_day(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_sums() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(1_796_083_199_999), "2026-11-30");
        assert_eq!(utc_day(-1), "1969-12-31");
        let mut a = Accounted {
            placed: 10,
            offered: 10,
            answered: 3,
            abandoned: 6,
            overflowed: 0,
            waiting: 1,
        };
        assert!(a.adds_up());
        a.waiting = 0;
        assert!(!a.adds_up());
    }
}
