//! What one worker measured, sent to the parent as one JSON line and merged there.

use crate::latency::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One kind of traffic (presence changes or chat messages).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traffic {
    /// Requests written to a socket.
    pub sent: u64,
    /// Sends the schedule asked for but no open client could take (closed or backlogged).
    pub skipped: u64,
    /// `ack` answers.
    pub acks: u64,
    /// `error` answers, by code.
    pub errors: BTreeMap<String, u64>,
    /// Deliveries that should happen if every client stays connected.
    pub expected: u64,
    /// Deliveries to other people's clients, with send-to-receive latency.
    pub delivered: Histogram,
    /// Deliveries of one's own change back to one's own client.
    pub own_echo: u64,
    /// Send-to-answer latency of the requests.
    pub ack_latency: Histogram,
    /// How late the sender wrote each request against its schedule.
    pub send_lag: Histogram,
}

impl Traffic {
    fn merge(&mut self, o: &Traffic) {
        self.sent += o.sent;
        self.skipped += o.skipped;
        self.acks += o.acks;
        merge_counts(&mut self.errors, &o.errors);
        self.expected += o.expected;
        self.delivered.merge(&o.delivered);
        self.own_echo += o.own_echo;
        self.ack_latency.merge(&o.ack_latency);
        self.send_lag.merge(&o.send_lag);
    }

    /// All errors.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Everything one worker (or, merged, the whole run) measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Presence phase.
    pub presence: Traffic,
    /// Chat phase.
    pub chat: Traffic,
    /// `presence` frames during the phases whose note was not ours (hidden or absent).
    pub presence_without_stamp: u64,
    /// Other frames during the phases, by type.
    pub other_frames: BTreeMap<String, u64>,
    /// Errors without a ref of ours, by code.
    pub unmatched_errors: BTreeMap<String, u64>,
    /// Connections that ended before the tool closed them, by close code or cause.
    pub dropped: BTreeMap<String, u64>,
    /// Receivers that read a send time later than their own clock (should be none).
    pub clock_skew: u64,
}

fn merge_counts(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// Adds one to a named counter.
pub fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    *map.entry(key.to_string()).or_default() += 1;
}

impl Stats {
    /// Adds another worker's figures.
    pub fn merge(&mut self, o: &Stats) {
        self.presence.merge(&o.presence);
        self.chat.merge(&o.chat);
        self.presence_without_stamp += o.presence_without_stamp;
        merge_counts(&mut self.other_frames, &o.other_frames);
        merge_counts(&mut self.unmatched_errors, &o.unmatched_errors);
        merge_counts(&mut self.dropped, &o.dropped);
        self.clock_skew += o.clock_skew;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_everything() {
        let mut a = Stats::default();
        a.presence.sent = 3;
        a.presence.delivered.record(1_000);
        bump(&mut a.presence.errors, "rate_limited");
        bump(&mut a.dropped, "1013");
        let mut b = a.clone();
        b.chat.expected = 30;
        bump(&mut b.presence.errors, "unavailable");
        a.merge(&b);
        assert_eq!(a.presence.sent, 6);
        assert_eq!(a.presence.delivered.count(), 2);
        assert_eq!(a.presence.errors["rate_limited"], 2);
        assert_eq!(a.presence.error_count(), 3);
        assert_eq!(a.dropped["1013"], 2);
        assert_eq!(a.chat.expected, 30);
        let line = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Stats>(&line).unwrap(), a);
    }
}
